// End to end: the command line itself, for both targets (node dist/minewatch.js and the single
// executable, see test/helpers/cli.ts): --version, every --help (generated from the option tables),
// usage errors, and scan + inspect on the incident's fixture host (a fake /proc and root in a temp dir).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, CRON_LINE, LAUNCHER_PID, MINER_PID, type FixtureHost } from '../../scripts/screenshot-fixture';
import { COMMANDS, formatHelp, formatMainHelp } from '../../src/cli/args';
import type { ScanReport } from '../../src/scan/report';
import { minewatchCommand, REPO, runCli, TARGET } from '../helpers/cli';

let host: FixtureHost;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mw-cli-'));
  host = createFixture(join(work, 'host'));
});

afterAll(() => {
  host?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;

describe(`minewatch (${TARGET})`, () => {
  it('--version says the version, the commit it was built from, and the Node.js inside', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const [v, commit, node, flags] = r.stdout.trimEnd().split('\n');
    expect(v).toBe(`minewatch ${version}`);
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    expect(commit).toMatch(new RegExp(`^commit ${head}(-dirty)?$`));
    // the binary runs with the V8 flags of scripts/runtime-flags.mjs (its execArgv), as the shebang does
    const { RUNTIME_FLAGS } = (await import(join(REPO, 'scripts/runtime-flags.mjs') as string)) as { RUNTIME_FLAGS: string[] };
    if (TARGET === 'binary') {
      expect(node).toMatch(/^Node\.js v24\.\d+\.\d+ \(inside this single executable\)$/);
      expect(flags).toBe(`runtime flags ${RUNTIME_FLAGS.join(' ')}`);
    } else {
      expect(node).toBe(`Node.js ${process.version} (${process.execPath})`);
      expect(readFileSync(join(REPO, 'dist/minewatch.js'), 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${RUNTIME_FLAGS.join(' ')}`);
    }
    expect((await runCli(['-V'])).stdout).toBe(r.stdout);
  });

  it.runIf(TARGET === 'binary')('runs with no node on PATH, from a directory outside the checkout', () => {
    const c = minewatchCommand(['--version']);
    expect(spawnSync('sh', ['-c', 'command -v node || command -v nodejs'], { env: c.env }).status).not.toBe(0);
    expect(spawnSync('sh', ['-c', 'command -v sh && command -v python3'], { env: c.env }).status).toBe(0);
    expect(c.cwd!.startsWith(REPO)).toBe(false);
  });

  it('--help lists every command; each command\'s --help is its option table', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toBe(formatMainHelp(version));
    for (const c of COMMANDS.filter((x) => x.name)) {
      const r = await runCli([c.name, '--help']);
      expect(r.code, c.name).toBe(0);
      expect(r.stdout).toBe(formatHelp(c));
      for (const o of c.options) expect(r.stdout).toContain(`--${o.name}`);
    }
    expect((await runCli(['help', 'scan'])).stdout).toBe(formatHelp(COMMANDS.find((c) => c.name === 'scan')!));
    expect((await runCli(['inspect', '-h'])).stdout).toBe(formatHelp(COMMANDS.find((c) => c.name === 'inspect')!));
    // the dashboard's own options (minewatch --help is the overview)
    const dash = await runCli(['--interval', '500', '-h']);
    expect(dash.stdout).toBe(formatHelp(COMMANDS.find((c) => c.name === '')!));
  });

  it('a usage error exits 2 with one line and no stack trace', async () => {
    const r = await runCli(['scan', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('minewatch: unknown option --bogus\n(see minewatch --help)\n');
    const v = await runCli(['scan', '--sample']);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/--sample needs a value \(MS\)/);
  });

  it('scan --json on the incident host: both impostors critical, the crontab line linked both ways', async () => {
    const r = await runCli(['scan', '--json', '--proc', host.proc, '--root', host.root, '--sample', '0']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // critical >= the default --fail-on high
    const report: ScanReport = JSON.parse(r.stdout);
    const miner = report.processes.find((p) => p.pid === MINER_PID)!;
    const launcher = report.processes.find((p) => p.pid === LAUNCHER_PID)!;
    expect(miner.severity).toBe('critical');
    expect(miner.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['H01', 'H30', 'H31', 'H11', 'H12']));
    expect(launcher.severity).toBe('critical');
    expect(launcher.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['H02', 'H13']));
    const cron = report.persistence.find((e) => e.path === '/var/spool/cron/crontabs/abc')!;
    expect(cron.raw).toBe(CRON_LINE);
    expect(cron.runningPids).toEqual(expect.arrayContaining([MINER_PID, LAUNCHER_PID]));
    expect(miner.startedBy[0].label).toMatch(/^crontab of abc, line \d+$/);
  });

  it('inspect on the incident host: identity, the pool connection, the crontab that starts it', async () => {
    const r = await runCli(['inspect', String(MINER_PID), '--proc', host.proc, '--root', host.root]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Process 48213 "rcu-sched"/);
    expect(r.stdout).toMatch(/user\s+abc \(uid 1001\)/);
    expect(r.stdout).toMatch(/-> 203\.0\.113\.77:3333 .*\[mining pool port\]/);
    expect(r.stdout).toMatch(/^Started by\n\s+crontab of abc, line \d+ /m);
  });
});
