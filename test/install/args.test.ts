// The option tables (src/cli/args.ts) parse the arguments, print --help and write the man page.
import { describe, expect, it } from 'vitest';
import { allOptions, COMMANDS, DASHBOARD, formatHelp, formatMainHelp, INSPECT, parseArgs, SCAN, SIMULATE, synopsis, UsageError } from '../../src/cli/args';

describe('parseArgs', () => {
  it('reads --flag, --name value, --name=value, -h and operands, keyed by long name', () => {
    expect(parseArgs(['--json', '--sample', '0', '--fail-on=critical', '-h'], SCAN)).toEqual({
      flags: { json: true, sample: '0', 'fail-on': 'critical', help: true }, positional: [],
    });
    expect(parseArgs(['--json', '123'], INSPECT)).toEqual({ flags: { json: true }, positional: ['123'] });
    expect(parseArgs(['--', '--json'], INSPECT)).toEqual({ flags: {}, positional: ['--json'] });
  });

  it('refuses what the table does not have, a missing value and a value on a switch', () => {
    expect(() => parseArgs(['--bogus'], SCAN)).toThrow(new UsageError('unknown option --bogus'));
    expect(() => parseArgs(['-x'], SCAN)).toThrow(/unknown option -x/);
    expect(() => parseArgs(['--deep'], INSPECT)).toThrow(/unknown option --deep/); // scan's, not inspect's
    expect(() => parseArgs(['--sample'], SCAN)).toThrow(/--sample needs a value \(MS\)/);
    expect(() => parseArgs(['--json=yes'], SCAN)).toThrow(/--json takes no value/);
  });
});

describe('the tables', () => {
  it('keep every option each command had (nothing may lose a flag)', () => {
    const names = (c: typeof SCAN) => allOptions(c).map((o) => o.name).sort();
    expect(names(DASHBOARD)).toEqual(['evidence-dir', 'filter', 'flagged', 'help', 'interval', 'no-color', 'no-gpu', 'no-renice', 'proc', 'readonly', 'root']);
    expect(names(SCAN)).toEqual(['all', 'container', 'deep', 'deep-budget', 'fail-on', 'format', 'help', 'json', 'no-gpu', 'output', 'proc', 'root', 'sample', 'textfile-dir', 'threads']);
    expect(names(INSPECT)).toEqual(['help', 'json', 'proc', 'root']);
    expect(names(SIMULATE)).toEqual(['as-nobody', 'duration', 'help', 'persistence', 'state-dir', 'stop']);
  });

  it('have unique names and letters, and help for each option', () => {
    for (const c of COMMANDS) {
      const opts = allOptions(c);
      expect(new Set(opts.map((o) => o.name)).size, c.name).toBe(opts.length);
      const shorts = opts.map((o) => o.short).filter(Boolean);
      expect(new Set(shorts).size, c.name).toBe(shorts.length);
      for (const o of opts) {
        expect(o.name, c.name).toMatch(/^[a-z][a-z0-9-]*$/);
        expect(o.help.length, `${c.name} --${o.name}`).toBeGreaterThan(5);
      }
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('print help that fits 80 columns and names every option', () => {
    for (const c of COMMANDS) {
      const help = formatHelp(c);
      for (const l of help.split('\n')) expect(l.length, `${c.name}: ${l}`).toBeLessThanOrEqual(80);
      for (const o of allOptions(c)) expect(help).toContain(`--${o.name}${o.value ? ` ${o.value}` : ''}`);
      expect(help.startsWith(`Usage: ${synopsis(c)[0]}`)).toBe(true);
    }
    const main = formatMainHelp('9.9.9');
    expect(main).toMatch(/^minewatch 9\.9\.9: /);
    for (const c of COMMANDS) if (c.name) expect(main).toContain(`minewatch ${c.name}`);
  });
});
