// When a long-idle process may go unread for a tick: decided by the kernel's own CPU total.
//
// Most of a host's processes sleep; checking each of them every tick is most of the poll loop's cost
// (one pread of /proc/PID/schedstat each). So a process idle for several checks in a row "rests": it is
// checked once every REST_TICKS ticks (a different share of them each tick). What keeps that honest is
// /proc/stat: the kernel counts every clock tick any task ran. Each tick the time charged to the
// processes read is subtracted from what the kernel counted; what is left over was run by someone
// unread (a resting process, or a process invisible to us). When that unexplained time, beyond the
// usual baseline, passes a twentieth of a core over the tick (sweepLimit), every resting process is
// checked in the same tick: a resting process that starts burning is seen within a tick or two, a miner
// at once. After a tick in which every process was read, what is still unexplained is the baseline (a
// process hidden from /proc, another PID namespace): it is re-measured at least every SETTLE_MS, so that
// a hidden process's steady use does not force a sweep every tick (the CPU-gap watch reports it).
//
// Times are in clock ticks (USER_HZ), the unit of /proc/stat and of utime/stime in /proc/PID/stat.

/** Resting processes are checked once every this many ticks each (staggered by PID). */
export const REST_TICKS = 16;
/**
 * Unexplained CPU time beyond the baseline that makes a tick check everyone: a twentieth of a core over
 * the tick's interval, and never less than MIN_SWEEP_TICKS clock ticks (the counters' own rounding).
 */
export const SWEEP_SHARE = 0.05;
export const MIN_SWEEP_TICKS = 4;

/** The sweep limit in clock ticks for a tick `intervalMs` after the last. */
export function sweepLimit(clockTicks: number, intervalMs: number): number {
  return Math.max(MIN_SWEEP_TICKS, SWEEP_SHARE * clockTicks * (intervalMs / 1000));
}
/** Every process is read at least this often, which re-measures the baseline. */
export const SETTLE_MS = 30_000;

export class RestGate {
  /** Clock ticks the kernel counted that no process read since the last settle accounts for. */
  private unexplained = 0;
  private settledAt = 0;
  /** What stays unexplained when everyone is read, in clock ticks per ms. */
  private baseline = 0;
  private lastTaskTicks: number | null = null;
  /** When the last tick ended (for the sweep limit's interval). */
  private lastEnd = 0;
  /** Whether this tick's charges count (the kernel's total moved by a known amount since the last tick). */
  private counting = false;
  /** How many ticks checked every process because of the gap (for tests and benchmarks). */
  sweeps = 0;
  /**
   * The baseline as % of one core, once one was measured over a counted window: CPU time the kernel
   * counted that no listed process (its own time and its reaped children's) accounts for. The CPU-gap
   * watch's per-tick estimate (src/deep/gapWatch.ts).
   */
  residualPct: number | null = null;

  constructor(private readonly clockTicks: number) {}

  /** The start of a tick: the kernel's task time now (null when /proc/stat cannot be read: nothing rests). */
  begin(taskTicks: number | null): void {
    this.counting = taskTicks !== null && this.lastTaskTicks !== null && taskTicks >= this.lastTaskTicks;
    if (this.counting) this.unexplained += taskTicks! - this.lastTaskTicks!;
    this.lastTaskTicks = taskTicks;
  }

  /** Whether resting is allowed this tick at all (the kernel's total is known and a baseline exists). */
  get active(): boolean {
    return this.counting && this.settledAt > 0;
  }

  /** CPU time (clock ticks) charged to a process read this tick: what it ran (and reaped) since its last read. */
  charge(ticks: number): void {
    if (this.counting) this.unexplained -= ticks;
  }

  /** After the non-resting processes were read: must the resting ones be checked too? */
  mustSweep(now: number): boolean {
    if (!this.active) return true;
    if (now - this.settledAt >= SETTLE_MS) return true;
    const beyond = this.unexplained - this.baseline * (now - this.settledAt);
    if (beyond > sweepLimit(this.clockTicks, now - this.lastEnd)) {
      this.sweeps++;
      return true;
    }
    return false;
  }

  /**
   * The end of a tick. `everyoneRead`: no process rested this tick, so whatever is still unexplained
   * is the baseline since the last settle.
   */
  end(now: number, everyoneRead: boolean): void {
    this.lastEnd = now;
    if (everyoneRead) {
      if (this.counting && this.settledAt > 0 && now > this.settledAt) {
        this.baseline = Math.max(0, this.unexplained) / (now - this.settledAt);
        this.residualPct = (this.baseline * 1000 / this.clockTicks) * 100;
      }
      this.unexplained = 0;
      this.settledAt = now;
    } else if (this.unexplained < 0) {
      // Over-explained (a parent reaped a child read earlier): no credit carried against the next ticks.
      this.unexplained = 0;
    }
  }
}
