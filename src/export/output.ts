// Where scan output goes when it is not stdout, written through the safe opener (src/fsafe). minewatch
// runs as root: an output path must not let a user redirect root's write (a symlink, a hard link to
// /etc/shadow, a directory on the way that a user can write), and a reader tailing the file (Filebeat,
// Fluent Bit, Vector, Wazuh) must only ever see whole lines.
import { randomBytes } from 'node:crypto';
import { fchmodSync, fstatSync, fsyncSync, renameSync, unlinkSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { at, closeQuietly, codeOf, createNew, describeRefusal, isRefusal, SafeTree, type PinnedDir, type Refusal } from '../fsafe/index';
import { O_APPEND_LOG } from '../fsafe/pinned';

export class OutputError extends Error {}

function fail(r: Refusal): never {
  throw new OutputError(`refusing to write: ${describeRefusal(r)}`);
}

/** The directory holding `file`, reached by a checked walk from / (trusted directories only), pinned. */
function parentDir(file: string): { dir: PinnedDir; name: string } {
  const tree = new SafeTree('/');
  try {
    const p = tree.parentOf(resolve(file));
    if (isRefusal(p)) fail(p);
    return { dir: p.walked.dir, name: p.name };
  } finally {
    tree.close();
  }
}

function writeWhole(fd: number, buf: Buffer, where: string): void {
  const n = writeSync(fd, buf);
  if (n !== buf.length) throw new OutputError(`short write to ${where} (${n} of ${buf.length} bytes): disk full?`);
}

/**
 * Append lines to `file` (created 0640 when missing) with O_APPEND and one write(2) per line, so a
 * tailing reader never sees half a line and concurrent scans never interleave inside one. The file is
 * opened inside its pinned directory with O_NOFOLLOW, and must be a regular file of ours with one name.
 */
export function appendLines(file: string, lines: readonly string[]): void {
  const { dir, name } = parentDir(file);
  const where = `${dir.hostPath === '/' ? '' : dir.hostPath}/${name}`;
  let fd: number;
  try {
    try {
      fd = openSync(at(dir.fd, name), O_APPEND_LOG, 0o640);
    } catch (err) {
      const code = codeOf(err);
      if (code === 'ELOOP') throw new OutputError(`refusing to write: ${where} is a symbolic link`);
      // O_NONBLOCK write-open of a FIFO that nobody reads: it is not a file either way.
      if (code === 'ENXIO') throw new OutputError(`refusing to write: ${where} is not a regular file`);
      throw new OutputError(`cannot open ${where} (${code})`);
    }
  } finally {
    dir.close();
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new OutputError(`refusing to write: ${where} is not a regular file`);
    if (st.nlink !== 1) throw new OutputError(`refusing to write: ${where} has ${st.nlink} hard links`);
    if (st.uid !== (process.geteuid?.() ?? st.uid)) throw new OutputError(`refusing to write: ${where} is owned by uid ${st.uid}, not by minewatch's`);
    for (const line of lines) writeWhole(fd, Buffer.from(line, 'utf8'), where);
    fsyncSync(fd);
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Replace `dir/name` atomically: a temporary file created O_EXCL|O_NOFOLLOW in the same pinned
 * directory, fsynced, then renamed over the target. A reader sees the old file or the new one, never a
 * partial one. The temporary name does not end in .prom, so node_exporter skips it.
 */
export function writeAtomic(dirPath: string, name: string, content: string, mode = 0o644): string {
  const { dir } = parentDir(resolve(dirPath, name));
  const target = `${dir.hostPath === '/' ? '' : dir.hostPath}/${name}`;
  const tmpName = `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const tmp = createNew(dir, tmpName, mode);
    if (isRefusal(tmp)) fail(tmp);
    try {
      try {
        fchmodSync(tmp.fd, mode); // exactly `mode`, whatever the umask: node_exporter reads it as another user
        writeWhole(tmp.fd, Buffer.from(content, 'utf8'), target);
        fsyncSync(tmp.fd);
      } finally {
        closeQuietly(tmp.fd);
      }
      renameSync(at(dir.fd, tmpName), at(dir.fd, name));
    } catch (err) {
      try { unlinkSync(at(dir.fd, tmpName)); } catch { /* renamed or gone */ }
      throw err instanceof OutputError ? err : new OutputError(`cannot replace ${target} (${codeOf(err)})`);
    }
  } finally {
    dir.close();
  }
  return target;
}
