// End to end: a crontab line in a test-owned fixture root that restarts a harmless process of ours;
// scan --json and inspect --json must link them both ways.
import { createHash } from 'node:crypto';
import { chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/scan/report';
import { runCli } from '../helpers/cli';
import { spawnFakeMiner, type Spawned } from '../helpers/masquerade';

const isRoot = process.getuid?.() === 0;
let miner: Spawned;
let root: string;
let user: string;

beforeAll(async () => {
  miner = await spawnFakeMiner({ asNobody: true, lifetimeSec: 120 });
  user = isRoot ? 'nobody' : (process.env.USER ?? 'root');
  root = mkdtempSync(join(tmpdir(), 'mw-root-'));
  mkdirSync(join(root, 'etc'));
  copyFileSync('/etc/passwd', join(root, 'etc/passwd'));
  mkdirSync(join(root, 'var/spool/cron/crontabs'), { recursive: true });
  const tab = join(root, 'var/spool/cron/crontabs', user);
  writeFileSync(tab, [
    '# m h  dom mon dow   command',
    'MAILTO=""',
    `*/5 * * * * cd ${miner.dir} && ./rcu-sched -o stratum+tcp://pool.invalid:3333 >/dev/null 2>&1`,
    '',
  ].join('\n'), { mode: 0o600 });
  if (isRoot) chownSync(tab, miner.uid, miner.uid);
}, 30_000);

afterAll(async () => {
  await miner?.kill();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('persistence linked to the running process', () => {
  it('scan --json: the process says which crontab line starts it, and the line names the running PID', async () => {
    const r = await runCli(['scan', '--json', '--root', root, '--sample', '0']);
    const report: ScanReport = JSON.parse(r.stdout);
    const p = report.processes.find((x) => x.pid === miner.pid)!;
    expect(p.startedBy).toContainEqual(expect.objectContaining({ label: `crontab of ${user}, line 3`, via: expect.stringMatching(/exe|script|cwd/) }));
    const entry = report.persistence.find((e) => e.path === `/var/spool/cron/crontabs/${user}` && e.line === 3)!;
    expect(entry).toBeDefined();
    expect(entry.runningPids).toContain(miner.pid);
    expect(entry.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['C9', 'C1', 'C7']));
    expect(entry.findings.find((f) => f.id === 'C9')!.explanation).toMatch(new RegExp(`starts rcu-sched \\(PID ${miner.pid}\\), running now and flagged critical`));
    expect(['high', 'critical']).toContain(entry.severity);
    // the text form says it too
    const text = await runCli(['scan', '--root', root, '--sample', '0']);
    expect(text.stdout).toContain(`started by: crontab of ${user}, line 3`);
    expect(text.stdout).toContain(`starts running PID ${miner.pid}`);
  });

  it('inspect --json: hashes the executable and shows the crontab line that starts the process', async () => {
    const r = await runCli(['inspect', String(miner.pid), '--json', '--root', root]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.process.pid).toBe(miner.pid);
    expect(out.process.startedBy[0].label).toBe(`crontab of ${user}, line 3`);
    expect(out.persistence[0]).toMatchObject({ line: 3 });
    expect(out.persistence[0].runningPids).toContain(miner.pid); // other tests' fake miners may share the name
    const sha = createHash('sha256').update(readFileSync(miner.path)).digest('hex');
    expect(out.inspect.executable.data.sha256).toBe(sha);
    expect(out.inspect.cwd.data).toBe(miner.dir);
  });
});
