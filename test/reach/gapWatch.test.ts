// The dashboard's CPU-gap watch: a cheap per-tick estimate raises a suspicion, the precise measurement
// confirms it before anything is shown; a gap that goes away is dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { GapWatch, gapBanner } from '../../src/deep/gapWatch';
import type { CpuGap } from '../../src/deep/cpugap';
import { ProcTree } from '../../src/procfs/fake';
import { proc, snapshot } from '../helpers/snapshot';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const cpuLine = (ticks: number) => `cpu  ${ticks} 0 0 100000 0 0 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n`;

describe('GapWatch', () => {
  it('asks for the precise measurement only after a sustained estimate, and shows only what it confirms', async () => {
    tree = new ProcTree();
    let ticks = 1000;
    const measured: number[] = [];
    const w = (gapPct: number) => ({ ms: 1000, kernelPct: 100, accountedPct: 100 - gapPct, gapPct, processes: 3 });
    let result: CpuGap = { windows: [w(80), w(75), w(82)], sustainedGapPct: 80, thresholdPct: 10, sustained: true };
    const measure = async () => { measured.push(Date.now()); return result; };
    const watch = new GapWatch(tree.proc, measure as never, () => 5_000_000);
    // a process that used 10 ticks per second while the kernel counted 90: 80 % of a core unaccounted
    let status;
    for (let i = 0; i < 6; i++) {
      tree.procFile('stat', cpuLine(ticks));
      const p = proc({ pid: 10, name: 'x', startTicks: 1, cpuTicks: 100 + i * 10 });
      status = watch.update(snapshot([p], { takenAt: 1_000_000 + i * 1000 }));
      ticks += 90;
    }
    expect(Math.round(status!.estimatePct)).toBe(80);
    expect(measured).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 0));
    tree.procFile('stat', cpuLine(ticks));
    status = watch.update(snapshot([proc({ pid: 10, name: 'x', startTicks: 1, cpuTicks: 170 })], { takenAt: 1_000_000 + 6000 }));
    expect(status.confirmed?.sustained).toBe(true);
    expect(gapBanner(status)).toMatch(/^CPU gap 80% \(kernel 100%, processes 20%\)/);
    expect(measured).toHaveLength(1); // not again within a minute
    // the gap goes away: estimates near zero drop the banner
    for (let i = 7; i < 14; i++) {
      ticks += 10;
      tree.procFile('stat', cpuLine(ticks));
      status = watch.update(snapshot([proc({ pid: 10, name: 'x', startTicks: 1, cpuTicks: 170 + (i - 6) * 10 })], { takenAt: 1_000_000 + i * 1000 }));
    }
    expect(gapBanner(status)).toBeNull();
    result = { ...result, sustained: false };
  });

  it('a measurement that does not confirm shows nothing', async () => {
    tree = new ProcTree();
    const measure = async (): Promise<CpuGap> => ({ windows: [], sustainedGapPct: 2, thresholdPct: 10, sustained: false });
    const watch = new GapWatch(tree.proc, measure as never);
    let ticks = 0;
    let status;
    for (let i = 0; i < 7; i++) {
      tree.procFile('stat', cpuLine(ticks));
      status = watch.update(snapshot([proc({ pid: 10, name: 'x', startTicks: 1, cpuTicks: 0 })], { takenAt: 1_000_000 + i * 1000 }));
      ticks += 50;
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(status!.estimatePct).toBeGreaterThan(10);
    expect(gapBanner(status)).toBeNull();
  });

  it("takes the reader's own figure (reaped children counted) over its two-snapshot estimate", () => {
    tree = new ProcTree();
    const measured: number[] = [];
    const measure = async (): Promise<CpuGap> => { measured.push(1); return { windows: [], sustainedGapPct: 0, thresholdPct: 10, sustained: false }; };
    const watch = new GapWatch(tree.proc, measure as never, () => 5_000_000);
    // the kernel counts 60 ticks a second that no process's own time shows: children that lived and died
    // between two ticks, reaped by the one process; the reader counted them (unaccountedPct 1 %)
    let status;
    for (let i = 0; i < 7; i++) {
      status = watch.update(snapshot([proc({ pid: 10, name: 'make', startTicks: 1, cpuTicks: 100 })], { takenAt: 1_000_000 + i * 1000, taskTicks: 1000 + i * 60, unaccountedPct: 1 }));
    }
    expect(status!.estimatePct).toBe(1);
    expect(measured).toHaveLength(0);
    // without the reader's figure the same ticks look like a 60 % gap and ask for the measurement
    const blind = new GapWatch(tree.proc, measure as never, () => 5_000_000);
    for (let i = 0; i < 7; i++) {
      status = blind.update(snapshot([proc({ pid: 10, name: 'make', startTicks: 1, cpuTicks: 100 })], { takenAt: 1_000_000 + i * 1000, taskTicks: 1000 + i * 60 }));
    }
    expect(Math.round(status!.estimatePct)).toBe(60);
    expect(measured).toHaveLength(1);
  });
});
