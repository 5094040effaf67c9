// Host-level facts read from /proc without spawning anything: boot time, clock ticks, page size,
// the /proc mount options (hidepid) and bind mounts over /proc/PID.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { readBytes, readText } from './files';

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

let auxv: { clockTicks: number; pageSize: number } | null = null;

/**
 * CLK_TCK (the unit of every time in /proc/PID/stat) and the page size, from the kernel's auxiliary
 * vector of this very process: the real values, never an assumed 100. Read once.
 */
export function readAuxv(): { clockTicks: number; pageSize: number } {
  auxv ??= readAuxvOnce();
  return auxv;
}

/** Clock ticks per second (USER_HZ). */
export function clockTicks(): number {
  return readAuxv().clockTicks;
}

function readAuxvOnce(): { clockTicks: number; pageSize: number } {
  let clockTicks = 100;
  let pageSize = 4096;
  try {
    const buf = readBytes('/proc/self/auxv', 4096);
    if (!buf) throw new Error('no auxv');
    for (let off = 0; off + 16 <= buf.length; off += 16) {
      const type = Number(buf.readBigUInt64LE(off));
      const value = Number(buf.readBigUInt64LE(off + 8));
      if (type === AT_CLKTCK && value > 0) clockTicks = value;
      else if (type === AT_PAGESZ && value > 0) pageSize = value;
      else if (type === 0) break;
    }
  } catch {
    // not Linux or unreadable: keep the usual defaults
  }
  return { clockTicks, pageSize };
}

/**
 * Boot time in ms since the epoch: the one rule for the whole project. The btime line of <proc>/stat;
 * without one, now minus <proc>/uptime; without either, now (start times then read as "just now", never
 * as 1970).
 */
export function readBootTime(procRoot: string, now: number = Date.now()): number {
  const text = readText(join(procRoot, 'stat'), 256 * 1024) ?? '';
  const m = /^btime\s+(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) * 1000 : now - (readUptimeMs(procRoot) ?? 0);
}

/** Start time in ms since the epoch of a process that started `startTicks` clock ticks after boot. */
export function startTimeMs(bootTime: number, startTicks: number, ticksPerSecond: number = clockTicks()): number {
  return bootTime + (startTicks / ticksPerSecond) * 1000;
}

/** Host-wide files at the top of the proc root (not per process: those are pid.ts's). */
export type HostFile = 'stat' | 'loadavg' | 'meminfo' | 'uptime' | 'sys/kernel/hostname' | 'sys/kernel/osrelease';

/** One of the host-wide files as text, at most `cap` bytes; null when it cannot be read. */
export function readHostFile(procRoot: string, name: HostFile, cap = 64 * 1024): string | null {
  return readText(join(procRoot, name), cap);
}

export function readUptimeMs(procRoot: string): number | null {
  const text = readText(join(procRoot, 'uptime'));
  if (!text) return null;
  const v = parseFloat(text);
  return Number.isFinite(v) ? v * 1000 : null;
}

export function cpuCount(procRoot: string): number {
  const text = readText(join(procRoot, 'stat'), 256 * 1024);
  if (text) {
    const n = (text.match(/^cpu\d+ /gm) ?? []).length;
    if (n > 0) return n;
  }
  return Math.max(1, cpus().length);
}

export interface MountFacts {
  hidepid: boolean;
  /** Mount points of the form /proc/<N>[/...]: something mounted over a process directory. */
  procPidMounts: { pid: number; mountPoint: string }[];
}

/** Parse <proc>/self/mountinfo (proc_pid_mountinfo(5)). */
export function parseMountinfo(text: string): MountFacts {
  let hidepid = false;
  const procPidMounts: { pid: number; mountPoint: string }[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const mountPoint = (f[4] ?? '').replace(/\\040/g, ' ');
    const m = /^\/proc\/(\d+)(\/|$)/.exec(mountPoint);
    if (m) procPidMounts.push({ pid: Number(m[1]), mountPoint });
    if (mountPoint === '/proc') {
      const sep = f.indexOf('-');
      const superOpts = sep >= 0 ? f[sep + 3] ?? '' : '';
      const hp = /(?:^|,)hidepid=([^,]+)/.exec(superOpts);
      if (hp && hp[1] !== '0' && hp[1] !== 'off') hidepid = true;
    }
  }
  return { hidepid, procPidMounts };
}

export function readMountFacts(procRoot: string): MountFacts {
  const text = readText(join(procRoot, 'self/mountinfo'), 1024 * 1024);
  return text ? parseMountinfo(text) : { hidepid: false, procPidMounts: [] };
}

/** Non-comment, non-empty lines of <root>/etc/ld.so.preload. */
export function readLdSoPreload(root: string): string[] {
  const b = readBytes(join(root, 'etc/ld.so.preload'), 64 * 1024);
  if (!b) return [];
  return b.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

export function readHostIdentity(procRoot: string): { hostname: string; kernel: string } {
  return {
    hostname: (readText(join(procRoot, 'sys/kernel/hostname')) ?? '').trim() || 'unknown',
    kernel: (readText(join(procRoot, 'sys/kernel/osrelease')) ?? '').trim() || 'unknown',
  };
}
