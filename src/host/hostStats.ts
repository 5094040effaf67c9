// Host-level figures for the dashboard header. On the live system memory comes from
// systeminformation's mem(), which reads /proc/meminfo directly. CPU load is computed here from
// /proc/stat deltas, because systeminformation's currentLoad() runs `cat /proc/stat | grep cpu`
// through a shell on every call (lib/cpu.js getLoad): three processes per tick in the very table we
// watch. Uptime and load come from the same proc tree as the processes, so a --proc fixture shows
// its own figures, not the real host's.
import { readHostFile, readUptimeMs } from '../procfs/host';
import { parseCpuTimes } from '../procfs/kernel';
import { PROC_ROOT } from '../procfs/pid';
import { loadSiMemory, type SiMemory } from './systeminformation';

export interface HostStats {
  cpuPercent: number;
  memUsed: number;
  memTotal: number;
  swapUsed: number;
  swapTotal: number;
  load: [number, number, number];
  uptimeSec: number;
}

export interface CpuTimes { busy: number; total: number }

/** The aggregate "cpu" line of /proc/stat as busy and total jiffies (iowait counts as idle). */
export function parseCpuLine(text: string): CpuTimes | null {
  const t = parseCpuTimes(text);
  if (!t) return null;
  const busy = t.taskTicks + t.otherTicks;
  return { busy, total: busy + t.idleTicks };
}

export type MemSource = () => Promise<{ total: number; active: number; swaptotal: number; swapused: number }>;

/**
 * systeminformation's mem() once the module is loaded; loading it (tens of ms of module evaluation)
 * starts on the second call, after the first frame, and until it is in, meminfo is read directly.
 */
function siMemAfterFirstFrame(procRoot: string): MemSource {
  let si: SiMemory | null = null;
  let calls = 0;
  return async () => {
    if (si) return si.mem();
    if (calls++ === 1) loadSiMemory().then((m) => { si = m; }).catch(() => { /* meminfo it stays */ });
    return parseMeminfo(readHostFile(procRoot, 'meminfo') ?? '');
  };
}

/** MemTotal - MemAvailable, like systeminformation's `active`, from a meminfo text (kB). */
export function parseMeminfo(text: string): { total: number; active: number; swaptotal: number; swapused: number } {
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const total = kb('MemTotal');
  const avail = kb('MemAvailable') || kb('MemFree');
  const swaptotal = kb('SwapTotal');
  return { total, active: Math.max(0, total - avail), swaptotal, swapused: Math.max(0, swaptotal - kb('SwapFree')) };
}

export class HostSampler {
  private prev: CpuTimes | null = null;
  private readonly mem: MemSource;

  constructor(private readonly procRoot = PROC_ROOT, mem?: MemSource) {
    this.mem = mem ?? (procRoot === PROC_ROOT ? siMemAfterFirstFrame(procRoot) : async () => parseMeminfo(readHostFile(procRoot, 'meminfo') ?? ''));
  }

  async sample(): Promise<HostStats> {
    const cur = parseCpuLine(readHostFile(this.procRoot, 'stat', 4096) ?? '');
    let cpuPercent = 0;
    if (cur && this.prev && cur.total > this.prev.total) {
      cpuPercent = ((cur.busy - this.prev.busy) / (cur.total - this.prev.total)) * 100;
    }
    if (cur) this.prev = cur;
    const m = await this.mem();
    const l = (readHostFile(this.procRoot, 'loadavg') ?? '0 0 0').split(' ').map(Number);
    return {
      cpuPercent: Math.max(0, Math.min(100, cpuPercent)),
      memUsed: m.active,
      memTotal: m.total,
      swapUsed: m.swapused,
      swapTotal: m.swaptotal,
      load: [l[0] || 0, l[1] || 0, l[2] || 0],
      uptimeSec: (readUptimeMs(this.procRoot) ?? 0) / 1000,
    };
  }
}
