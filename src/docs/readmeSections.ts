// The parts of the README that must match the code: every key (from the keybinding tables), every
// finding (from the rule tables) and every command-line option (from the option tables, as --help
// prints them). `npm run docs` writes them; a test fails when the README is stale.
import { ALL_BINDINGS, GROUPS } from '../app/keymap';
import { COMMANDS, formatHelp, SCAN, synopsis } from '../cli/args';
import { DEEP_RULES } from '../deep/index';
import { REPLACED_DESCRIBES, REPLACED_ID, REPLACED_TITLE, REPLACED_WEIGHT } from '../allow/known';
import { RULES } from '../detect/index';
import { RULES as PERSISTENCE_RULES } from '../persistence/rules';
import { costSection, loadRuns, resultsDir } from './costSection';

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function keysSection(): string {
  const out: string[] = [];
  for (const g of GROUPS) {
    out.push(`**${g}**`, '', '| key | does |', '| --- | --- |');
    for (const b of ALL_BINDINGS.filter((x) => x.group === g)) out.push(`| \`${cell(b.label)}\` | ${cell(b.help)} |`);
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export interface FindingRow { id: string; title: string; describes: string; attack: readonly string[]; amplifier?: boolean }
export interface PersistenceRow { id: string; title: string; weight: number; attack: readonly string[] }

/** Every process finding, as the README and the man page list them. */
export function processFindings(): FindingRow[] {
  return [
    ...RULES.map((r) => ({ id: r.id, title: r.title, describes: r.describes, attack: r.attack, amplifier: r.amplifier })),
    ...Object.values(DEEP_RULES).map((r) => ({ id: r.id, title: r.title, describes: r.describes, attack: r.attack })),
    // the allow-list's own finding: a known-good path whose executable changed
    { id: REPLACED_ID, title: REPLACED_TITLE, describes: `${REPLACED_DESCRIBES} (weight ${REPLACED_WEIGHT})`, attack: ['T1036.005', 'T1554'] },
  ];
}

/** Every persistence finding. */
export function persistenceFindings(): PersistenceRow[] {
  return Object.values(PERSISTENCE_RULES).map((r) => ({ id: r.id, title: r.title, weight: r.weight, attack: r.attack }));
}

export function findingsSection(): string {
  const out = ['| id | finding | what it means | ATT&CK |', '| --- | --- | --- | --- |'];
  for (const r of processFindings()) {
    out.push(`| ${r.id} | ${cell(r.title)}${r.amplifier ? ' *(amplifier)*' : ''} | ${cell(r.describes)} | ${r.attack.join(', ')} |`);
  }
  out.push('', 'Persistence entries (crontabs, systemd units and generators, rc scripts, shell start-up files, SSH keys, ld.so.preload, udev rules, PAM, XDG autostart, boot modules, /etc/environment):', '');
  out.push('| id | finding | weight | ATT&CK |', '| --- | --- | --- | --- |');
  for (const r of persistenceFindings()) out.push(`| ${r.id} | ${cell(r.title)} | ${r.weight} | ${r.attack.join(', ')} |`);
  return out.join('\n');
}

/** Every command's --help, as `minewatch CMD --help` prints it. */
export function optionsSection(): string {
  const out: string[] = [];
  for (const c of COMMANDS) out.push(`\`minewatch${c.name ? ` ${c.name}` : ''} --help\`:`, '', '```', formatHelp(c).trimEnd(), '```', '');
  return out.join('\n').trimEnd();
}

/** The scan synopsis. */
export function scanUsageSection(): string {
  return ['```', ...synopsis(SCAN), '```'].join('\n');
}

export const SECTIONS: Record<string, () => string> = {
  keys: keysSection, findings: findingsSection, 'scan-usage': scanUsageSection, options: optionsSection,
  cost: () => costSection(),
  // the same table at 20,000 processes (runs saved as scale-N.json)
  scale: () => costSection(loadRuns(resultsDir(), 'scale-')),
};

/** Replace every `<!-- generated:NAME -->…<!-- /generated:NAME -->` block with fresh content. */
export function regenerate(readme: string): string {
  let text = readme;
  for (const [name, make] of Object.entries(SECTIONS)) {
    const re = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!re.test(text)) throw new Error(`README has no generated:${name} block`);
    text = text.replace(re, `$1\n${make()}\n$2`);
  }
  return text;
}
