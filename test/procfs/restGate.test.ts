// The kernel-total check that lets long-idle processes go unread for a tick (src/procfs/restGate.ts).
import { describe, expect, it } from 'vitest';
import { RestGate, SETTLE_MS, sweepLimit } from '../../src/procfs/restGate';

const CLK = 100;
const LIMIT = sweepLimit(CLK, 1000); // clock ticks of unexplained time that force a sweep, ticks 1 s apart

/** A gate settled at t=1000 ms with the kernel's total at `task`, baseline 0. */
function settled(task = 10_000): RestGate {
  const g = new RestGate(CLK);
  g.begin(task - 100);
  g.end(0, true); // first tick: nothing counted yet
  g.begin(task);
  g.charge(100);
  g.end(1000, true);
  return g;
}

describe('RestGate', () => {
  it('lets nothing rest before it knows the kernel total and a baseline', () => {
    const g = new RestGate(CLK);
    g.begin(null);
    expect(g.active).toBe(false);
    expect(g.mustSweep(0)).toBe(true);
    g.end(0, true);
    g.begin(500); // first reading: no interval yet
    expect(g.mustSweep(1000)).toBe(true);
    expect(g.sweeps).toBe(0); // not a gap sweep
  });

  it('keeps resting processes unread while the processes read account for what the kernel counted', () => {
    const g = settled();
    let task = 10_000;
    const swept: number[] = [];
    for (let i = 2; i < 7; i++) {
      task += 80;
      g.begin(task);
      g.charge(80 - LIMIT / 2); // a little unexplained each tick (rounding), never more than the limit in one go
      const sweep = g.mustSweep(i * 1000);
      if (sweep) swept.push(i);
      g.end(i * 1000, sweep);
    }
    // the rounding adds up: on the third tick it passes the limit and everyone is read once, which settles
    expect(swept).toEqual([4]);
    expect(g.sweeps).toBe(1);
  });

  it('checks everyone in the tick when someone unread burns a twentieth of a core or more', () => {
    const g = settled();
    g.begin(10_000 + 50 + LIMIT + 1); // 50 charged below, the rest run by a resting process
    g.charge(50);
    expect(g.mustSweep(2000)).toBe(true);
    expect(g.sweeps).toBe(1);
    g.charge(LIMIT + 1); // the sweep reads it: all accounted for
    g.end(2000, true);
    g.begin(10_000 + 50 + LIMIT + 1 + 30);
    g.charge(30);
    expect(g.mustSweep(3000)).toBe(false);
  });

  it('learns a steady unexplained use (a hidden process) as the baseline instead of sweeping every tick', () => {
    const g = settled();
    let task = 10_000;
    // a hidden process burns one core (CLK ticks a second) that no listed process accounts for
    task += CLK;
    g.begin(task);
    expect(g.mustSweep(2000)).toBe(true); // the first time, everyone is read ...
    g.end(2000, true); // ... and it stays unexplained: that is the baseline
    expect(g.residualPct).toBeCloseTo(100); // one core: what the CPU-gap watch is told
    for (let i = 3; i < 8; i++) {
      task += CLK;
      g.begin(task);
      expect(g.mustSweep(i * 1000)).toBe(false);
      g.end(i * 1000, false);
    }
    // a resting process starting to burn on top of it is still seen
    task += CLK + LIMIT + 5;
    g.begin(task);
    expect(g.mustSweep(8000)).toBe(true);
  });

  it('reads everyone at least every SETTLE_MS', () => {
    const g = settled();
    g.begin(10_000);
    expect(g.mustSweep(1000 + SETTLE_MS - 1)).toBe(false);
    expect(g.mustSweep(1000 + SETTLE_MS)).toBe(true);
  });

  it('carries no credit from an over-explained tick (a reaped child counted twice) into the next', () => {
    const g = settled();
    g.begin(10_000 + 10);
    g.charge(200);
    expect(g.mustSweep(2000)).toBe(false);
    g.end(2000, false);
    g.begin(10_000 + 10 + LIMIT + 1);
    expect(g.mustSweep(3000)).toBe(true);
  });

  it('does not count a tick whose kernel total went backwards (a new reader, another /proc)', () => {
    const g = settled();
    g.begin(5);
    expect(g.active).toBe(false);
    expect(g.mustSweep(2000)).toBe(true);
  });

  it('scales the limit with the interval, never below the counters\' rounding', () => {
    expect(sweepLimit(100, 1000)).toBe(5);
    expect(sweepLimit(100, 250)).toBe(4);
    expect(sweepLimit(100, 10_000)).toBe(50);
  });
});
