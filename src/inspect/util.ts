// Bounded, synchronous file helpers and plain-words error reasons for the inspector.
// Nothing here writes, spawns or follows more than it must: every read is capped.

import fs from 'node:fs';
import path from 'node:path';
import { SafeTree, describeRefusal, readFile } from '../fsafe/index';
import { sanitize } from '../text/sanitize';
import { attempt, pidExists, ProcFormatError } from '../procfs/pid';

export const KiB = 1024;
export const MiB = 1024 * 1024;

/**
 * Read a file a user may control (passwd, sudoers, logs, shell history) under `root` through the safe
 * opener: no symlink a user could place, no FIFO, every directory on the way checked, bounded. `over`:
 * 'head' reads the first `cap` bytes, 'tail' the last (rounded to a whole `aligned` record). A
 * missing file throws an ENOENT error; any other refusal throws a SectionError that says what the path
 * really is ("... is a symlink to /etc/shadow (not followed ...)"), never its target's content.
 */
export function readUserFile(
  root: string,
  hostPath: string,
  cap: number,
  opts: { over?: 'head' | 'tail'; aligned?: number; owners?: number[]; groups?: number[] } = {},
): { buf: Buffer; truncated: boolean } {
  const tree = new SafeTree(root);
  try {
    const r = readFile(tree, hostPath, { maxBytes: cap, over: opts.over ?? 'head', owners: opts.owners, groups: opts.groups });
    if (!r.ok) {
      if (r.reason === 'missing') throw Object.assign(new Error(`${hostPath}: no such file`), { code: 'ENOENT' });
      if (r.reason === 'denied') throw Object.assign(new Error(`${hostPath}: permission denied`), { code: 'EACCES' });
      throw new SectionError(sanitize(describeRefusal(r)));
    }
    let buf = r.data;
    if (r.truncated && opts.over === 'tail' && (opts.aligned ?? 1) > 1) {
      const a = opts.aligned!;
      const start = r.stat.size - cap;
      const drop = Math.ceil(start / a) * a - start;
      buf = buf.subarray(Math.min(drop, buf.length));
    }
    return { buf, truncated: r.truncated };
  } finally {
    tree.close();
  }
}

/** The text of readUserFile (head). */
export function readUserText(root: string, hostPath: string, cap: number, opts: { owners?: number[] } = {}): string {
  return readUserFile(root, hostPath, cap, opts).buf.toString('utf8');
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
