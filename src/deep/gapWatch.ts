// The CPU accounting gap, watched from the dashboard's own ticks: the machine's task time from
// /proc/stat against the CPU time of the processes. The reader measures it as it decides which idle
// processes may rest (snapshot.unaccountedPct: own and reaped time of every listed process); without
// that figure, two consecutive snapshots give an estimate blind to children that lived and died between
// two ticks. Either is cheap and only raises a suspicion: when its median over the last ticks is above
// the threshold, the precise measurement (measureCpuGap: reaped children included, three windows) runs
// in the background, and only a gap it confirms is shown, with its figures. Re-confirmed at most once a
// minute.
import type { Snapshot } from '../model';
import { readCpuTimes } from '../procfs/kernel';
import { GAP_THRESHOLD_PCT, measureCpuGap, type CpuGap } from './cpugap';

const TICKS = 5;
const RECONFIRM_MS = 60_000;

export interface GapStatus {
  /** The cheap per-tick estimate (median of the last ticks), % of one core. */
  estimatePct: number;
  /** The last precise measurement, when one ran. */
  confirmed: CpuGap | null;
  confirmedAt: number | null;
  checking: boolean;
}

export class GapWatch {
  private prev: { snapshot: Snapshot; taskTicks: number } | null = null;
  private readonly recent: number[] = [];
  private status: GapStatus = { estimatePct: 0, confirmed: null, confirmedAt: null, checking: false };

  constructor(private readonly procRoot = '/proc', private readonly measure: typeof measureCpuGap = measureCpuGap, private readonly now: () => number = Date.now) {}

  update(snapshot: Snapshot): GapStatus {
    // the reader's own reading of /proc/stat when it took one (the same instant as the sample)
    const taskTicks = snapshot.taskTicks ?? readCpuTimes(this.procRoot)?.taskTicks;
    if (taskTicks === undefined) return this.status;
    const cpu = { taskTicks };
    const prev = this.prev;
    this.prev = { snapshot, taskTicks: cpu.taskTicks };
    if (!prev || snapshot.takenAt <= prev.snapshot.takenAt) return this.status;
    // The reader's own figure when it has one: it also counts the time of children reaped since (a
    // build's or a cron job's short-lived processes), which the estimate below cannot see.
    const gapPct = snapshot.unaccountedPct ?? estimate(prev, snapshot, cpu.taskTicks);
    this.recent.push(gapPct);
    if (this.recent.length > TICKS) this.recent.shift();
    const sorted = [...this.recent].sort((a, b) => a - b);
    const estimatePct = sorted[Math.floor(sorted.length / 2)];
    this.status = { ...this.status, estimatePct };
    const now = this.now();
    const due = this.status.confirmedAt === null || now - this.status.confirmedAt >= RECONFIRM_MS;
    if (this.recent.length >= TICKS && estimatePct > GAP_THRESHOLD_PCT && due && !this.status.checking) {
      this.status = { ...this.status, checking: true };
      this.measure({ procRoot: this.procRoot, windows: 3, windowMs: 1000 })
        .then((g) => { this.status = { ...this.status, confirmed: g, confirmedAt: this.now(), checking: false }; })
        .catch(() => { this.status = { ...this.status, checking: false, confirmedAt: this.now() }; });
    } else if (estimatePct <= GAP_THRESHOLD_PCT / 2 && this.status.confirmed?.sustained && this.recent.length >= TICKS) {
      this.status = { ...this.status, confirmed: null }; // the gap went away
    }
    return this.status;
  }
}

/** Task time (% of one core) between two snapshots that their processes' own CPU time does not account for. */
function estimate(prev: { snapshot: Snapshot; taskTicks: number }, snapshot: Snapshot, taskTicks: number): number {
  let charged = 0;
  const before = prev.snapshot.processes;
  const since = prev.snapshot.takenAt - 1000;
  snapshot.processes.forEach((p) => {
    if (p === before.get(p.pid)) return; // the same object: nothing changed
    const q = before.get(p.pid);
    if (q && q.startTicks === p.startTicks) charged += Math.max(0, p.cpuTicks - q.cpuTicks);
    else if (p.startTime >= since) charged += p.cpuTicks; // born during the interval
  });
  const seconds = (snapshot.takenAt - prev.snapshot.takenAt) / 1000;
  return ((taskTicks - prev.taskTicks - charged) / snapshot.host.clockTicks) / seconds * 100;
}

/** The header's words for a confirmed gap, or null. */
export function gapBanner(s: GapStatus | undefined): string | null {
  const g = s?.confirmed;
  if (!g?.sustained) return null;
  const w = [...g.windows].sort((a, b) => a.gapPct - b.gapPct)[Math.floor(g.windows.length / 2)];
  return `CPU gap ${Math.round(g.sustainedGapPct)}% (kernel ${Math.round(w.kernelPct)}%, processes ${Math.round(w.accountedPct)}%): hidden process? D`;
}
