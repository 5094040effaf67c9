// The man page: written from the same tables as --help, the keys and the findings; groff renders it
// without a warning; npm installs it (package.json "man") and ships it (package.json "files").
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_BINDINGS } from '../../src/app/keymap';
import { allOptions, COMMANDS } from '../../src/cli/args';
import { persistenceFindings, processFindings } from '../../src/docs/readmeSections';
import { renderManPage, roffText } from '../../src/docs/manpage';

const REPO = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const page = renderManPage(pkg.version);
const hasGroff = spawnSync('groff', ['--version'], { stdio: 'ignore' }).status === 0;

describe('minewatch.1', () => {
  it('has every option of every command, every key and every finding', () => {
    for (const c of COMMANDS) {
      for (const o of allOptions(c)) expect(page, `${c.name} --${o.name}`).toContain(`\\fB\\-\\-${roffText(o.name)}\\fR`);
      if (c.name) expect(page).toContain(`.SS "minewatch ${c.name}`);
    }
    for (const b of ALL_BINDINGS) expect(page, b.label).toContain(`.B ${roffText(b.label)}\n${roffText(b.help)}`);
    for (const f of [...processFindings(), ...persistenceFindings()]) expect(page).toContain(`.B ${f.id}\n${roffText(f.title)}`);
  });

  it('escapes what roff would read as requests or escapes', () => {
    expect(roffText('a\\b')).toBe('a\\eb');
    expect(roffText('--x ↑')).toBe('\\-\\-x \\[u2191]');
    expect(page.split('\n').filter((l) => /^[.']/.test(l)).every((l) => /^(\.\\"|\.[A-Z]{1,2}\b)/.test(l))).toBe(true);
  });

  // MINEWATCH_REQUIRE_TOOLS (set by .ci/run, which installs groff-base) makes a missing groff a failure.
  it.runIf(hasGroff || process.env.MINEWATCH_REQUIRE_TOOLS)('renders with groff -man -Tutf8 -ww without a warning', () => {
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww'], { input: page, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/.\x08/g, ''); // overstrike bold and underline
    for (const h of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'KEYS', 'FINDINGS', 'ENVIRONMENT', 'FILES', 'SEE ALSO']) expect(text).toMatch(new RegExp(`^${h}$`, 'm'));
    const scan = COMMANDS.find((c) => c.name === 'scan')!;
    const first = scan.options[0];
    expect(text).toContain(`minewatch scan [--${first.name}${first.value ? ` ${first.value}` : ''}]`); // the synopsis, from the table
    expect(text).toContain('↑ k');
  });

  it('is built beside the binary, installed by npm (package.json man) and shipped (files)', () => {
    expect(pkg.man).toEqual(['./dist/minewatch.1']);
    expect(existsSync(join(REPO, 'dist', 'minewatch.1'))).toBe(true); // npm test's pretest builds it
    expect(readFileSync(join(REPO, 'dist', 'minewatch.1'), 'utf8')).toBe(page);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const files = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/minewatch.js', 'dist/minewatch.1', 'package.json', 'README.md']));
    expect(files.some((f: string) => f.includes('minewatch-linux-x64'))).toBe(false);
  }, 30_000);
});
