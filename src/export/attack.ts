// MITRE ATT&CK names of the techniques minewatch's rules cite, for ECS `threat.*` (ATT&CK v16 names).
// A test fails when a rule cites a technique that is missing here.

export const TECHNIQUES: Readonly<Record<string, string>> = {
  T1014: 'Rootkit',
  T1027: 'Obfuscated Files or Information',
  T1036: 'Masquerading',
  'T1036.004': 'Masquerade Task or Service',
  'T1036.005': 'Match Legitimate Resource Name or Location',
  'T1036.009': 'Break Process Trees',
  T1037: 'Boot or Logon Initialization Scripts',
  'T1037.004': 'RC Scripts',
  T1053: 'Scheduled Task/Job',
  'T1053.003': 'Cron',
  T1055: 'Process Injection',
  T1059: 'Command and Scripting Interpreter',
  'T1059.004': 'Unix Shell',
  T1070: 'Indicator Removal',
  'T1070.004': 'File Deletion',
  T1071: 'Application Layer Protocol',
  T1074: 'Data Staged',
  T1078: 'Valid Accounts',
  T1098: 'Account Manipulation',
  'T1098.004': 'SSH Authorized Keys',
  T1105: 'Ingress Tool Transfer',
  T1140: 'Deobfuscate/Decode Files or Information',
  T1190: 'Exploit Public-Facing Application',
  T1496: 'Resource Hijacking',
  T1554: 'Compromise Host Software Binary',
  'T1496.001': 'Compute Hijacking',
  T1543: 'Create or Modify System Process',
  'T1543.002': 'Systemd Service',
  T1546: 'Event Triggered Execution',
  'T1546.004': 'Unix Shell Configuration Modification',
  'T1546.017': 'Udev Rules',
  T1547: 'Boot or Logon Autostart Execution',
  'T1547.006': 'Kernel Modules and Extensions',
  'T1547.013': 'XDG Autostart Entries',
  T1556: 'Modify Authentication Process',
  'T1556.003': 'Pluggable Authentication Modules',
  T1564: 'Hide Artifacts',
  'T1564.001': 'Hidden Files and Directories',
  T1574: 'Hijack Execution Flow',
  'T1574.006': 'Dynamic Linker Hijacking',
  T1620: 'Reflective Code Loading',
};

export interface ThreatFields {
  techniqueIds: string[];
  techniqueNames: string[];
  subtechniqueIds: string[];
  subtechniqueNames: string[];
}

/** Split cited ids ("T1036.004", "T1496") into ECS technique and sub-technique lists, parents first seen order. */
export function threatOf(attack: readonly string[]): ThreatFields {
  const t: ThreatFields = { techniqueIds: [], techniqueNames: [], subtechniqueIds: [], subtechniqueNames: [] };
  for (const id of attack) {
    const parent = id.split('.')[0]!;
    if (!t.techniqueIds.includes(parent)) {
      t.techniqueIds.push(parent);
      t.techniqueNames.push(TECHNIQUES[parent] ?? parent);
    }
    if (id !== parent && !t.subtechniqueIds.includes(id)) {
      t.subtechniqueIds.push(id);
      t.subtechniqueNames.push(TECHNIQUES[id] ?? id);
    }
  }
  return t;
}
