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

/** hidepid= of a proc mount (proc(5)): 1/noaccess, 2/invisible, 4/ptraceable; 0/off when absent. */
export type HidepidMode = 'off' | 'noaccess' | 'invisible' | 'ptraceable';

export interface MountFacts {
  /** hidepid is on for the proc mount read (any mode but off). */
  hidepid: boolean;
  hidepidMode: HidepidMode;
  /** gid= of that mount: members of this group see every process anyway. */
  hidepidGid: number | null;
  /** Mount points of the form <proc>/<N>[/...]: something mounted over a process directory. */
  procPidMounts: { pid: number; mountPoint: string }[];
}

const HIDEPID: Record<string, HidepidMode> = { 0: 'off', off: 'off', 1: 'noaccess', noaccess: 'noaccess', 2: 'invisible', invisible: 'invisible', 4: 'ptraceable', ptraceable: 'ptraceable' };

/**
 * Parse <proc>/self/mountinfo (proc_pid_mountinfo(5)) for the proc file system mounted at `procMount`:
 * the last mount there is the one in effect (a remount with hidepid stacks over the boot-time one).
 */
export function parseMountinfo(text: string, procMount = '/proc'): MountFacts {
  let mode: HidepidMode = 'off';
  let gid: number | null = null;
  const procPidMounts: { pid: number; mountPoint: string }[] = [];
  const prefix = procMount.endsWith('/') ? procMount : procMount + '/';
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    const mountPoint = (f[4] ?? '').replace(/\\040/g, ' ');
    if (mountPoint.startsWith(prefix)) {
      const m = /^(\d+)(\/|$)/.exec(mountPoint.slice(prefix.length));
      if (m) procPidMounts.push({ pid: Number(m[1]), mountPoint });
    }
    const sep = f.indexOf('-');
    if (mountPoint === procMount && sep >= 0 && f[sep + 1] === 'proc') {
      const superOpts = f[sep + 3] ?? '';
      const hp = /(?:^|,)hidepid=([^,]+)/.exec(superOpts);
      const g = /(?:^|,)gid=(\d+)/.exec(superOpts);
      mode = hp ? HIDEPID[hp[1]] ?? 'invisible' : 'off';
      gid = g ? Number(g[1]) : null;
    }
  }
  return { hidepid: mode !== 'off', hidepidMode: mode, hidepidGid: gid, procPidMounts };
}

/** What this process may see under hidepid: CAP_SYS_PTRACE (root) passes it, so does the mount's gid=. */
export interface Viewer {
  ptraceAll: boolean;
  groups: number[];
}

const CAP_SYS_PTRACE = 19n;

/** This process's view: effective capabilities and groups, from the live /proc/self/status. */
export function readViewer(): Viewer {
  const text = readText('/proc/self/status', 16 * 1024) ?? '';
  const cap = /^CapEff:\s+([0-9a-f]+)/m.exec(text);
  const groups = new Set<number>();
  for (const key of ['Gid', 'Groups']) {
    const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text);
    for (const w of (m?.[1] ?? '').split(/\s+/)) if (w !== '' && Number.isInteger(Number(w))) groups.add(Number(w));
  }
  return { ptraceAll: cap ? ((BigInt('0x' + cap[1]) >> CAP_SYS_PTRACE) & 1n) === 1n : false, groups: [...groups] };
}

/** The hidepid warning, saying what this viewer actually misses; null when hidepid hides nothing from it. */
export function hidepidWarning(m: MountFacts, viewer: Viewer): string | null {
  if (m.hidepidMode === 'off') return null;
  if (viewer.ptraceAll) return null; // CAP_SYS_PTRACE: every process is visible and readable
  if (m.hidepidGid !== null && viewer.groups.includes(m.hidepidGid)) return null;
  const who = m.hidepidGid === null ? 'run minewatch as root' : `run minewatch as root or in group ${m.hidepidGid}`;
  if (m.hidepidMode === 'noaccess') {
    return `/proc is mounted with hidepid=noaccess: other users' processes are listed but cannot be read, so they are missing from this table (${who}).`;
  }
  return `/proc is mounted with hidepid=${m.hidepidMode}: other users' processes are invisible to this account and are not in this table (${who}).`;
}

export const NO_MOUNT_FACTS: MountFacts = { hidepid: false, hidepidMode: 'off', hidepidGid: null, procPidMounts: [] };

export function readMountFacts(procRoot: string): MountFacts {
  const text = readText(join(procRoot, 'self/mountinfo'), 1024 * 1024);
  return text ? parseMountinfo(text) : NO_MOUNT_FACTS;
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
