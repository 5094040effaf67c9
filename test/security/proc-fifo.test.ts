// Issue 9, item 9: a FIFO planted as /proc/N/stat or cmdline (or any other file of a --proc tree) must
// not block `scan`, `inspect` or the dashboard. A blocked open(2) would freeze the whole Node thread, so
// each case runs the real binary as a child of this test, under a timeout that kills that child (by its
// PID) and fails the test.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcTree } from '../../src/procfs/fake';
import { BIN } from '../helpers/cli';
import { startPty, type PtySession } from '../helpers/pty';

const LIMIT_MS = 15_000;
let tree: ProcTree | null = null;
let session: PtySession | null = null;
afterEach(() => {
  session?.kill('SIGKILL');
  session = null;
  tree?.cleanup();
  tree = null;
});

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

/** The binary, killed (SIGKILL, by the PID this call spawned) if it outlives LIMIT_MS. */
function run(args: string[]): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: LIMIT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 }));
  });
}

const VICTIM = 4100;
const NEIGHBOUR = 4101;

/** A host with two user processes; every per-process and host file of VICTIM's that a reader opens is a FIFO. */
function hostileTree(): ProcTree {
  const t = new ProcTree().withBaseSystem();
  t.add({ pid: VICTIM, comm: 'victim', uid: 1001, cmdline: ['./victim', '--x'], exe: '/home/abc/victim', cwd: '/home/abc' });
  t.add({ pid: NEIGHBOUR, comm: 'bash', uid: 1001, cmdline: ['-bash'], exe: '/usr/bin/bash', cwd: '/home/abc' });
  for (const f of ['stat', 'cmdline', 'status', 'environ', 'cgroup', 'comm', 'maps', 'schedstat', 'io']) t.fifo(VICTIM, f);
  t.procFile(`${VICTIM}/fd/.keep`, '');
  for (const f of ['tcp', 'tcp6', 'udp', 'udp6']) t.fifo(VICTIM, `net/${f}`);
  t.fifo(VICTIM, 'fdinfo/0');
  return t;
}

describe('FIFOs in a --proc tree (issue 9, item 9)', () => {
  it('the fixture really holds FIFOs (a test that cannot fail is a defect)', () => {
    tree = hostileTree();
    for (const f of ['stat', 'cmdline', 'status', 'net/tcp']) expect(statSync(join(tree.proc, String(VICTIM), f)).isFIFO()).toBe(true);
  });

  it('scan --json finishes, and the process with a FIFO stat is left out while its neighbour is read', async () => {
    tree = hostileTree();
    const r = await run(['scan', '--json', '--all', '--proc', tree.proc, '--root', tree.root, '--sample', '0']);
    expect(r.signal, `killed after ${LIMIT_MS} ms: scan blocked`).toBeNull();
    const report = JSON.parse(r.stdout) as { processes: { pid: number; cmdline: string[] }[] };
    expect(report.processes.find((p) => p.pid === NEIGHBOUR)?.cmdline).toEqual(['-bash']);
    expect(report.processes.some((p) => p.pid === VICTIM)).toBe(false);
  });

  it('a FIFO cmdline, status or environ with a readable stat: the process is listed, those facts are empty', async () => {
    tree = hostileTree();
    tree.rewriteStat({ pid: VICTIM, comm: 'victim', uid: 1001 });
    const r = await run(['scan', '--json', '--all', '--proc', tree.proc, '--root', tree.root, '--sample', '0']);
    expect(r.signal).toBeNull();
    const report = JSON.parse(r.stdout) as { processes: { pid: number; cmdline: string[]; uid: number | null; user: string }[] };
    const victim = report.processes.find((p) => p.pid === VICTIM);
    expect(victim).toMatchObject({ cmdline: [], uid: null, user: '?' });
  });

  it('inspect finishes on a process whose files are FIFOs, and says which sections failed', async () => {
    tree = hostileTree();
    tree.rewriteStat({ pid: VICTIM, comm: 'victim', uid: 1001 });
    const r = await run(['inspect', String(VICTIM), '--proc', tree.proc, '--root', tree.root]);
    expect(r.signal, `killed after ${LIMIT_MS} ms: inspect blocked`).toBeNull();
    expect(r.stdout).toMatch(new RegExp(`Process ${VICTIM}`));
    expect(r.stdout).toMatch(/Identity: unavailable/);
  });

  it('inspect of the process with a FIFO stat finishes too', async () => {
    tree = hostileTree();
    const r = await run(['inspect', String(VICTIM), '--proc', tree.proc, '--root', tree.root]);
    expect(r.signal).toBeNull();
    expect(r.stdout + r.stderr).toMatch(new RegExp(String(VICTIM)));
  });

  it('the dashboard draws its first frame and quits on q', async () => {
    tree = hostileTree();
    session = startPty(process.execPath, [BIN, '--interval', '500', '--proc', tree.proc, '--root', tree.root], { cols: 120, rows: 30 });
    await session.waitForText('minewatch ·', LIMIT_MS);
    await session.waitForText(/\b4101\b/, LIMIT_MS);
    session.write('q');
    expect(await session.waitForExit(LIMIT_MS)).toBe(0);
  });

  it('host-wide files as FIFOs (stat, uptime, loadavg, meminfo, mountinfo, net tables) do not block the reader', async () => {
    tree = hostileTree();
    for (const f of ['stat', 'uptime', 'loadavg', 'meminfo', 'self/mountinfo', 'net/tcp', 'net/tcp6', 'net/sockstat']) tree.procFifo(f);
    const r = await run(['scan', '--json', '--all', '--proc', tree.proc, '--root', tree.root, '--sample', '0']);
    expect(r.signal, `killed after ${LIMIT_MS} ms: scan blocked`).toBeNull();
    expect(JSON.parse(r.stdout).processes.some((p: { pid: number }) => p.pid === NEIGHBOUR)).toBe(true);
  });
});
