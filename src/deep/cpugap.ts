// The CPU accounting gap: time the kernel says the CPUs spent running tasks (user + nice + system in
// /proc/stat) against the time charged to every process the /proc listing shows (their utime + stime,
// and cutime + cstime for the children they reaped), over the same interval. A process hidden from the
// listing still burns CPU the kernel counts: a gap of a sizeable share of a core that persists is
// "something is using CPU that no visible process accounts for" (alfonmga/hiding-cryptominers-linux-
// rootkit#2: the process is gone from top, the CPU is still at 100 %). irq, softirq and steal time are
// left out on both sides: no process is charged for them.
// A kernel rootkit that also hides the CPU time (hooks the accounting itself) defeats this check.
import { readAuxv } from '../procfs/host';
import { listPids, readCpuTimes, readProcTimes, type ProcTimes } from '../procfs/kernel';
import { nextTurn, runSliced, SLICE_MS, Slicer } from '../slicer';

export interface GapWindow {
  ms: number;
  /** Task time from /proc/stat, in % of one core. */
  kernelPct: number;
  /** Time charged to listed processes, in % of one core. */
  accountedPct: number;
  /** kernelPct - accountedPct. */
  gapPct: number;
  processes: number;
}

export interface CpuGap {
  windows: GapWindow[];
  /** The median gap of the windows: what was missing most of the time (one odd window moves it neither way). */
  sustainedGapPct: number;
  thresholdPct: number;
  /** The median window's gap was above the threshold (most windows were). */
  sustained: boolean;
}

/** A sample: machine task time and each listed process's times, read in that order. */
export interface GapSample {
  at: number;
  taskTicks: number;
  procs: Map<number, ProcTimes>;
}

/**
 * The machine's task time is read before and after the sweep over the processes and the mean taken:
 * the processes are read one after the other over the sweep (tens of ms on a loaded host), so the
 * midpoint lines the two up best. The sweep gives the event loop a turn every SLICE_MS (at 20,000
 * processes it reads for 120-140 ms, and the dashboard runs it while keys come in); the midpoint still
 * holds for a sweep a few turns longer.
 */
export function takeGapSample(procRoot: string, list: (procRoot: string) => Set<number> = listPids, sliceMs = SLICE_MS): Promise<GapSample | null> {
  const slicer = new Slicer(sliceMs);
  return runSliced(gapSampleSteps(procRoot, list, slicer), slicer, nextTurn);
}

function* gapSampleSteps(procRoot: string, list: (procRoot: string) => Set<number>, slicer: Slicer): Generator<void, GapSample | null, void> {
  const before = readCpuTimes(procRoot);
  if (!before) return null;
  const t0 = performance.now();
  const procs = new Map<number, ProcTimes>();
  for (const pid of list(procRoot)) {
    const t = readProcTimes(procRoot, pid);
    if (t) procs.set(pid, t);
    if (slicer.due()) yield;
  }
  const after = readCpuTimes(procRoot) ?? before;
  return { at: (t0 + performance.now()) / 2, taskTicks: (before.taskTicks + after.taskTicks) / 2, procs };
}

/**
 * Ticks charged to listed processes between two samples. A process in both (same start time) adds what
 * it ran and what it reaped; one that appeared adds all of its time (it started inside the interval);
 * one that vanished was reaped by a parent whose reaped time now holds its whole life, so its time at
 * the first sample is taken back out (else it would count twice).
 */
export function accountedTicks(a: GapSample, b: GapSample): number {
  let sum = 0;
  for (const [pid, t] of b.procs) {
    const before = a.procs.get(pid);
    if (before && before.startTicks === t.startTicks) sum += (t.own - before.own) + (t.reaped - before.reaped);
    else sum += t.own + t.reaped;
  }
  for (const [pid, t] of a.procs) {
    const after = b.procs.get(pid);
    if (!after || after.startTicks !== t.startTicks) sum -= t.own + t.reaped;
  }
  return sum;
}

export function gapWindow(a: GapSample, b: GapSample, clockTicks: number): GapWindow {
  const ms = b.at - a.at;
  const pct = (ticks: number) => (ms > 0 ? (ticks / clockTicks) / (ms / 1000) * 100 : 0);
  const kernelPct = pct(b.taskTicks - a.taskTicks);
  const accountedPct = pct(accountedTicks(a, b));
  return { ms, kernelPct, accountedPct, gapPct: kernelPct - accountedPct, processes: b.procs.size };
}

export function judgeGap(windows: GapWindow[], thresholdPct: number): CpuGap {
  const gaps = windows.map((w) => w.gapPct).sort((a, b) => a - b);
  const sustainedGapPct = gaps.length ? (gaps.length % 2 ? gaps[(gaps.length - 1) / 2] : (gaps[gaps.length / 2 - 1] + gaps[gaps.length / 2]) / 2) : 0;
  return { windows, sustainedGapPct, thresholdPct, sustained: windows.length > 0 && sustainedGapPct > thresholdPct };
}

/** Default threshold, in % of one core: above the noise of tick rounding and short-lived processes. */
export const GAP_THRESHOLD_PCT = 10;

export interface GapOptions {
  procRoot?: string;
  windowMs?: number;
  windows?: number;
  thresholdPct?: number;
  list?: (procRoot: string) => Set<number>;
  clockTicks?: number;
  onWindow?: (w: GapWindow, index: number) => void;
}

/** Consecutive windows over the same listing; the gap is sustained when most windows show it (the median). */
export async function measureCpuGap(opts: GapOptions = {}): Promise<CpuGap | null> {
  const procRoot = opts.procRoot ?? '/proc';
  const clockTicks = opts.clockTicks ?? readAuxv().clockTicks;
  const windows: GapWindow[] = [];
  let prev = await takeGapSample(procRoot, opts.list);
  if (!prev) return null;
  for (let i = 0; i < (opts.windows ?? 3); i++) {
    await new Promise((r) => setTimeout(r, opts.windowMs ?? 1000));
    const next = await takeGapSample(procRoot, opts.list);
    if (!next) return null;
    const w = gapWindow(prev, next, clockTicks);
    windows.push(w);
    opts.onWindow?.(w, i);
    prev = next;
  }
  return judgeGap(windows, opts.thresholdPct ?? GAP_THRESHOLD_PCT);
}
