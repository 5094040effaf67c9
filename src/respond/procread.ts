// Small, self-contained /proc readers used by the response engine. Kept separate from the
// monitoring readers on purpose: every action re-reads the kernel's view right before it acts.
import fs from 'node:fs';
import path from 'node:path';
import type { ReadFailure } from '../model';
import { failureOf, splitNul } from '../procfs/files';
import { PF_KTHREAD, parseStat, type StatFields } from '../procfs/stat';
import { readAccounts, userName as accountName } from '../procfs/users';

// One stat parser, one failure mapping, one passwd parser for the whole project.
export { PF_KTHREAD, parseStat, failureOf };
export type { StatFields };

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
    return splitNul(fs.readFileSync(path.join(pidDir(procRoot, pid), 'cmdline')));
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
  return accountName(readAccounts(root), uid);
}
