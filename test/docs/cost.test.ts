// The README's cost table is the benchmark's saved output, one cell per run.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costSection, loadRuns, type TuiRun } from '../../src/docs/costSection';

const run = (cpu: number, btop: number): TuiRun => ({
  date: '2026-11-27T12:00:00.000Z', host: { cpus: 2, load: [0.5, 0.4] }, procs: 2083, cols: 120, rows: 40, intervalMs: 1000,
  seconds: 60, launches: 5, command: '--procs 2000 --seconds 60 --save /tmp/x.json',
  results: [
    { name: 'minewatch', cpuPercent: cpu, firstFrameIdleMedian: 512.3, firstFrameBusyMedian: 800, rssMbOverTime: [100, 104], hwmMb: 110, keyMedian: 9.87, keyP99: 30, outKbPerSecond: 0.7, startupCpuMs: 1500 },
    { name: 'btop', cpuPercent: btop, firstFrameIdleMedian: 24, firstFrameBusyMedian: 40, rssMbOverTime: [7, 7], hwmMb: 7, keyMedian: 9, keyP99: 60, outKbPerSecond: 14, startupCpuMs: 200 },
  ],
});

describe('cost section', () => {
  it('puts each run\'s figure side by side, next to btop\'s of the same run', () => {
    const text = costSection([run(3.21, 4.4), run(3.4, 4.1)]);
    expect(text).toMatch(/2 runs \(cells: run 1 \/ run 2\)/);
    expect(text).toMatch(/^\| CPU, % of one core \| 3\.21 \/ 3\.40 \| 4\.40 \/ 4\.10 \|$/m);
    expect(text).toMatch(/^\| first frame with the process table, idle host \(median of 5 starts\), ms \| 512 \/ 512 \| 24 \/ 24 \|$/m);
    expect(text).toMatch(/100 → 104 \(110\)/);
    expect(text).toMatch(/^\| key to screen, median \(99th percentile\), ms \| 9\.9 \(30\.0\) \/ 9\.9 \(30\.0\) \|/m);
    expect(text).toContain('`npm run bench:tui -- --procs 2000 --seconds 60 --save FILE`');
  });

  it('adds the later CPU window and the private part of RSS when every run has them', () => {
    const withLater = (cpu: number, later: number, btopLater: number): TuiRun => {
      const r = run(cpu, 4.4);
      r.later = 120;
      r.results[0] = { ...r.results[0], laterCpuPercent: later, rssAnonMb: 36.4 };
      r.results[1] = { ...r.results[1], laterCpuPercent: btopLater, rssAnonMb: 3.2 };
      return r;
    };
    const text = costSection([withLater(3.21, 2.2, 4.3), withLater(3.4, 2.05, 4.0)]);
    expect(text).toMatch(/^\| CPU, % of one core, first 60 s \| 3\.21 \/ 3\.40 \| 4\.40 \/ 4\.40 \|$/m);
    expect(text).toMatch(/^\| CPU, % of one core, the 120 s after \| 2\.20 \/ 2\.05 \| 4\.30 \/ 4\.00 \|$/m);
    expect(text).toMatch(/^\| of which private \(RssAnon\) at the end, MB \| 36 \/ 36 \| 3 \/ 3 \|$/m);
    // a run without the later window: no such row, the first window keeps its plain label
    const mixed = costSection([withLater(3.21, 2.2, 4.3), run(3.4, 4.1)]);
    expect(mixed).not.toMatch(/the 120 s after/);
    expect(mixed).not.toMatch(/RssAnon/);
    expect(mixed).toMatch(/^\| CPU, % of one core \|/m);
  });

  it('adds the first key and the keys while it settles when every run timed them', () => {
    const withKeys = (first: number): TuiRun => {
      const r = run(3.2, 4.4);
      r.settle = 10;
      r.results[0] = { ...r.results[0], firstKeyIdleMedian: first, firstKeyBusyMedian: 112.4, startKeyMedian: 9.24, startKeyMax: 579 };
      r.results[1] = { ...r.results[1], firstKeyIdleMedian: 1654, firstKeyBusyMedian: 3350, startKeyMedian: 759.3, startKeyMax: 2050.7 };
      return r;
    };
    const text = costSection([withKeys(155), withKeys(160)]);
    expect(text).toMatch(/^\| a key pressed the moment the first frame is out \(help\), to its answer, idle, busy \(medians\), ms \| 155, 112 \/ 160, 112 \| 1654, 3350 \/ 1654, 3350 \|$/m);
    expect(text).toMatch(/^\| keys while it settles \(Down, Up from the first frame on, 10 s\), median \(slowest\), ms \| 9\.2 \(579\) \/ 9\.2 \(579\) \| 759\.3 \(2051\) \/ 759\.3 \(2051\) \|$/m);
    expect(costSection([withKeys(155), run(3.4, 4.1)])).not.toMatch(/first frame is out/);
  });

  it('loads the runs of one table by the name they were saved under', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-cost-'));
    try {
      writeFileSync(join(dir, 'tui-1.json'), JSON.stringify(run(3.21, 4.4)));
      writeFileSync(join(dir, 'scale-1.json'), JSON.stringify({ ...run(13.5, 82.6), procs: 20015 }));
      writeFileSync(join(dir, 'notes.txt'), 'not a run');
      expect(loadRuns(dir + '/').map((r) => r.procs)).toEqual([2083]);
      expect(loadRuns(dir + '/', 'scale-').map((r) => r.procs)).toEqual([20015]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when nothing was saved', () => {
    expect(costSection([])).toMatch(/No saved run/);
  });
});
