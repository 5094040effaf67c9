// Deep-scan logic on fixture trees: a PID missing from the listing, threads sorted out, the CPU
// accounting gap from fixture samples, kernel taint and modules.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accountedTicks, gapWindow, judgeGap, measureCpuGap, takeGapSample, type GapSample } from '../../src/deep/cpugap';
import { findHiddenProcesses } from '../../src/deep/hidden';
import { deepFindings, formatDeep, runDeepScan } from '../../src/deep/index';
import { checkKernel, decodeTaint } from '../../src/deep/kernel';
import { listPids, parseModules, parseProcTimes } from '../../src/procfs/kernel';
import { ProcTree } from '../../src/procfs/fake';
import { turnsWhile } from '../helpers/turns';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

/** A listing that leaves some PIDs out, as a readdir hook would. */
const hiding = (...pids: number[]) => (procRoot: string) => {
  const s = listPids(procRoot);
  for (const p of pids) s.delete(p);
  return s;
};

function statusWithTgid(tree: ProcTree, pid: number, tgid: number): void {
  tree.procFile(`${pid}/status`, `Name:\tminer\nTgid:\t${tgid}\nPid:\t${pid}\nPPid:\t1\nUid:\t1001\t1001\t1001\t1001\n`);
}

describe('hidden processes', () => {
  it('reports a PID that answers but is missing from the listing, with what it runs', async () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 4242, comm: 'kswapd0', uid: 1001, exe: '/tmp/.x/kswapd0', cmdline: ['./kswapd0', '-o', 'pool:3333'], cwd: '/tmp/.x' });
    tree.add({ pid: 500, comm: 'bash', uid: 1001 });
    tree.procFile('sys/kernel/pid_max', '5000\n');
    const r = await findHiddenProcesses({ procRoot: tree.proc, list: hiding(4242), verifyDelayMs: 1 });
    expect(r.pidMax).toBe(5000);
    expect(r.complete).toBe(true);
    expect(r.probedUpTo).toBe(4999);
    expect(r.hidden.map((h) => h.pid)).toEqual([4242]);
    expect(r.hidden[0].brief.exe).toBe('/tmp/.x/kswapd0');
    expect(r.hidden[0].brief.cmdline).toEqual(['./kswapd0', '-o', 'pool:3333']);
    const [f] = deepFindings(r, null, { release: null, tainted: 0, taints: [], modules: null, onDisk: null, withoutFile: [], hiddenFromList: [] });
    expect(f).toMatchObject({ id: 'H40', pid: 4242, severity: 'critical' });
    expect(f.explanation).toMatch(/PID 4242 \(uid 1001\) runs \/tmp\/\.x\/kswapd0 but is missing from the \/proc listing/);
  });

  it('nothing is hidden when the listing is complete (the probe sees only listed PIDs)', async () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 4242, comm: 'x', uid: 1001 });
    const r = await findHiddenProcesses({ procRoot: tree.proc, limit: 5000, verifyDelayMs: 1 });
    expect(r.hidden).toEqual([]);
    expect(r.candidates).toBe(0);
  });

  it('a thread of a listed process is not hidden; a thread whose leader is unlisted reveals the leader', async () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 600, comm: 'python3', uid: 1001, threads: 2 });
    tree.procFile('600/task/600/stat', '');
    tree.procFile('600/task/601/stat', '');
    tree.add({ pid: 601, comm: 'python3', uid: 1001 }); // /proc/601 answers (a thread): listed via 600's task/
    tree.add({ pid: 700, comm: 'miner', uid: 1001, exe: '/dev/shm/m' });
    tree.add({ pid: 701, comm: 'miner', uid: 1001 });
    statusWithTgid(tree, 701, 700);
    tree.add({ pid: 800, comm: 'worker', uid: 1001 });
    statusWithTgid(tree, 800, 600); // a thread of a listed process, not in its task/ (born meanwhile)
    // the listing shows 600 but neither its thread 601, nor 700 (hidden) nor its thread 701, nor 800
    const r = await findHiddenProcesses({ procRoot: tree.proc, limit: 1000, list: hiding(601, 700, 701, 800), verifyDelayMs: 1 });
    expect(r.knownThreads).toBe(1);
    expect(r.hidden.map((h) => [h.pid, h.foundVia])).toEqual([[700, 'probe']]);
    const viaThread = await findHiddenProcesses({ procRoot: tree.proc, limit: 701 + 1, list: hiding(601, 700, 701, 800), verifyDelayMs: 1, chunk: 100 });
    expect(viaThread.hidden.map((h) => h.pid)).toEqual([700]);
  });

  it('a PID listed again at the re-check (born during the probe) is not reported', async () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 900, comm: 'new', uid: 1001 });
    let calls = 0;
    const list = (root: string) => (++calls === 1 ? hiding(900)(root) : hiding()(root));
    const r = await findHiddenProcesses({ procRoot: tree.proc, limit: 1000, list, verifyDelayMs: 1 });
    expect(r.candidates).toBe(1);
    expect(r.hidden).toEqual([]);
  });

  it('stops at the time budget and says how far it got', async () => {
    tree = new ProcTree().withBaseSystem();
    const r = await findHiddenProcesses({ procRoot: tree.proc, limit: 4_000_000, budgetMs: 0, chunk: 1000, verifyDelayMs: 1 });
    expect(r.complete).toBe(false);
    expect(r.probedUpTo).toBeLessThan(4_000_000);
    expect(r.probedUpTo).toBeGreaterThanOrEqual(1000);
  });
});

const sample = (at: number, taskTicks: number, procs: [number, number, number, number][]): GapSample => ({
  at, taskTicks, procs: new Map(procs.map(([pid, start, own, reaped]) => [pid, { startTicks: start, own, reaped, comm: 'x' }])),
});

describe('CPU accounting gap', () => {
  it('reads utime, stime, cutime and cstime', () => {
    const t = parseProcTimes('42 (a b) S 1 42 42 0 -1 4194560 0 0 0 0 150 50 30 20 20 0 1 0 777 0 0\n');
    expect(t).toEqual({ startTicks: 777, own: 200, reaped: 50, comm: 'a b' });
  });

  it('charges what listed processes ran and reaped; a reaped child is not counted twice', () => {
    const a = sample(0, 1000, [[1, 5, 100, 0], [10, 7, 50, 0], [11, 8, 30, 0]]);
    // 10 ran 20 ticks; 11 ran 10 more and exited, reaped by 1 (its 40 ticks land in 1's reaped);
    // 12 was born and ran 5
    const b = sample(1000, 1000 + 35, [[1, 5, 100, 40], [10, 7, 70, 0], [12, 9, 5, 0]]);
    expect(accountedTicks(a, b)).toBe(20 + 10 + 5);
    expect(gapWindow(a, b, 100).gapPct).toBeCloseTo(0);
  });

  it('a hidden busy process leaves a gap; a PID reused by another process counts afresh', () => {
    const a = sample(0, 0, [[1, 5, 100, 0], [20, 7, 500, 0]]);
    const b = sample(2000, 160, [[1, 5, 110, 0], [20, 99, 30, 0]]); // 20 is a new process (start 99)
    // kernel ran 160 ticks in 2 s = 80% of a core; charged: 10 (pid 1) + 30 (new 20) - 500 (old 20 gone, its time lost) -> negative; use only live ones
    const w = gapWindow(a, b, 100);
    expect(w.kernelPct).toBeCloseTo(80);
    const c = sample(2000, 160, [[1, 5, 110, 0], [20, 7, 520, 0]]);
    const w2 = gapWindow(a, c, 100);
    expect(w2.accountedPct).toBeCloseTo(15);
    expect(w2.gapPct).toBeCloseTo(65);
  });

  it('sustained means the median window is over the threshold: one odd window moves nothing', () => {
    const win = (gapPct: number) => ({ ms: 1000, kernelPct: 100, accountedPct: 100 - gapPct, gapPct, processes: 10 });
    expect(judgeGap([win(60), win(2), win(55)], 10)).toMatchObject({ sustained: true, sustainedGapPct: 55 });
    expect(judgeGap([win(40), win(1), win(3)], 10)).toMatchObject({ sustained: false, sustainedGapPct: 3 });
    expect(judgeGap([], 10).sustained).toBe(false);
  });

  it('a sample sweeps every listed process, handing the event loop turns as it goes (keys are answered during it)', async () => {
    tree = new ProcTree().withBaseSystem();
    for (let i = 0; i < 200; i++) tree.add({ pid: 6000 + i, comm: 'sleep', ppid: 1, uid: 1001, cmdline: ['sleep', '60'], utime: i });
    const sample = takeGapSample(tree.proc, undefined, 0);
    const turns = await turnsWhile(sample);
    const s = await sample;
    expect(s!.procs.size).toBeGreaterThan(200);
    expect(s!.procs.get(6199)?.own).toBe(199);
    expect(turns).toBeGreaterThan(200);
  });

  it('measures over a fixture tree whose /proc/stat moves while no process does', async () => {
    tree = new ProcTree().withBaseSystem();
    let n = 0;
    const list = (root: string) => {
      // each sample reads /proc/stat around the listing: advance the machine's task time by 50 ticks per sample
      tree.procFile('stat', `cpu  ${1000 + 50 * ++n} 0 0 5000 0 0 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n`);
      return hiding()(root);
    };
    const g = await measureCpuGap({ procRoot: tree.proc, windows: 2, windowMs: 5, list, clockTicks: 100, thresholdPct: 10 });
    expect(g!.windows).toHaveLength(2);
    for (const w of g!.windows) expect(w.gapPct).toBeGreaterThan(100); // 50 ticks in a few ms: far above a core
    expect(g!.sustained).toBe(true);
  });
});

describe('kernel taint and modules', () => {
  it('decodes the taint mask', () => {
    expect(decodeTaint(4097).map((t) => t.letter)).toEqual(['P', 'O']);
    expect(decodeTaint(0)).toEqual([]);
  });

  it('parses /proc/modules with taint letters', () => {
    const m = parseModules('nvidia 54001664 1 nvidia_uvm, Live 0xffffffffc1000000 (POE)\next4 1 2 - Live 0x0\n');
    expect(m).toEqual([
      { name: 'nvidia', size: 54001664, state: 'Live', taints: 'POE' },
      { name: 'ext4', size: 1, state: 'Live', taints: '' },
    ]);
  });

  it('finds a loaded module with no file on disk and one hidden from the list', () => {
    tree = new ProcTree().withBaseSystem();
    tree.procFile('sys/kernel/tainted', '12288\n');
    tree.procFile('modules', 'ext4 1000 1 - Live 0x0\nnvidia_uvm 2000 0 - Live 0x0 (PO)\ndiamorphine 3000 0 - Live 0x0 (OE)\n');
    tree.file('lib/modules/6.1.0-fixture/kernel/fs/ext4/ext4.ko.zst', '');
    tree.file('lib/modules/6.1.0-fixture/updates/dkms/nvidia-uvm.ko', '');
    for (const m of ['ext4', 'nvidia_uvm', 'diamorphine', 'reptile']) tree.file(`sys/module/${m}/initstate`, 'live\n');
    tree.file('sys/module/printk/parameters/time', 'Y\n'); // built-in: no initstate
    const k = checkKernel({ procRoot: tree.proc, root: tree.root });
    expect(k.taints.map((t) => t.letter)).toEqual(['O', 'E']);
    expect(k.withoutFile.map((m) => m.name)).toEqual(['diamorphine']);
    expect(k.hiddenFromList).toEqual(['reptile']);
    const f = deepFindings({ pidMax: 1, probedUpTo: 0, complete: true, listed: 0, knownThreads: 0, candidates: 0, hidden: [], ms: 0 }, null, k);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['H46', 'low'], ['H47', 'high'], ['H48', 'critical']]);
    expect(f[1].explanation).toMatch(/module diamorphine is loaded \(taint OE\) but no file for it exists under \/lib\/modules\/6\.1\.0-fixture/);
  });

  it('says plainly when the kernel has no loadable modules', () => {
    tree = new ProcTree().withBaseSystem();
    const k = checkKernel({ procRoot: tree.proc, root: tree.root });
    expect(k.modules).toBeNull();
    expect(k.withoutFile).toEqual([]);
  });
});

describe('the whole deep scan on a fixture', () => {
  it('reports hidden PID, gap figures and kernel in text and findings', async () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 4242, comm: 'x', uid: 1001, exe: '/tmp/x' });
    const r = await runDeepScan({ procRoot: tree.proc, root: tree.root, limit: 5000, list: hiding(4242), verifyDelayMs: 1, gapWindows: 1, gapWindowMs: 5 });
    expect(r.findings.map((f) => f.id)).toContain('H40');
    const text = formatDeep(r).join('\n');
    expect(text).toMatch(/probed \/proc\/1\.\.4999 of pid_max 32768/);
    expect(text).toMatch(/1 hidden/);
    expect(text).toMatch(/HIGH|CRITICAL/);
  });
});
