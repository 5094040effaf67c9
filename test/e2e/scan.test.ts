// End to end: real, harmless masquerading processes of our own, scanned by the real binary.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { severityRank, type Severity } from '../../src/model';
import type { ScanReport } from '../../src/scan/report';
import { runCli } from '../helpers/cli';
import { spawnEscapeNamed, spawnFakeMiner, spawnFakeSshd, waitFor, type Spawned } from '../helpers/masquerade';
import { ProcTree } from '../../src/procfs/fake';

const isRoot = process.getuid?.() === 0;
let miner: Spawned;
let sshd: Spawned;
let escaped: Spawned;
let busy: ReturnType<typeof spawn>;
let report: ScanReport;

beforeAll(async () => {
  miner = await spawnFakeMiner({ asNobody: true, burnCpu: true, lifetimeSec: 90 });
  sshd = await spawnFakeSshd({ asNobody: true, lifetimeSec: 90 });
  escaped = await spawnEscapeNamed('x\x1b[31mRED\x1b[2J', { lifetimeSec: 90 });
  // A benign CPU-heavy job of ours: an honest interpreter running inline code, capped at 60 s.
  busy = spawn('python3', ['-c', 'import time\nt=time.time()\nwhile time.time()-t<60: pass'], { stdio: 'ignore' });
  await waitFor(() => busy.pid !== undefined, 2000);
  const r = await runCli(['scan', '--json', '--all', '--sample', '700']);
  expect(r.stderr).toBe('');
  report = JSON.parse(r.stdout);
}, 30_000);

afterAll(async () => {
  if (busy?.pid) try { process.kill(busy.pid, 'SIGKILL'); } catch { /* already gone */ }
  await Promise.all([miner?.kill(), sshd?.kill(), escaped?.kill()]);
});

const find = (pid: number) => report.processes.find((p) => p.pid === pid)!;
const ids = (pid: number) => find(pid).findings.map((f) => f.id);

describe('minewatch scan --json on the live system', () => {
  it('reports version 1 with host facts', () => {
    expect(report.version).toBe(1);
    expect(report.host.root).toBe(isRoot);
    expect(Array.isArray(report.persistence)).toBe(true);
    expect(new Date(report.scannedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('flags the fake rcu-sched miner critical with the incident indicators', () => {
    const p = find(miner.pid);
    expect(p.name).toBe('rcu-sched');
    expect(p.severity).toBe('critical');
    // (H34, CPU >= 50%, is not required: two cores shared with parallel test files can starve the burner)
    expect(ids(miner.pid)).toEqual(expect.arrayContaining(['H01', 'H10', 'H11', 'H12', 'H30', 'H31']));
    if (isRoot) expect(ids(miner.pid)).toContain('H17'); // nobody, a service account, runs a program from a directory it can write
    expect(p.cpuPercent).toBeGreaterThan(0); // it burns; how much it gets depends on what else runs
  });

  it('flags the fake sshd script high or critical as a daemon impostor', () => {
    const p = find(sshd.pid);
    expect(p.name).toBe('sshd');
    expect(severityRank(p.severity)).toBeGreaterThanOrEqual(severityRank('high'));
    expect(ids(sshd.pid)).toEqual(expect.arrayContaining(['H02', 'H10', 'H11', 'H12']));
    expect(p.findings.find((f) => f.id === 'H02')!.explanation).toMatch(/running the script \.\/sshd/);
  });

  it('does not call a CPU-heavy interpreter job high', () => {
    const p = find(busy.pid!);
    expect(p).toBeDefined();
    expect(severityRank(p.severity as Severity)).toBeLessThan(severityRank('high'));
  });

  it('--threads 2 reads each process on worker threads as the main thread does (as a large host would)', async () => {
    // (the identities are read on threads inside the sample window: --sample 0 has none)
    const r = await runCli(['scan', '--json', '--all', '--sample', '100', '--threads', '2']);
    expect(r.stderr).toBe('');
    const threaded: ScanReport = JSON.parse(r.stdout);
    // a worker that failed, or a build without the worker's program, says so here
    expect(threaded.warnings.filter((w) => /worker/.test(w))).toEqual([]);
    for (const pid of [miner.pid, sshd.pid, escaped.pid]) { // (not the python job: a pyenv shim may still have been exec'ing it in the first report)
      const p = threaded.processes.find((x) => x.pid === pid)!;
      const q = find(pid);
      expect(p).toBeDefined();
      expect({ user: p.user, cmdline: p.cmdline, exe: p.exe, cwd: p.cwd }).toEqual({ user: q.user, cmdline: q.cmdline, exe: q.exe, cwd: q.cwd });
      expect(p.cmdline.length).toBeGreaterThan(0);
    }
    // what only identity reads give: the miner's launch from its hidden directory
    expect(threaded.processes.find((x) => x.pid === miner.pid)!.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['H01', 'H10', 'H11']));
  });

  it('escapes the control characters of a hostile process name', async () => {
    const p = find(escaped.pid);
    expect(p.name).toBe('x\x1b[31mRED\x1b[2J'.slice(0, 15));
    const text = await runCli(['scan', '--all', '--sample', '0']);
    expect(text.stdout).not.toContain('\x1b');
    expect(text.stdout).toContain('x\\x1b[31mRED\\x1b[2J');
    const json = await runCli(['scan', '--json', '--all', '--sample', '0']);
    expect(json.stdout).not.toContain('\x1b');
    expect(json.stdout).toContain('\\u001b[31mRED');
  });
});

describe('exit codes', () => {
  it('1 when something reaches --fail-on', async () => {
    const r = await runCli(['scan', '--sample', '0', '--fail-on', 'critical']);
    expect(r.code).toBe(1); // our own fake miner is running
    expect(r.stdout).toContain('rcu-sched');
  });

  it('0 on a clean fixture host', async () => {
    const tree = new ProcTree().withBaseSystem();
    try {
      const r = await runCli(['scan', '--proc', tree.proc, '--root', tree.root, '--sample', '0']);
      expect(r.stdout).toContain('Nothing suspicious found.');
      expect(r.code).toBe(0);
    } finally {
      tree.cleanup();
    }
  });

  it('on an RPM host, reads rpm\'s database in each of its formats, and says once when it cannot', async () => {
    const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/rpm', name));
    const hosts = [
      new ProcTree().withBaseSystem().file('var/lib/rpm/rpmdb.sqlite', fixture('plain.sqlite')),
      new ProcTree().withBaseSystem().file('var/lib/rpm/Packages', fixture('plain.bdb')),
      new ProcTree().withBaseSystem().file('var/lib/rpm/Packages.db', fixture('plain.ndb')),
    ];
    const broken = new ProcTree().withBaseSystem().file('var/lib/rpm/Packages', Buffer.alloc(4096));
    try {
      for (const host of hosts) {
        // systemd, at /usr/lib/systemd/systemd, is in each database: no daemon impostor, no warning
        const read = await runCli(['scan', '--proc', host.proc, '--root', host.root, '--sample', '0']);
        expect(read.stdout).toContain('Nothing suspicious found.');
        expect(read.stdout).not.toMatch(/who installed a file/);
      }
      const unread = await runCli(['scan', '--proc', broken.proc, '--root', broken.root, '--sample', '0']);
      expect(unread.stdout.match(/^warning: who installed a file is unknown here: rpm database not readable \(.*var\/lib\/rpm\/Packages: not a Berkeley DB hash database\)/gm)).toHaveLength(1);
      expect(unread.code).toBe(0);
    } finally {
      for (const host of [...hosts, broken]) host.cleanup();
    }
  });

  it('2 with a clear message on a usage error or an unreadable /proc, never a stack trace', async () => {
    const bad = await runCli(['scan', '--fail-on', 'bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fail-on must be one of/);
    const missing = await runCli(['scan', '--proc', '/nonexistent-proc']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot list \/nonexistent-proc/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.runIf(isRoot)('not root', () => {
  it('says once how many executables could not be read', async () => {
    const r = await runCli(['scan', '--json', '--sample', '0'], { uid: 65534, gid: 65534, cwd: '/' });
    const rep: ScanReport = JSON.parse(r.stdout);
    // The host may run flagged processes of its own: the exit status must agree with what was reported.
    const atLeastHigh = (s: string) => s === 'high' || s === 'critical';
    const found = rep.processes.some((p) => atLeastHigh(p.severity)) || rep.persistence.some((e) => atLeastHigh(e.severity));
    expect(r.code).toBe(found ? 1 : 0);
    expect(rep.host.root).toBe(false);
    const notes = rep.warnings.filter((w) => /Not root/.test(w));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/executables of \d+ processes could not be read/);
  });
});
