// Small synchronous readers for /proc files and links. /proc files report size 0, so they are read
// into a reused buffer with one open/read/close and no fstat. Failures come back as a ReadFailure code:
// a process that vanished (ENOENT/ESRCH) or a link we may not read (EACCES) is normal, never an error.
import { closeSync, openSync, readSync, readlinkSync } from 'node:fs';
import type { ReadFailure } from '../model';

let shared = Buffer.allocUnsafe(64 * 1024);

export function failureOf(err: unknown): ReadFailure {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'EACCES';
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return 'ENOENT';
  return 'EOTHER';
}

/** Read at most `max` bytes of a file; returns the bytes (a view into a shared buffer: copy or decode at once) or null. */
export function readBytes(path: string, max = 64 * 1024): Buffer | null {
  if (shared.length < max) shared = Buffer.allocUnsafe(max);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    let total = 0;
    while (total < max) {
      const n = readSync(fd, shared, total, max - total, null);
      if (n <= 0) break;
      total += n;
    }
    return shared.subarray(0, total);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** open(2) read-only; -1 when it cannot be opened (gone, not allowed, out of descriptors). */
export function openFd(path: string): number {
  try {
    return openSync(path, 'r');
  } catch {
    return -1;
  }
}

/** One pread(2) at offset 0 into `buf`: the byte count, or -1 on failure (ESRCH once the process is gone). */
export function preadStart(fd: number, buf: Buffer): number {
  try {
    return readSync(fd, buf, 0, buf.length, 0);
  } catch {
    return -1;
  }
}

export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed: nothing to release
  }
}

/** Read a small text file (UTF-8, invalid bytes replaced), or null when it cannot be read. */
export function readText(path: string, max = 64 * 1024): string | null {
  const b = readBytes(path, max);
  return b === null ? null : b.toString('utf8');
}

export type LinkResult = { ok: true; target: string } | { ok: false; failure: ReadFailure };

export function readLink(path: string): LinkResult {
  try {
    return { ok: true, target: readlinkSync(path) };
  } catch (err) {
    return { ok: false, failure: failureOf(err) };
  }
}

/** Split a NUL-separated buffer (cmdline, environ) into strings; a trailing NUL does not make an empty entry. */
export function splitNul(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const end = buf[buf.length - 1] === 0 ? buf.length - 1 : buf.length;
  return buf.toString('utf8', 0, end).split('\0');
}
