// What the deep scan needs from a proc tree: the PID listing, a direct probe of /proc/N that does not
// go through the listing, the ids in /proc/N/status, CPU times of the whole machine and of one process
// (the per-PID ones through pid.ts, the one per-PID reader), pid_max, the kernel taint mask and the
// module list. Plain synchronous reads, no child
// process; every function takes the proc root so tests run on fixture trees.
import { readText } from './files';
import { attempt, listPids as listPidArray, probePid, readCmdline, readCwd, readExe, readStat, readStatus, readTaskIds as readTasks } from './pid';
import { parseStat, type StatFields } from './stat';

/** PIDs in the directory listing of the proc root (what readdir/scandir, and so any hook on them, returns). */
export function listPids(procRoot: string): Set<number> {
  return new Set(listPidArray(procRoot));
}

export { probePid };

export interface StatusIds {
  pid: number;
  tgid: number;
  ppid: number;
  name: string;
  uid: number;
}

/** Name, Tgid, Pid, PPid and the effective uid from /proc/N/status (pid.ts); null when unreadable or gone. */
export function readStatusIds(procRoot: string, n: number): StatusIds | null {
  const st = attempt(() => readStatus(procRoot, n));
  if (!st || st.pid === null) return null;
  return { pid: st.pid, tgid: st.tgid ?? st.pid, ppid: st.ppid ?? 0, name: st.name ?? '', uid: st.effectiveUid };
}

/** Thread ids under /proc/N/task (the leader included); empty when unreadable. */
export function readTaskIds(procRoot: string, pid: number): number[] {
  return attempt(() => readTasks(procRoot, pid)) ?? [];
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
export function procTimesOf(st: StatFields): ProcTimes {
  return { startTicks: st.startTicks, own: st.utime + st.stime, reaped: st.cutime + st.cstime, comm: st.comm };
}

export function parseProcTimes(text: string): ProcTimes | null {
  const st = parseStat(text);
  return st ? procTimesOf(st) : null;
}

export function readProcTimes(procRoot: string, pid: number): ProcTimes | null {
  const st = attempt(() => readStat(procRoot, pid));
  return st ? procTimesOf(st) : null;
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
  return {
    ids: readStatusIds(procRoot, pid),
    startTicks: readProcTimes(procRoot, pid)?.startTicks ?? null,
    exe: attempt(() => { const e = readExe(procRoot, pid); return e.deleted ? `${e.path} (deleted)` : e.path; }),
    cmdline: attempt(() => readCmdline(procRoot, pid).argv) ?? [],
    cwd: attempt(() => readCwd(procRoot, pid)),
  };
}
