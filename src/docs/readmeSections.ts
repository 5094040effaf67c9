// The parts of the README that must match the code: every key (from the keybinding tables) and every
// finding (from the rule tables). `npm run docs` writes them; a test fails when the README is stale.
import { ALL_BINDINGS, GROUPS } from '../app/keymap';
import { DEEP_RULES } from '../deep/index';
import { RULES } from '../detect/index';
import { RULES as PERSISTENCE_RULES } from '../persistence/rules';

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

export function findingsSection(): string {
  const out = ['| id | finding | what it means | ATT&CK |', '| --- | --- | --- | --- |'];
  for (const r of RULES) {
    out.push(`| ${r.id} | ${cell(r.title)}${r.amplifier ? ' *(amplifier)*' : ''} | ${cell(r.describes)} | ${r.attack.join(', ')} |`);
  }
  for (const r of Object.values(DEEP_RULES)) {
    out.push(`| ${r.id} | ${cell(r.title)} | ${cell(r.describes)} | ${r.attack.join(', ')} |`);
  }
  out.push('', 'Persistence entries (crontabs, systemd units, rc scripts, shell start-up files, SSH keys, ld.so.preload):', '');
  out.push('| id | finding | weight | ATT&CK |', '| --- | --- | --- | --- |');
  for (const r of Object.values(PERSISTENCE_RULES)) out.push(`| ${r.id} | ${cell(r.title)} | ${r.weight} | ${r.attack.join(', ')} |`);
  return out.join('\n');
}

export const SECTIONS: Record<string, () => string> = { keys: keysSection, findings: findingsSection };

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
