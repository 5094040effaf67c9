// Where scan output goes when it is not stdout. minewatch runs as root: an output path must not let a
// user redirect root's write (a symlink or a hard link to /etc/shadow planted where the log goes), and a
// reader tailing it (Filebeat, Fluent Bit, Vector, Wazuh) must only ever see whole lines.
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export class OutputError extends Error {}

/** Refuse anything but a regular file with one link: FIFOs and devices block or leak, a hard link redirects. */
function checkRegular(fd: number, path: string): void {
  const st = fstatSync(fd);
  if (!st.isFile()) throw new OutputError(`${path} is not a regular file: refusing to write to it`);
  if (st.nlink > 1) throw new OutputError(`${path} has ${st.nlink} hard links: refusing to write to it`);
}

function openError(err: unknown, path: string): OutputError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new OutputError(`${path} is a symbolic link: refusing to write through it`);
  if (code === 'ENXIO') return new OutputError(`${path} is not a regular file: refusing to write to it`);
  return new OutputError(`cannot open ${path}: ${(err as Error).message}`);
}

/**
 * Append lines to `path` (created 0640 when missing): O_APPEND, one write(2) per line, so a tailing
 * reader never sees half a line and concurrent scans never interleave inside one. The last path
 * component is opened with O_NOFOLLOW; the file must be regular, with a single link.
 */
export function appendLines(path: string, lines: readonly string[]): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY, 0o640);
  } catch (err) {
    throw openError(err, path);
  }
  try {
    checkRegular(fd, path);
    for (const line of lines) {
      const buf = Buffer.from(line, 'utf8');
      const n = writeSync(fd, buf);
      if (n !== buf.length) throw new OutputError(`short write to ${path} (${n} of ${buf.length} bytes): disk full?`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Replace `dir/name` atomically: write a temporary file in the same directory (created exclusively,
 * never followed), fsync it, then rename it over the target. A reader sees the old file or the new
 * one, never a partial one. The temporary name does not end in .prom, so node_exporter skips it.
 */
export function writeAtomic(dir: string, name: string, content: string, mode = 0o644): string {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW | constants.O_NOCTTY, mode);
  } catch (err) {
    throw new OutputError(`cannot write in ${dir}: ${(err as Error).message}`);
  }
  try {
    try {
      fchmodSync(fd, mode); // exactly `mode`, whatever the umask: node_exporter reads it as another user
      const buf = Buffer.from(content, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* already renamed or gone */ }
    throw err instanceof OutputError ? err : new OutputError(`cannot replace ${target}: ${(err as Error).message}`);
  }
  return target;
}
