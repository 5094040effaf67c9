// What the response engine reads of a process, right before it acts: the one per-PID reader
// (src/procfs/pid.ts) with "gone or unreadable" as null, the shape every check here wants.
import type { ReadFailure } from '../model';
import { readLink as readLinkAt } from '../procfs/files';
import { attempt, failureOf, parseExeLink, pidDir, readCmdline as readArgv, readExe, readStat as readProcStat, readStatus, statExe } from '../procfs/pid';
import { PF_KTHREAD, parseStat, type StatFields } from '../procfs/stat';
import { readAccounts, userName as accountName } from '../procfs/users';

// One stat parser, one failure mapping, one passwd parser for the whole project.
export { PF_KTHREAD, parseStat, failureOf, pidDir };
export type { StatFields };

/** stat of PID, or null when the process is gone or unreadable. */
export function readStat(procRoot: string, pid: number): StatFields | null {
  return attempt(() => readProcStat(procRoot, pid));
}

/** Real uid from the Uid: line of /proc/PID/status; null when it cannot be read (never guessed). */
export function readUid(procRoot: string, pid: number): number | null {
  return attempt(() => readStatus(procRoot, pid).realUid);
}

/** The PIDs of a process in each nested PID namespace (NSpid: line), outermost first; null when unknown. */
export function readNsPids(procRoot: string, pid: number): number[] | null {
  const ns = attempt(() => readStatus(procRoot, pid).nsPids);
  return ns && ns.length > 0 ? ns : null;
}

export function readCmdline(procRoot: string, pid: number): string[] {
  return attempt(() => readArgv(procRoot, pid).argv) ?? [];
}

export interface LinkRead {
  target: string | null;
  deleted: boolean;
  error: ReadFailure | null;
}

/** /proc/PID/exe with " (deleted)" split off; the failure kind when it cannot be read. */
export function readExeLink(procRoot: string, pid: number): LinkRead {
  try {
    const exe = readExe(procRoot, pid);
    return { target: exe.path, deleted: exe.deleted, error: null };
  } catch (err) {
    return { target: null, deleted: false, error: failureOf(err) };
  }
}

/** Any link under /proc/PID (evidence capture), in the same shape. */
export function readLink(p: string): LinkRead {
  const r = readLinkAt(p);
  if (!r.ok) return { target: null, deleted: false, error: r.failure };
  const exe = parseExeLink(r.target);
  return { target: exe.path, deleted: exe.deleted, error: null };
}

/** dev:ino of the file the exe link opens (works for deleted files), or null. */
export function exeIdentity(procRoot: string, pid: number): { dev: number; ino: number } | null {
  const st = attempt(() => statExe(procRoot, pid));
  return st ? { dev: st.dev, ino: st.ino } : null;
}

/** User name for a uid from <root>/etc/passwd; the number as text when unknown. */
export function userName(uid: number, root = '/'): string {
  return accountName(readAccounts(root), uid);
}
