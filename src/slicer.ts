// When a long pass over the process table should stop for a turn of the event loop. A pass written as a
// generator yields where `due()` says so; whoever drives it decides what a yield means: the dashboard
// awaits a turn (keys are answered in between), a one-shot reader ignores it. At 20,000 processes one
// sample that checks everyone takes several hundred ms of the main thread; in slices of a few ms each,
// a key waits for one slice, not for the whole sample.

export class Slicer {
  private since = performance.now();
  private count = 0;

  /**
   * `sliceMs`: how long a slice may run before `due()` says yes (0: at every check, for tests; Infinity:
   * never, for a pass that is driven to the end at once). The clock is read every `clockEvery` checks:
   * CLOCK_EVERY for units as cheap as a process checked, 1 for units of a millisecond or more.
   */
  constructor(readonly sliceMs: number, private readonly clockEvery = CLOCK_EVERY) {}

  /** Called once per unit of work (a process checked): true when the slice has run long enough. */
  due(): boolean {
    if (this.sliceMs === Infinity) return false;
    if (this.sliceMs > 0 && ++this.count % this.clockEvery !== 0) return false;
    return performance.now() - this.since >= this.sliceMs;
  }

  /** A new slice starts (after the turn). */
  restart(): void {
    this.since = performance.now();
    this.count = 0;
  }
}

/** Reading the clock costs about as much as a check of an idle process: every 16th check is enough. */
const CLOCK_EVERY = 16;

/**
 * How long the dashboard's long passes run before a turn of the event loop (the full sample, its
 * detection, the CPU-gap sweeps, the package index): a key pressed meanwhile waits at most about this.
 */
export const SLICE_MS = 15;

/** One turn of the event loop: what is waiting (a key, a timer, I/O) runs first. */
export const nextTurn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** A slicer that never stops: the pass runs to its end in one go. */
export const UNSLICED = new Slicer(Infinity);

/** Run a generator pass to its end, ignoring its yields. */
export function runToEnd<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Run a generator pass to its end, awaiting `turn` at each yield and starting a new slice after it. */
export async function runSliced<T>(steps: Generator<void, T, void>, slicer: Slicer, turn: () => Promise<unknown>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await turn();
    slicer.restart();
  }
}
