// Every rule the persistence judge can raise, in one place: C1-C13 are the cron-line patterns of the
// detection catalogue (section 2.1; C1-C4, C7 and C8 judge any command, wherever it is installed),
// P1-P20 cover the other persistence locations; C9 is raised by the caller of linkPersistence. Weights follow the catalogue; they are proposals.
import { severityForScore, type Finding } from '../model';

export interface PersistenceRule {
  id: string;
  weight: number;
  title: string;
  attack: string[];
}

const CRON = ['T1053.003'];

export const RULES = {
  C1: { id: 'C1', weight: 6, title: 'Runs a program from a temporary or hidden directory', attack: ['T1053.003', 'T1564.001'] },
  C2: { id: 'C2', weight: 9, title: 'Downloads code and pipes it into an interpreter', attack: ['T1053.003', 'T1105', 'T1059.004'] },
  C3: { id: 'C3', weight: 2, title: 'URL with a raw IP address', attack: ['T1105'] },
  C4: { id: 'C4', weight: 8, title: 'Encoded payload', attack: ['T1027', 'T1140'] },
  C5: { id: 'C5', weight: 3, title: 'Runs at every boot (@reboot)', attack: CRON },
  C6: { id: 'C6', weight: 2, title: 'Very frequent schedule', attack: CRON },
  C7: { id: 'C7', weight: 1, title: 'Discards all output', attack: ['T1564'] },
  C8: { id: 'C8', weight: 5, title: 'Program named like a system tool outside system directories', attack: ['T1036.005'] },
  C9: { id: 'C9', weight: 8, title: 'Starts a process that is running and flagged now', attack: CRON },
  C10: { id: 'C10', weight: 3, title: 'Crontab of a service account', attack: CRON },
  C11: { id: 'C11', weight: 9, title: 'Unparseable line in a cron file', attack: ['T1053.003', 'T1190'] },
  C12: { id: 'C12', weight: 2, title: 'Cron file changed recently', attack: CRON },
  C13: { id: 'C13', weight: 4, title: 'Spool file does not match its account', attack: CRON },
  P1: { id: 'P1', weight: 9, title: 'Library preloaded into every program (/etc/ld.so.preload)', attack: ['T1574.006', 'T1014'] },
  P2: { id: 'P2', weight: 8, title: 'Service unit named like a known miner install', attack: ['T1543.002', 'T1496'] },
  P3: { id: 'P3', weight: 6, title: 'Unit file linked from a writable location', attack: ['T1543.002'] },
  P4: { id: 'P4', weight: 4, title: 'System service runs a program from a home directory', attack: ['T1543.002'] },
  P5: { id: 'P5', weight: 1, title: 'Per-user systemd unit', attack: ['T1543.002'] },
  P6: { id: 'P6', weight: 1, title: 'Command run at boot by rc.local', attack: ['T1037.004'] },
  P7: { id: 'P7', weight: 3, title: 'Init script without a package header', attack: ['T1037.004'] },
  P8: { id: 'P8', weight: 0, title: 'SSH key that can log in', attack: ['T1098.004'] },
  P9: { id: 'P9', weight: 1, title: 'File changed recently', attack: [] },
  P10: { id: 'P10', weight: 8, title: 'Names a known miner program', attack: ['T1496'] },
  P11: { id: 'P11', weight: 2, title: 'SSH key with a forced command', attack: ['T1098.004'] },
  P12: { id: 'P12', weight: 2, title: 'Start-up file starts a program in the background', attack: ['T1546.004'] },
  P13: { id: 'P13', weight: 2, title: 'udev rule runs a program on a device event', attack: ['T1546.017'] },
  P14: { id: 'P14', weight: 3, title: 'PAM runs a program at every login (pam_exec)', attack: ['T1556.003'] },
  P15: { id: 'P15', weight: 7, title: 'PAM module loaded from outside the module directories', attack: ['T1556.003'] },
  P16: { id: 'P16', weight: 2, title: 'Desktop session starts a program (XDG autostart)', attack: ['T1547.013'] },
  P17: { id: 'P17', weight: 5, title: 'systemd generator placed by hand', attack: ['T1543.002'] },
  P18: { id: 'P18', weight: 6, title: 'Kernel module loaded at boot that no installed kernel ships', attack: ['T1547.006', 'T1014'] },
  P19: { id: 'P19', weight: 3, title: 'modprobe runs a command instead of loading a module', attack: ['T1547.006'] },
  P20: { id: 'P20', weight: 7, title: 'Every login session preloads a library (/etc/environment)', attack: ['T1574.006'] },
} as const satisfies Record<string, PersistenceRule>;

export type RuleId = keyof typeof RULES;

/** Build a Finding for rule `id`; `weight` overrides the table (C5 with C1 counts 6). */
export function finding(id: RuleId, explanation: string, evidence: Record<string, unknown>, weight?: number): Finding {
  const rule: PersistenceRule = RULES[id];
  const w = weight ?? rule.weight;
  return { id: rule.id, weight: w, severity: severityForScore(w), title: rule.title, explanation, attack: [...rule.attack], evidence };
}

export function scoreOf(findings: readonly Finding[]): number {
  return findings.reduce((sum, f) => sum + f.weight, 0);
}
