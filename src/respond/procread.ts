// Small, self-contained /proc readers used by the response engine. Kept separate from the
// monitoring readers on purpose: every action re-reads the kernel's view right before it acts.
import fs from 'node:fs';
import path from 'node:path';
import type { ReadFailure } from '../model';

/** PF_KTHREAD in stat field 9: set only on kernel threads. */
export const PF_KTHREAD = 0x00200000;

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  flags: number;
  startTicks: number;
}

/**
 * Parse /proc/PID/stat. comm (field 2) is between the first '(' and the LAST ')' because a
 * process can put spaces and ')' into its own name; every field after it is found from the last ')'.
 */
export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text.slice(close + 1).trim().split(/\s+/);
  if (rest.length < 20) return null;
  const num = (field: number) => Number(rest[field - 3]);
  const fields: StatFields = {
    pid,
    comm,
    state: rest[0],
    ppid: num(4),
    pgrp: num(5),
    session: num(6),
    ttyNr: num(7),
    flags: num(9),
    startTicks: num(22),
  };
  if (!Number.isInteger(pid) || !Number.isFinite(fields.startTicks) || !Number.isFinite(fields.ppid)) return null;
  return fields;
}

export function failureOf(err: unknown): ReadFailure {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'EACCES';
  if (code === 'ENOENT' || code === 'ESRCH') return 'ENOENT';
  return 'EOTHER';
}

export function pidDir(procRoot: string, pid: number): string {
  return path.join(procRoot, String(pid));
}

/** stat of PID, or null when the process is gone or unreadable. */
export function readStat(procRoot: string, pid: number): StatFields | null {
  try {
    return parseStat(fs.readFileSync(path.join(pidDir(procRoot, pid), 'stat'), 'utf8'));
  } catch {
    return null;
  }
}

/** Real uid from the Uid: line of /proc/PID/status; falls back to the owner of /proc/PID. */
export function readUid(procRoot: string, pid: number): number | null {
  try {
    const status = fs.readFileSync(path.join(pidDir(procRoot, pid), 'status'), 'utf8');
    const m = /^Uid:\s+(\d+)/m.exec(status);
    if (m) return Number(m[1]);
  } catch {
    /* fall through */
  }
  try {
    return fs.statSync(pidDir(procRoot, pid)).uid;
  } catch {
    return null;
  }
}

export function readCmdline(procRoot: string, pid: number): string[] {
  try {
    const raw = fs.readFileSync(path.join(pidDir(procRoot, pid), 'cmdline'));
    if (raw.length === 0) return [];
    const text = raw.toString('utf8');
    const parts = text.split('\0');
    if (parts[parts.length - 1] === '') parts.pop();
    return parts;
  } catch {
    return [];
  }
}

export interface LinkRead {
  target: string | null;
  deleted: boolean;
  error: ReadFailure | null;
}

const DELETED = ' (deleted)';

export function readLink(p: string): LinkRead {
  try {
    const raw = fs.readlinkSync(p);
    if (raw.endsWith(DELETED)) return { target: raw.slice(0, -DELETED.length), deleted: true, error: null };
    return { target: raw, deleted: false, error: null };
  } catch (err) {
    return { target: null, deleted: false, error: failureOf(err) };
  }
}

/** dev:ino of the file the exe link opens (works for deleted files), or null. */
export function exeIdentity(procRoot: string, pid: number): { dev: number; ino: number } | null {
  try {
    const st = fs.statSync(path.join(pidDir(procRoot, pid), 'exe'));
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

/** User name for a uid from <root>/etc/passwd; the number as text when unknown. */
export function userName(uid: number, root = '/'): string {
  try {
    const passwd = fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8');
    for (const line of passwd.split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && Number(f[2]) === uid && f[2] !== '') return f[0];
    }
  } catch {
    /* unknown */
  }
  return String(uid);
}
