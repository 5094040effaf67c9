// The /proc/PID inspector: everything a responder gathered by hand about one process, as one report.
// inspectQuick is synchronous and cheap (no hashing); inspectProcess adds sha256/md5 and the strings
// scan of the executable, streamed, abortable and with progress. Read-only: nothing on the host changes.

import { openExe, pidExists } from '../procfs/pid';
import { hashFile, readExecutable } from './executable';
import { readHistory } from './history';
import { readIdentity, readStat } from './identity';
import { readLogins } from './logins';
import { readConnections } from './net';
import { readCmdline, readCwd, readEnvironment, readMemoryMaps, readOpenFiles } from './procfiles';
import type { InspectOptions, InspectProcessOptions, InspectReport, Section } from './types';
import { procReason, reasonFor, section } from './util';
import { loadUserDb } from './users';

export type * from './types';
export { hashFile, fileTypeFromBytes, classifyString, StringsScanner, poolHost } from './executable';
export { formatInspect } from './format';

function failed<T>(reason: string): Section<T> {
  return { ok: false, reason };
}

/** Every section except the executable's hashes and strings scan (sha256/md5 null, stringsHits []). */
export function inspectQuick(pid: number, opts: InspectOptions = {}): InspectReport {
  const procRoot = opts.procRoot ?? '/proc';
  const root = opts.root ?? '/';
  const takenAt = Date.now();
  let gone: string | null = null;
  if (!Number.isInteger(pid) || pid <= 0) gone = 'not a process id';
  else {
    try {
      if (!pidExists(procRoot, pid)) gone = 'process has exited';
    } catch (err) {
      gone = reasonFor(err);
    }
  }
  if (gone) {
    return {
      pid,
      takenAt,
      identity: failed(gone),
      executable: failed(gone),
      cwd: failed(gone),
      cmdline: failed(gone),
      environment: failed(gone),
      openFiles: failed(gone),
      connections: failed(gone),
      memoryMaps: failed(gone),
      logins: failed(gone),
      history: failed(gone),
    };
  }

  const pr = (err: unknown) => procReason(err, procRoot, pid);
  const db = loadUserDb(root);
  const identity = section(() => readIdentity(procRoot, root, pid, db), pr);
  const openFiles = section(() => readOpenFiles(procRoot, pid), pr);
  const cmdline = section(() => readCmdline(procRoot, pid), pr);
  const owner = identity.ok ? null : `owner unknown (${identity.reason})`;
  return {
    pid,
    takenAt,
    identity,
    executable: section(() => readExecutable(procRoot, pid, db), pr),
    cwd: section(() => readCwd(procRoot, pid), pr),
    cmdline: cmdline.ok ? { ok: true, data: cmdline.data.argv } : cmdline,
    ...(cmdline.ok && cmdline.data.truncated ? { cmdlineTruncated: true } : {}),
    environment: section(() => readEnvironment(procRoot, pid), pr),
    openFiles,
    connections: openFiles.ok
      ? section(() => readConnections(procRoot, pid, openFiles.data.sockets), pr)
      : failed(`open files unreadable: ${openFiles.reason}`),
    memoryMaps: section(() => readMemoryMaps(procRoot, pid), pr),
    logins: identity.ok ? section(() => readLogins(root, identity.data.user, takenAt, logGroups(db)), reasonFor) : failed(owner!),
    history: identity.ok ? section(() => readHistory(root, identity.data.home), reasonFor) : failed(owner!),
  };
}

/** Groups that write /var/log on Debian and Ubuntu (root:syslog 0775, files syslog:adm). */
function logGroups(db: ReturnType<typeof loadUserDb>): number[] {
  return db.groups.filter((g) => g.name === 'syslog' || g.name === 'adm').map((g) => g.gid);
}

function abortError(): Error {
  const e = new Error('inspection aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * The full report: inspectQuick plus sha256 + md5 and the strings scan of /proc/PID/exe (so a deleted
 * or memfd binary is hashed too). Never blocks the event loop for long; rejects with an AbortError
 * when `signal` fires. If the PID is reused while hashing, the hashes are discarded (hashNote says so).
 */
export async function inspectProcess(pid: number, opts: InspectProcessOptions = {}): Promise<InspectReport> {
  if (opts.signal?.aborted) throw abortError();
  const procRoot = opts.procRoot ?? '/proc';
  const report = inspectQuick(pid, opts);
  if (!report.executable.ok) return report;
  const exe = report.executable.data;
  try {
    const r = await hashFile(openExe(procRoot, pid), { onProgress: opts.onProgress, signal: opts.signal, total: exe.size ?? undefined });
    let after: number | null = null;
    try {
      after = readStat(procRoot, pid).startTicks;
    } catch {
      after = null;
    }
    if (report.identity.ok && after !== null && after !== report.identity.data.startTicks) {
      exe.hashNote = 'PID was reused while hashing: hashes discarded';
    } else {
      exe.sha256 = r.sha256;
      exe.md5 = r.md5;
      exe.stringsHits = r.stringsHits;
      exe.bytesHashed = r.bytes;
      exe.stringsScanned = r.stringsScanned;
      if (after === null) exe.hashNote = 'process exited while hashing (hash is of the file it ran)';
    }
  } catch (err) {
    if ((err as Error)?.name === 'AbortError') throw err;
    exe.hashNote = procReason(err, procRoot, pid);
  }
  return report;
}
