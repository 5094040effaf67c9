// The one capped reader and the one link reader for /proc (and the kernel-made files next to it).
// /proc files report size 0, so they are read until EOF or the cap, never by their size.
// Every open is O_NONBLOCK and O_NOFOLLOW: with `--proc DIR` the tree is whatever a user made, and a FIFO
// planted as /proc/N/stat must not block the poll loop, a symlink planted as /proc/N/cmdline must not
// show another file's bytes as a command line. Every read is bounded by its cap. (No fstat per read: on
// the live /proc every file is the kernel's, and in a fixture tree O_NONBLOCK plus the cap already bound
// what a FIFO or a device can do; the hot path stays at one open, one read, one close.)
// Failures come back as a ReadFailure code: a process that vanished (ENOENT/ESRCH) or a file we may not
// read (EACCES) is normal, never an error.
import { closeSync, constants, openSync, readlinkSync, readSync } from 'node:fs';
import type { ReadFailure } from '../model';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;
/** Reads up to this size go through one scratch buffer (no allocation per read); larger caps allocate. */
const SCRATCH_MAX = 1024 * 1024;
const CHUNK = 64 * 1024;

let scratch = Buffer.allocUnsafe(64 * 1024);

export function failureOf(err: unknown): ReadFailure {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'EACCES';
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return 'ENOENT';
  return 'EOTHER';
}

/**
 * Read at most `cap` bytes from the start of a file; throws the open/read error. The result may be a
 * view into a scratch buffer that the next read reuses: decode or copy it at once.
 * `oneRead`: a single read(2) of `cap` bytes, for the /proc files the kernel hands
 * over whole in one read when the buffer holds them, so the read that would only confirm the end is not
 * made: seq_file records of single_open (stat, status, cgroup: the record is built whole, the buffer
 * grown until it fits, then copied up to the count) and cmdline/environ (copied page by page until the
 * count or the end). Not for files of many records (maps, net/tcp): seq_file hands those over about a
 * page per read. On a fixture tree the file is a regular one, which one read also returns whole. Larger
 * caps than the scratch buffer read until the end as before.
 */
export function readCapped(path: string, cap: number, oneRead = false): Buffer {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    if (cap <= SCRATCH_MAX) {
      if (scratch.length < cap) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(cap, scratch.length * 2)));
      if (oneRead) return scratch.subarray(0, Math.max(0, readSync(fd, scratch, 0, cap, null)));
      let total = 0;
      while (total < cap) {
        const n = readSync(fd, scratch, total, cap - total, null);
        if (n <= 0) break;
        total += n;
      }
      return scratch.subarray(0, total);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < cap) {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, cap - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** readCapped, or null when the file cannot be read (same scratch-buffer rule). */
export function readBytes(path: string, max = 64 * 1024): Buffer | null {
  try {
    return readCapped(path, max);
  } catch {
    return null;
  }
}

/** A small text file (UTF-8, invalid bytes replaced), or null when it cannot be read. */
export function readText(path: string, max = 64 * 1024): string | null {
  const b = readBytes(path, max);
  return b === null ? null : b.toString('utf8');
}

/** open(2) for reading with the same flags as readCapped; -1 when it cannot be opened. */
export function openFd(path: string): number {
  try {
    return openSync(path, OPEN_FLAGS);
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

export type LinkResult = { ok: true; target: string } | { ok: false; failure: ReadFailure; code: string };

/** readlink(2): never follows, never blocks; the kernel bounds the answer (PATH_MAX). */
export function readLink(path: string): LinkResult {
  try {
    return { ok: true, target: readlinkSync(path) };
  } catch (err) {
    return { ok: false, failure: failureOf(err), code: (err as NodeJS.ErrnoException)?.code ?? 'EOTHER' };
  }
}

/** Split a NUL-separated buffer (cmdline, environ) into strings; a trailing NUL does not make an empty entry. */
export function splitNul(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const end = buf[buf.length - 1] === 0 ? buf.length - 1 : buf.length;
  return buf.toString('utf8', 0, end).split('\0');
}
