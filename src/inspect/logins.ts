// The `last` / `lastb` / auth.log grep of a responder, for the owner of a process: recent logins and
// failed logins from <root>/var/log/wtmp and btmp (glibc utmp records), falling back to
// auth.log / secure when those are missing or empty. Only the tail of each file is read.

import type { LoginRecord, Logins } from './types';
import { MiB, readUserFile, SectionError } from './util';

/** sizeof(struct utmp) on x86_64, aarch64 and other 64-bit glibc targets (32-bit time fields). */
export const UTMP_SIZE = 384;
export const UT = {
  type: 0, // short
  pid: 4, // int
  line: 8, // char[32]
  id: 40, // char[4]
  user: 44, // char[32]
  host: 76, // char[256]
  session: 336, // int
  tvSec: 340, // int32
  tvUsec: 344, // int32
  addr: 348, // int32[4]
} as const;
export const LOGIN_PROCESS = 6;
export const USER_PROCESS = 7;

const MAX_RECORDS_READ = 4096;
const LOG_TAIL = 2 * MiB;
const MAX_RESULTS = 20;

function cstr(buf: Buffer, off: number, len: number): string {
  const slice = buf.subarray(off, off + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

export interface UtmpRecord {
  type: number;
  pid: number;
  line: string;
  user: string;
  host: string;
  time: number;
}

export function parseUtmp(buf: Buffer): UtmpRecord[] {
  const out: UtmpRecord[] = [];
  for (let off = 0; off + UTMP_SIZE <= buf.length; off += UTMP_SIZE) {
    out.push({
      type: buf.readInt16LE(off + UT.type),
      pid: buf.readInt32LE(off + UT.pid),
      line: cstr(buf, off + UT.line, 32),
      user: cstr(buf, off + UT.user, 32),
      host: cstr(buf, off + UT.host, 256),
      time: buf.readUInt32LE(off + UT.tvSec) * 1000 + Math.floor(buf.readInt32LE(off + UT.tvUsec) / 1000),
    });
  }
  return out;
}

/** Records of `user` with one of `types`, newest first; null when the file is missing or empty. */
function fromUtmpFile(root: string, file: string, user: string, types: number[], groups: number[]): LoginRecord[] | null {
  let buf: Buffer;
  try {
    buf = readUserFile(root, file, MAX_RECORDS_READ * UTMP_SIZE, { over: 'tail', aligned: UTMP_SIZE, groups }).buf;
  } catch {
    return null;
  }
  if (buf.length < UTMP_SIZE) return null;
  const out: LoginRecord[] = [];
  const recs = parseUtmp(buf);
  for (let i = recs.length - 1; i >= 0 && out.length < MAX_RESULTS; i--) {
    const r = recs[i]!;
    if (types.includes(r.type) && r.user === user) out.push({ user: r.user, tty: r.line, host: r.host, time: r.time });
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Time of a syslog line: RFC 3339 prefix, or "Mon dd HH:MM:SS" in the year that puts it in the past. */
export function syslogTime(line: string, now: number): number | null {
  const iso = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)/.exec(line);
  if (iso) {
    const t = Date.parse(iso[1]!);
    return Number.isNaN(t) ? null : t;
  }
  const bsd = /^([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})/.exec(line);
  if (!bsd) return null;
  const month = MONTHS.indexOf(bsd[1]!);
  if (month < 0) return null;
  const year = new Date(now).getFullYear();
  const at = (y: number) => new Date(y, month, Number(bsd[2]), Number(bsd[3]), Number(bsd[4]), Number(bsd[5])).getTime();
  const t = at(year);
  return t > now + 86_400_000 ? at(year - 1) : t;
}

/** sshd "Accepted" and "Failed" lines for `user` from the tail of an auth log, newest first. */
export function parseAuthLog(text: string, user: string, now: number): { last: LoginRecord[]; failed: LoginRecord[] } {
  const last: LoginRecord[] = [];
  const failed: LoginRecord[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (last.length >= MAX_RESULTS && failed.length >= MAX_RESULTS) break;
    let m = /sshd\[\d+\]: Accepted \S+ for (\S+) from (\S+) port \d+/.exec(line);
    if (m && m[1] === user) {
      if (last.length < MAX_RESULTS) last.push({ user, tty: 'ssh', host: m[2]!, time: syslogTime(line, now) });
      continue;
    }
    m = /sshd\[\d+\]: Failed \S+ for (?:invalid user )?(\S*) from (\S+) port \d+/.exec(line);
    if (m && m[1] === user && failed.length < MAX_RESULTS) {
      failed.push({ user, tty: 'ssh', host: m[2]!, time: syslogTime(line, now) });
    }
  }
  return { last, failed };
}

const AUTH_LOGS = ['/var/log/auth.log', '/var/log/secure'];

/**
 * Logins and failed logins of `user`. Throws only when no source at all could be read, with a
 * reason listing what was tried.
 */
export function readLogins(root: string, user: string, now = Date.now(), logGroups: number[] = []): Logins {
  const sources: string[] = [];
  let last = fromUtmpFile(root, '/var/log/wtmp', user, [USER_PROCESS], logGroups);
  if (last) sources.push('/var/log/wtmp');
  let failed = fromUtmpFile(root, '/var/log/btmp', user, [LOGIN_PROCESS, USER_PROCESS], logGroups);
  if (failed) sources.push('/var/log/btmp');

  if (!last || !failed) {
    for (const log of AUTH_LOGS) {
      let text: string;
      try {
        text = readUserFile(root, log, LOG_TAIL, { over: 'tail', groups: logGroups }).buf.toString('utf8');
      } catch {
        continue;
      }
      const parsed = parseAuthLog(text, user, now);
      last ??= parsed.last;
      failed ??= parsed.failed;
      sources.push(log);
      break;
    }
  }
  if (!last && !failed) throw new SectionError('no login records: wtmp, btmp, auth.log and secure are missing, empty or unreadable');
  return { last: last ?? [], failed: failed ?? [], source: sources.join(', ') };
}
