// How the package database readers (sqlite.ts, bdb.ts, ndb.ts) open and read their file: read-only,
// no link followed in the last component, no FIFO waited on, regular files only; then positioned reads.
// These databases are root's (/var/lib/rpm, /usr/lib/sysimage/rpm), not files users control.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** A descriptor on the regular file at `path`, or null when there is none (or it is something else). */
export function openDbFile(path: string): number | null {
  let fd: number;
  try { fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK); } catch { return null; }
  try {
    if (fstatSync(fd).isFile()) return fd;
  } catch { /* closed below */ }
  closeSync(fd);
  return null;
}

/** `len` bytes at `pos`, or fewer where the file ends. */
export function readAt(fd: number, pos: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len); // only the bytes read are returned
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? buf : buf.subarray(0, got);
}
