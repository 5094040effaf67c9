// Bounded, synchronous file helpers and plain-words error reasons for the inspector.
// Nothing here writes, spawns or follows more than it must: every read is capped.

import fs from 'node:fs';
import path from 'node:path';
import { attempt, pidExists, ProcFormatError } from '../procfs/pid';

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** A path on the host under `root` ("/" in production, a fixture tree in tests). */
export function underRoot(root: string, abs: string): string {
  return path.join(root, abs);
}

/** Read at most `cap` bytes from the start of a file (works on /proc files whose size is 0). */
export function readCapped(file: string, cap: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < cap) {
      const buf = Buffer.allocUnsafe(Math.min(64 * KiB, cap - total));
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

export function readTextCapped(file: string, cap: number): string {
  return readCapped(file, cap).toString('utf8');
}

/** Read at most the last `cap` bytes of a regular file; `aligned` rounds the start to a record size. */
export function readTail(file: string, cap: number, aligned = 1): { buf: Buffer; truncated: boolean } {
  // O_NONBLOCK: a FIFO planted where a log or history file should be must not hang the inspector.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new SectionError(`${path.basename(file)} is not a regular file`);
    const size = st.size;
    let start = Math.max(0, size - cap);
    if (aligned > 1) start = Math.ceil(start / aligned) * aligned;
    const len = Math.max(0, size - start);
    const buf = Buffer.alloc(len);
    let off = 0;
    while (off < len) {
      const n = fs.readSync(fd, buf, off, len - off, start + off);
      if (n <= 0) break;
      off += n;
    }
    return { buf: buf.subarray(0, off), truncated: start > 0 };
  } finally {
    fs.closeSync(fd);
  }
}

export function errCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'EOTHER';
}

/** Plain words for an errno, e.g. "needs root (EACCES)", "no such file". */
export function reasonFor(err: unknown): string {
  const code = errCode(err);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      // As root this means a security module or missing capability, not a missing sudo.
      return process.geteuid?.() === 0 ? `permission denied even as root (${code})` : `needs root (${code})`;
    case 'ENOENT':
      return 'no such file';
    case 'ESRCH':
      return 'process has exited';
    case 'ENOTDIR':
      return 'not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code === 'EOTHER' ? `read failed (${String((err as Error)?.message ?? err)})` : `read failed (${code})`;
  }
}

/** Like reasonFor, but a missing /proc entry of a process whose directory is gone means it exited. */
export function procReason(err: unknown, procRoot: string, pid: number): string {
  const code = errCode(err);
  if ((code === 'ENOENT' || code === 'ESRCH') && attempt(() => pidExists(procRoot, pid)) === false) {
    return 'process has exited';
  }
  return reasonFor(err);
}

/** Run `fn`, turning a thrown error into a failed section with `reason(err)`. */
export function section<T>(fn: () => T, reason: (err: unknown) => string): { ok: true; data: T } | { ok: false; reason: string } {
  try {
    return { ok: true, data: fn() };
  } catch (err) {
    if (err instanceof SectionError || err instanceof ProcFormatError) return { ok: false, reason: err.message };
    return { ok: false, reason: reason(err) };
  }
}

/** Thrown inside a section to fail it with an exact plain-words reason. */
export class SectionError extends Error {}

/** Push into a list only while it is below `cap`. */
export function pushCapped<T>(list: T[], item: T, cap: number): void {
  if (list.length < cap) list.push(item);
}
