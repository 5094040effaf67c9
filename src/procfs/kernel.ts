// Raw reads the deep scan needs from a proc tree: the PID listing, a direct probe of /proc/N that does
// not go through the listing, the ids in /proc/N/status, CPU times of the whole machine and of one
// process, pid_max, the kernel taint mask and the module list. Plain synchronous reads, no child
// process; every function takes the proc root so tests run on fixture trees.
import { readdirSync, statSync } from 'node:fs';
import { readBytes, readLink, readText, splitNul } from './files';
import { parseStat } from './stat';

/** PIDs in the directory listing of the proc root (what readdir/scandir, and so any hook on them, returns). */
export function listPids(procRoot: string): Set<number> {
  const out = new Set<number>();
  for (const e of readdirSync(procRoot)) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const n = Number(e);
    if (Number.isInteger(n)) out.add(n);
  }
  return out;
}

/** Whether /proc/N resolves when asked for by name: true for every live process and thread, listed or not. */
export function probePid(procRoot: string, n: number): boolean {
  try {
    return statSync(procRoot + '/' + n, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true; // EACCES and the like: something is there
  }
}

export interface StatusIds {
  pid: number;
  tgid: number;
  ppid: number;
  name: string;
  uid: number;
}

/** Name, Tgid, Pid, PPid and the effective uid from /proc/N/status; null when unreadable or gone. */
export function readStatusIds(procRoot: string, n: number): StatusIds | null {
  const text = readText(procRoot + '/' + n + '/status', 8192);
  if (!text) return null;
  const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(text)?.[1] ?? null;
  const pid = Number(field('Pid'));
  const tgid = Number(field('Tgid') ?? pid);
  const ppid = Number(field('PPid') ?? 0);
  const uidLine = field('Uid');
  const uid = uidLine ? Number(uidLine.split(/\s+/)[1] ?? uidLine.split(/\s+/)[0]) : NaN;
  if (!Number.isInteger(pid)) return null;
  return { pid, tgid: Number.isInteger(tgid) ? tgid : pid, ppid, name: field('Name') ?? '', uid: Number.isInteger(uid) ? uid : -1 };
}

/** Thread ids under /proc/N/task (the leader included); empty when unreadable. */
export function readTaskIds(procRoot: string, pid: number): number[] {
  try {
    return readdirSync(procRoot + '/' + pid + '/task').map(Number).filter((n) => Number.isInteger(n));
  } catch {
    return [];
  }
}

/** Time the CPUs spent running tasks (user + nice + system), in clock ticks, from the "cpu" line of /proc/stat. */
export interface CpuLine {
  /** user + nice + system: the time processes are charged for (guest time is inside user). */
  taskTicks: number;
  /** irq + softirq + steal: busy, but charged to no process. */
  otherTicks: number;
  idleTicks: number;
}

export function parseCpuTimes(text: string): CpuLine | null {
  const line = text.split('\n', 1)[0];
  if (!line.startsWith('cpu ')) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isFinite(x))) return null;
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  return { taskTicks: user + nice + system, otherTicks: irq + softirq + steal, idleTicks: idle + iowait };
}

export function readCpuTimes(procRoot: string): CpuLine | null {
  const text = readText(procRoot + '/stat', 4096);
  return text ? parseCpuTimes(text) : null;
}

export interface ProcTimes {
  startTicks: number;
  /** utime + stime of the process (all its threads, live and exited). */
  own: number;
  /** cutime + cstime: children it has reaped. */
  reaped: number;
  comm: string;
}

/** utime, stime, cutime, cstime (fields 14-17) and start time of /proc/N/stat. */
export function parseProcTimes(text: string): ProcTimes | null {
  const st = parseStat(text);
  if (!st) return null;
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  const cutime = Number(f[13]);
  const cstime = Number(f[14]);
  return {
    startTicks: st.startTicks,
    own: st.utime + st.stime,
    reaped: (Number.isFinite(cutime) ? cutime : 0) + (Number.isFinite(cstime) ? cstime : 0),
    comm: st.comm,
  };
}

export function readProcTimes(procRoot: string, pid: number): ProcTimes | null {
  const text = readText(procRoot + '/' + pid + '/stat', 4096);
  return text ? parseProcTimes(text) : null;
}

/** /proc/sys/kernel/pid_max, or the kernel's default of 32768 when unreadable. */
export function readPidMax(procRoot: string): number {
  const v = Number((readText(procRoot + '/sys/kernel/pid_max') ?? '').trim());
  return Number.isInteger(v) && v > 1 ? v : 32768;
}

/** /proc/sys/kernel/tainted as a number, or null when unreadable. */
export function readTainted(procRoot: string): number | null {
  const text = readText(procRoot + '/sys/kernel/tainted');
  if (text === null) return null;
  const v = Number(text.trim());
  return Number.isInteger(v) && v >= 0 ? v : null;
}

export interface LoadedModule {
  name: string;
  size: number;
  state: string;
  /** Taint letters the kernel prints after the address, e.g. "POE"; empty when none. */
  taints: string;
}

/** /proc/modules: "name size refcount deps state address [(taints)]" per line. */
export function parseModules(text: string): LoadedModule[] {
  const out: LoadedModule[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !f[0]) continue;
    const t = /\(([A-Z]+)\)\s*$/.exec(line);
    out.push({ name: f[0], size: Number(f[1]) || 0, state: f[4], taints: t ? t[1] : '' });
  }
  return out;
}

export function readModules(procRoot: string): LoadedModule[] | null {
  const text = readText(procRoot + '/modules', 4 * 1024 * 1024);
  return text === null ? null : parseModules(text);
}

/** The running kernel's release (what `uname -r` prints). */
export function readOsRelease(procRoot: string): string | null {
  return (readText(procRoot + '/sys/kernel/osrelease') ?? '').trim() || null;
}

export interface PidBrief {
  ids: StatusIds | null;
  startTicks: number | null;
  exe: string | null;
  cmdline: string[];
  cwd: string | null;
}

/** What a responder needs to see about one PID found by probing: ids, executable, command line, cwd. */
export function readPidBrief(procRoot: string, pid: number): PidBrief {
  const dir = procRoot + '/' + pid;
  const exe = readLink(dir + '/exe');
  const cwd = readLink(dir + '/cwd');
  const cmd = readBytes(dir + '/cmdline', 32 * 1024);
  const cmdline = cmd ? splitNul(cmd) : []; // split now: the bytes live in a shared buffer
  return {
    ids: readStatusIds(procRoot, pid),
    startTicks: readProcTimes(procRoot, pid)?.startTicks ?? null,
    exe: exe.ok ? exe.target : null,
    cmdline,
    cwd: cwd.ok ? cwd.target : null,
  };
}
