// Pin a process identity when the admin selects it, and re-check that identity immediately before
// every signal: a PID alone is not an identity (PIDs are recycled), pid + start time + executable is.
import { sanitize } from '../text/sanitize';
import type { ProcessInfo } from '../model';
import { PF_KTHREAD, exeIdentity, readCmdline, readExeLink, readNsPids, readStat, readUid, userName } from './procread';

export interface PinnedTarget {
  pid: number;
  /** stat field 22, clock ticks since boot. */
  startTicks: number;
  /** Target of the exe link with " (deleted)" removed; null when unreadable (kernel thread, EACCES). */
  exe: string | null;
  exeDeleted: boolean;
  /** dev/ino of the executable behind /proc/PID/exe; null when it could not be stat'ed. */
  exeDev: number | null;
  exeIno: number | null;
  uid: number;
  user: string;
  /** comm (untrusted). */
  name: string;
  cmdline: string[];
  ppid: number;
  session: number;
  ttyNr: number;
  flags: number;
  kernelThread: boolean;
  /** The init (PID 1) of a nested PID namespace: it ignores SIGTERM unless it installed a handler. */
  nsInit: boolean;
  /** Milliseconds since the epoch when the identity was pinned. */
  pinnedAt: number;
}

export interface TargetOptions {
  procRoot?: string;
  /** Root for /etc/passwd look-ups. */
  root?: string;
  now?: () => number;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export function pinTarget(pid: number, opts: TargetOptions = {}): PinnedTarget | { error: string } {
  const procRoot = opts.procRoot ?? '/proc';
  if (!Number.isInteger(pid) || pid <= 0) return { error: `${pid} is not a valid process id` };
  const stat = readStat(procRoot, pid);
  if (!stat) return { error: `process ${pid} does not exist (it may have exited)` };
  const uid = readUid(procRoot, pid);
  if (uid === null) return { error: `process ${pid} has exited` };
  const exe = readExeLink(procRoot, pid);
  const id = exe.target !== null ? exeIdentity(procRoot, pid) : null;
  const pinned: PinnedTarget = {
    pid,
    startTicks: stat.startTicks,
    exe: exe.target,
    exeDeleted: exe.deleted,
    exeDev: id?.dev ?? null,
    exeIno: id?.ino ?? null,
    uid,
    user: userName(uid, opts.root ?? '/'),
    name: stat.comm,
    cmdline: readCmdline(procRoot, pid),
    ppid: stat.ppid,
    session: stat.session,
    ttyNr: stat.ttyNr,
    flags: stat.flags,
    kernelThread: (stat.flags & PF_KTHREAD) !== 0,
    nsInit: nsInitOf(readNsPids(procRoot, pid)),
    pinnedAt: (opts.now ?? Date.now)(),
  };
  // A second look at the start time: if the process was replaced while we read it, refuse to pin.
  const again = readStat(procRoot, pid);
  if (!again || again.startTicks !== stat.startTicks) return { error: `process ${pid} changed while it was being read; select it again` };
  return pinned;
}

function nsInitOf(nspids: number[] | null): boolean {
  return nspids !== null && nspids.length > 1 && nspids[nspids.length - 1] === 1;
}

/**
 * Pin the process the user saw: read it now and require that it is still the one in the snapshot
 * (same start time; same executable when the snapshot knew it). A PID that exited and was reused
 * since the snapshot is refused, never pinned as the new process.
 */
export function pinSeen(seen: Pick<ProcessInfo, 'pid' | 'startTicks' | 'exe'>, opts: TargetOptions = {}): PinnedTarget | { error: string } {
  const t = pinTarget(seen.pid, opts);
  if ('error' in t) return t;
  if (t.startTicks !== seen.startTicks) {
    return { error: `PID ${seen.pid} is no longer the process shown (it exited and the PID was reused: start time changed)` };
  }
  if (seen.exe !== null && t.exe !== null && t.exe !== seen.exe) {
    return { error: `PID ${seen.pid} now runs ${sanitize(t.exe)}, not ${sanitize(seen.exe)} as shown` };
  }
  return t;
}

/** One line naming the pinned process, safe for a terminal. */
export function describeTarget(t: PinnedTarget): string {
  const exe = t.exe === null ? 'executable unknown' : sanitize(t.exe) + (t.exeDeleted ? ' (deleted)' : '');
  return `PID ${t.pid} "${sanitize(t.name)}" (${exe}, user ${sanitize(t.user)})`;
}

/**
 * Re-read the process right before acting. Not ok when it exited, when the PID now belongs to a
 * process with another start time, when it executed a different file, or when its owner changed.
 */
export function verifyTarget(pinned: PinnedTarget, opts: TargetOptions = {}): VerifyResult {
  const procRoot = opts.procRoot ?? '/proc';
  const pid = pinned.pid;
  const nothing = 'nothing was sent';
  const stat = readStat(procRoot, pid);
  if (!stat) return { ok: false, reason: `process ${pid} has already exited: ${nothing}` };
  if (stat.startTicks !== pinned.startTicks) {
    return { ok: false, reason: `PID ${pid} now belongs to another process (start time changed): ${nothing}` };
  }
  if (stat.state === 'Z' || stat.state === 'X') {
    return { ok: false, reason: `process ${pid} has already exited (zombie waiting for its parent): ${nothing}` };
  }
  const uid = readUid(procRoot, pid);
  if (uid === null) return { ok: false, reason: `process ${pid} has already exited: ${nothing}` };
  if (uid !== pinned.uid) {
    return { ok: false, reason: `PID ${pid} changed owner (uid ${pinned.uid} -> ${uid}) since it was selected: ${nothing}` };
  }
  if (pinned.exe !== null) {
    const exe = readExeLink(procRoot, pid);
    if (exe.target === null) {
      return {
        ok: false,
        reason: `could not re-read the executable of PID ${pid} (${exe.error}) to confirm it is the same process: ${nothing}`,
      };
    }
    if (exe.target !== pinned.exe) {
      return {
        ok: false,
        reason: `PID ${pid} now runs a different program (${sanitize(exe.target)} instead of ${sanitize(pinned.exe)}): ${nothing}`,
      };
    }
    if (pinned.exeDev !== null && pinned.exeIno !== null) {
      const id = exeIdentity(procRoot, pid);
      if (!id || id.dev !== pinned.exeDev || id.ino !== pinned.exeIno) {
        return { ok: false, reason: `PID ${pid} now runs a different executable file (exe inode changed): ${nothing}` };
      }
    }
  }
  // Re-check the start time last, so a process replaced during the checks above is still caught.
  const last = readStat(procRoot, pid);
  if (!last || last.startTicks !== pinned.startTicks) {
    return { ok: false, reason: `PID ${pid} now belongs to another process (start time changed): ${nothing}` };
  }
  return { ok: true };
}
