// Read-only, size-capped file access under a root directory. Symlinks inside a non-'/' root are
// resolved against that root (an absolute link target in a fixture or a mounted image must not
// escape to the analysing host). Nothing here writes, spawns or signals.
import * as fs from 'node:fs';
import { parsePasswdLines } from '../procfs/users';
import * as path from 'node:path';
import type { FileMeta, PersistenceLocation } from './types';

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DIR_ENTRIES = 5000;

export interface Account { name: string; uid: number; gid: number; home: string; shell: string }

export interface Ctx {
  root: string;
  now: number;
  recentMs: number;
  accounts: Account[];
  byName: Map<string, Account>;
  byUid: Map<number, Account>;
  locations: PersistenceLocation[];
  warnings: string[];
  /** Real paths already read, so a layout reached twice (Alpine's crontabs symlink, /lib -> /usr/lib) counts once. */
  seen: Set<string>;
}

/** Join a host path onto the root without letting '..' climb out of it. */
export function underRoot(root: string, hostPath: string): string {
  const clean = path.posix.normalize('/' + hostPath);
  return root === '/' ? clean : path.join(root, clean);
}

/** Resolve symlinks of a host path inside the root; returns the real filesystem path to open. */
export function resolveUnder(root: string, hostPath: string): string {
  if (root === '/') return path.posix.normalize(hostPath);
  let pending = path.posix.normalize('/' + hostPath).split('/').filter(Boolean);
  let cur = '/';
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') { cur = path.posix.dirname(cur); continue; }
    const candidate = path.posix.join(cur, part);
    let st: fs.Stats;
    try { st = fs.lstatSync(underRoot(root, candidate)); } catch { return underRoot(root, path.posix.join(candidate, ...pending)); }
    if (st.isSymbolicLink() && hops < 40) {
      hops++;
      let target: string;
      try { target = fs.readlinkSync(underRoot(root, candidate)); } catch { return underRoot(root, candidate); }
      const next = target.startsWith('/') ? target : path.posix.join(cur, target);
      pending = [...path.posix.normalize(next).split('/').filter(Boolean), ...pending];
      cur = '/';
      continue;
    }
    cur = candidate;
  }
  return underRoot(root, cur);
}

/** Host path of a real path under the root: the inverse of underRoot. */
export function hostPathOf(root: string, realPath: string): string {
  if (root === '/') return realPath;
  const rel = path.relative(root, realPath);
  return '/' + rel.split(path.sep).join('/');
}

export function reasonFor(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'needs root (permission denied)';
  if (code === 'ELOOP') return 'symlink loop';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  return code ? `cannot read (${code})` : 'cannot read';
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function ownerName(ctx: Ctx, uid: number): string {
  return ctx.byUid.get(uid)?.name ?? String(uid);
}

export function metaOf(ctx: Ctx, st: fs.Stats): FileMeta {
  return { uid: st.uid, owner: ownerName(ctx, st.uid), mode: st.mode & 0o7777, mtime: st.mtimeMs, size: st.size };
}

export interface ReadResult { text: string; meta: FileMeta; truncated: boolean; real: string }

/**
 * Read at most MAX_FILE_BYTES of a regular file (host path). Records a location unless `record` is
 * false. Returns null when absent, unreadable, not a regular file, or already seen under another path.
 */
export function readCapped(ctx: Ctx, hostPath: string, record: 'always' | 'present' = 'always'): ReadResult | null {
  const real = resolveUnder(ctx.root, hostPath);
  let fd: number | undefined;
  try {
    const st0 = fs.statSync(real);
    if (!st0.isFile()) {
      if (record === 'always' || !st0.isDirectory()) ctx.locations.push({ path: hostPath, status: 'unreadable', reason: st0.isDirectory() ? 'is a directory' : 'not a regular file' });
      return null;
    }
    if (ctx.seen.has(real)) return null;
    ctx.seen.add(real);
    // O_NONBLOCK: a FIFO planted where a file should be must not hang the reader.
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    const want = Math.min(st.size, MAX_FILE_BYTES);
    const buf = Buffer.alloc(want);
    let got = 0;
    while (got < want) {
      const n = fs.readSync(fd, buf, got, want - got, got);
      if (n <= 0) break;
      got += n;
    }
    const truncated = st.size > MAX_FILE_BYTES;
    if (truncated) ctx.warnings.push(`${hostPath}: ${st.size} bytes, only the first ${MAX_FILE_BYTES} were read`);
    ctx.locations.push({ path: hostPath, status: 'read' });
    return { text: buf.subarray(0, got).toString('utf8'), meta: metaOf(ctx, st), truncated, real };
  } catch (err) {
    if (isMissing(err)) {
      if (record === 'always') ctx.locations.push({ path: hostPath, status: 'absent' });
    } else {
      ctx.locations.push({ path: hostPath, status: 'unreadable', reason: reasonFor(err) });
    }
    return null;
  } finally {
    if (fd !== undefined) try { fs.closeSync(fd); } catch { /* ignore */ }
  }
}

export interface DirItem { name: string; hostPath: string; isDir: boolean; isFile: boolean; isSymlink: boolean }

/** List a directory (host path), sorted by name, capped. Records a location unless `record` is 'present'. */
export function listDir(ctx: Ctx, hostDir: string, record: 'always' | 'present' = 'always'): DirItem[] | null {
  const real = resolveUnder(ctx.root, hostDir);
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(real, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) {
      if (record === 'always') ctx.locations.push({ path: hostDir, status: 'absent' });
    } else {
      ctx.locations.push({ path: hostDir, status: 'unreadable', reason: reasonFor(err) });
    }
    return null;
  }
  ctx.locations.push({ path: hostDir, status: 'read' });
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (names.length > MAX_DIR_ENTRIES) {
    ctx.warnings.push(`${hostDir}: ${names.length} entries, only the first ${MAX_DIR_ENTRIES} were examined`);
    names = names.slice(0, MAX_DIR_ENTRIES);
  }
  return names.map((d) => ({
    name: d.name,
    hostPath: path.posix.join(hostDir, d.name),
    isDir: d.isDirectory(),
    isFile: d.isFile(),
    isSymlink: d.isSymbolicLink(),
  }));
}

/** Real path of a directory for de-duplication, or null when it does not exist. */
export function realDir(ctx: Ctx, hostDir: string): string | null {
  const real = resolveUnder(ctx.root, hostDir);
  try { return fs.statSync(real).isDirectory() ? real : null; } catch { return null; }
}

export function readLink(ctx: Ctx, hostPath: string): string | null {
  try { return fs.readlinkSync(underRoot(ctx.root, hostPath)); } catch { return null; }
}

export function isDirectory(ctx: Ctx, hostPath: string): boolean {
  try { return fs.statSync(resolveUnder(ctx.root, hostPath)).isDirectory(); } catch { return false; }
}

/** Parse <root>/etc/passwd (capped): the one passwd parser of the project, src/procfs/users.ts. */
export const parsePasswd: (text: string) => Account[] = parsePasswdLines;

export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function isRecent(ctx: Ctx, meta: FileMeta | null): boolean {
  return !!meta && meta.mtime <= ctx.now + 60_000 && ctx.now - meta.mtime <= ctx.recentMs;
}
