import { afterEach, describe, expect, it } from 'vitest';
import { HostSampler, parseCpuLine, parseMeminfo } from '../../src/host/hostStats';
import { ProcTree } from '../../src/procfs/fake';

let tree: ProcTree | null = null;
afterEach(() => { tree?.cleanup(); tree = null; });

describe('host figures', () => {
  it('parses the aggregate cpu line, iowait counting as idle', () => {
    expect(parseCpuLine('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n')).toEqual({ busy: 150, total: 1000 });
    expect(parseCpuLine('intr 1 2 3')).toBeNull();
  });

  it('parses meminfo: used is total minus available', () => {
    const m = parseMeminfo('MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\nSwapTotal: 2000000 kB\nSwapFree: 1500000 kB\n');
    expect(m).toEqual({ total: 16000000 * 1024, active: 12000000 * 1024, swaptotal: 2000000 * 1024, swapused: 500000 * 1024 });
  });

  it('reads CPU %, load, uptime and memory from the given proc tree, not the real host', async () => {
    tree = new ProcTree();
    tree.procFile('stat', 'cpu  100 0 100 800 0 0 0 0\nbtime 1700000000\n');
    tree.procFile('loadavg', '3.50 2.25 1.00 2/180 4242\n');
    tree.procFile('uptime', '7200.00 100.00\n');
    tree.procFile('meminfo', 'MemTotal: 1000 kB\nMemAvailable: 250 kB\n');
    const h = new HostSampler(tree.proc);
    await h.sample();
    tree.procFile('stat', 'cpu  400 0 100 1100 0 0 0 0\nbtime 1700000000\n');
    const s = await h.sample();
    expect(s.cpuPercent).toBeCloseTo(50, 5); // 300 busy of 600 jiffies
    expect(s.load).toEqual([3.5, 2.25, 1]);
    expect(s.uptimeSec).toBe(7200);
    expect(s.memTotal).toBe(1000 * 1024);
    expect(s.memUsed).toBe(750 * 1024);
  });
});
