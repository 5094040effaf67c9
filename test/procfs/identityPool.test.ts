// Identities read on worker threads (the scan of a large host): the same answers as the reader's own
// reads, each kept only for the process it was read for, and a failed worker's share read on the main
// thread. The worker runs the bundled program the build makes (vitest defines it as the build does).
import { afterEach, describe, expect, it } from 'vitest';
import { PF_KTHREAD, ProcTree } from '../../src/procfs/fake';
import { IDENTITY_WORKER_SOURCE, IdentityWorker, readUnreadIdentities, workersFor } from '../../src/procfs/identityPool';
import type { Identity, IdentityJob } from '../../src/procfs/identity';
import { ProcReader } from '../../src/procfs/reader';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const turn = () => new Promise<void>((r) => setImmediate(r));

/** One job on a worker of its own, stopped after. */
async function readOnWorker(job: IdentityJob, source: string, timeoutMs?: number): Promise<Identity[]> {
  const w = new IdentityWorker(source, timeoutMs);
  try {
    return await w.read(job);
  } finally {
    w.stop();
  }
}

/** A base system plus `n` processes with every identity field set, some distinct per process. */
function table(n: number): ProcTree {
  const t = new ProcTree().withBaseSystem();
  for (let i = 0; i < n; i++) {
    const pid = 1000 + i;
    t.add({
      pid, comm: `w${i}`, ppid: 1, uid: 1000 + (i % 3), cmdline: [`/opt/w/bin${i}`, '--n', String(i)], exe: `/opt/w/bin${i}`,
      cwd: i % 2 ? '/srv' : `/tmp/.d${i}`, startTicks: 100 + i, environ: i % 4 === 0 ? ['HOME=/', `LD_PRELOAD=/tmp/h${i}.so`] : ['HOME=/'],
    });
  }
  return t;
}

/** Every process's identity fields, as a full sample hands them out. */
function identities(r: ProcReader) {
  const s = r.sample();
  return [...s.processes.values()].map((p) => ({ pid: p.pid, uid: p.uid, user: p.user, cmdline: p.cmdline, exe: p.exe, exeError: p.exeError, cwd: p.cwd, cgroup: p.cgroup, preloadEnv: p.preloadEnv }))
    .sort((a, b) => a.pid - b.pid);
}

describe('identities on worker threads', () => {
  it('the build gives the worker a program of its own, small and without the dashboard', () => {
    expect(IDENTITY_WORKER_SOURCE).toContain('parentPort');
    expect(IDENTITY_WORKER_SOURCE!.length).toBeLessThan(100_000);
    expect(IDENTITY_WORKER_SOURCE).not.toMatch(/\bink\b|react/i);
  });

  it('starts workers only for a large table and never more than the cores allow', () => {
    expect(workersFor(2000, 16)).toBe(0);
    expect(workersFor(5000, 16)).toBe(1);
    expect(workersFor(20_000, 2)).toBe(1);
    expect(workersFor(20_000, 1)).toBe(0);
    expect(workersFor(20_000, 16)).toBe(3);
  });

  it('two workers and the main thread, taking chunks from one list, read what the main thread alone reads', async () => {
    tree = table(60);
    const alone = new ProcReader({ procRoot: tree.proc, root: tree.root });
    alone.sample({ statOnly: true });
    await readUnreadIdentities(alone, { slice: 7, turn, workers: 0 });
    const expected = identities(alone);

    const shared = new ProcReader({ procRoot: tree.proc, root: tree.root });
    shared.sample({ statOnly: true });
    const unread = shared.unreadIdentities;
    const r = await readUnreadIdentities(shared, { slice: 3, turn, workers: 2, chunk: 5 });
    expect(r.workers).toBe(2);
    // the workers took chunks from the same list as the main thread: both read some
    expect(r.readByWorkers).toBeGreaterThan(0);
    expect(r.readByWorkers).toBeLessThan(unread);
    expect(shared.unreadIdentities).toBe(0);
    expect(identities(shared)).toEqual(expected);
    expect(expected.find((p) => p.pid === 1004)).toMatchObject({ cmdline: ['/opt/w/bin4', '--n', '4'], cwd: '/tmp/.d4', uid: 1001, preloadEnv: { LD_PRELOAD: '/tmp/h4.so' } });
  });

  it('an identity read for a process that exec\'d or whose PID was reused meanwhile is not kept', async () => {
    tree = table(4);
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    r.sample({ statOnly: true });
    const job = r.takePending(Infinity);
    const ids = await readOnWorker(job, IDENTITY_WORKER_SOURCE!);
    expect(ids.map((id) => id.startTicks)).toEqual(job.inputs.map((i) => i.startTicks));
    // the worker's answer for 1002 describes the old process: a new one holds the PID now
    const at = job.inputs.findIndex((i) => i.pid === 1002);
    ids[at] = { ...ids[at], startTicks: 999 };
    expect(r.putIdentities(job, ids)).toBe(job.inputs.length - 1);
    // 1002 is still unread: the full sample reads it itself
    tree.add({ pid: 1002, comm: 'w2', ppid: 1, cmdline: ['/usr/bin/true'], exe: '/usr/bin/true', startTicks: 102 });
    expect(r.sample().processes.get(1002)).toMatchObject({ cmdline: ['/usr/bin/true'], exe: '/usr/bin/true' });
  });

  it('kernel threads get no command line or executable read on a worker either', async () => {
    tree = table(0);
    tree.add({ pid: 3000, comm: 'kworker/9:9', ppid: 2, flags: PF_KTHREAD, cmdline: [], exe: null, cwd: null });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    r.sample({ statOnly: true });
    await readUnreadIdentities(r, { slice: 100, turn, workers: 1 });
    expect(r.sample().processes.get(3000)).toMatchObject({ kernelThread: true, cmdline: [], exe: null, exeError: null });
  });

  it('a worker that fails leaves its share to the main thread', async () => {
    tree = table(30);
    const expected = (() => {
      const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
      return identities(r);
    })();
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    r.sample({ statOnly: true });
    const out = await readUnreadIdentities(r, { slice: 5, turn, workers: 2, source: 'throw new Error("no worker today")' });
    expect(out.readByWorkers).toBe(0);
    expect(r.unreadIdentities).toBe(0);
    expect(identities(r)).toEqual(expected);
  });

  it('a worker that never answers is stopped and counted as failed', async () => {
    tree = table(5);
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    r.sample({ statOnly: true });
    const job = r.takePending(Infinity);
    await expect(readOnWorker(job, 'setInterval(() => {}, 1000)', 300)).rejects.toThrow(/no answer in 300 ms/);
  });
});
