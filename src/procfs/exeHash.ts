// SHA-256 of the executable a process runs, read through /proc/PID/exe with pid.ts's openExe (so a
// deleted or memfd binary is hashed too, and a path swapped after exec is not; the open never blocks and
// anything but a regular file is refused), with a size bound. Results are cached by device, inode, size
// and mtime: the processes of one binary (eight miner copies, a hundred sshd sessions) are read once.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, readSync } from 'node:fs';
import { failureOf, openExe, readStat } from './pid';

/** Larger files are not hashed (the reason says so): a miner is a few MB, a scan must stay cheap. */
export const MAX_HASH_BYTES = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;

export type ExeHash =
  | { ok: true; sha256: string; bytes: number; cached: boolean }
  | { ok: false; reason: string };

export class ExeHasher {
  private cache = new Map<string, string>();
  private buf: Buffer | null = null;
  /** Files actually read (not served from the cache), for tests and the bench. */
  reads = 0;

  constructor(private readonly procRoot: string, private readonly maxBytes = MAX_HASH_BYTES) {}

  /** Hash /proc/PID/exe; `startTicks` (stat field 22) guards against the PID being reused meanwhile. */
  hash(pid: number, startTicks: number): ExeHash {
    let fd: number;
    try {
      fd = openExe(this.procRoot, pid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EFTYPE') return { ok: false, reason: 'not a regular file' };
      const f = failureOf(err);
      return { ok: false, reason: f === 'EACCES' ? 'permission denied' : f === 'ENOENT' ? 'cannot open the executable (process gone, or its file missing)' : (err as Error).message };
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      if (st.size > BigInt(this.maxBytes)) return { ok: false, reason: `larger than ${this.maxBytes} bytes` };
      const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
      const hit = this.cache.get(key);
      if (hit !== undefined) return this.sameProcess(pid, startTicks) ? { ok: true, sha256: hit, bytes: Number(st.size), cached: true } : { ok: false, reason: 'process exited or PID reused' };
      const h = createHash('sha256');
      this.buf ??= Buffer.allocUnsafe(CHUNK);
      let bytes = 0;
      for (;;) {
        const n = readSync(fd, this.buf, 0, CHUNK, null);
        if (n <= 0) break;
        bytes += n;
        if (bytes > this.maxBytes) return { ok: false, reason: `larger than ${this.maxBytes} bytes` };
        h.update(this.buf.subarray(0, n));
      }
      this.reads++;
      if (!this.sameProcess(pid, startTicks)) return { ok: false, reason: 'process exited or PID reused' };
      const sha256 = h.digest('hex');
      // Only a file that did not change while it was read goes into the cache.
      const after = fstatSync(fd, { bigint: true });
      if (after.size === st.size && after.mtimeNs === st.mtimeNs) this.cache.set(key, sha256);
      return { ok: true, sha256, bytes, cached: false };
    } catch (err) {
      return { ok: false, reason: (err as Error).message };
    } finally {
      closeSync(fd);
    }
  }

  private sameProcess(pid: number, startTicks: number): boolean {
    try {
      return readStat(this.procRoot, pid).startTicks === startTicks;
    } catch {
      return false;
    }
  }
}
