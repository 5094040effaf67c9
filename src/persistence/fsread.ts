// Read-only, size-capped file access under a root directory, for the persistence readers. Every open
// goes through the safe opener (src/fsafe): no symlink a user could place is followed, FIFOs and
// devices are refused without blocking, every directory on the way is checked, and paths stay inside
// the root. What is refused is recorded as an unreadable location and, when it is suspicious in itself
// (a symlink, a FIFO, a hard link where a file should be), as a warning that names it. Nothing here
// writes, spawns or signals.
import * as path from 'node:path';
import { describeRefusal, entryInfo, listDir as listSafe, readFile, SafeTree, type Refusal } from '../fsafe/index';
import { parsePasswdLines } from '../procfs/users';
import { sanitize } from '../text/sanitize';
import type { FileMeta, PersistenceLocation } from './types';

export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DIR_ENTRIES = 5000;

export interface Account { name: string; uid: number; gid: number; home: string; shell: string }

export interface Ctx {
  root: string;
  /** The root, opened by descriptor; every read goes through it. Closed by collectPersistence. */
  tree: SafeTree;
  now: number;
  recentMs: number;
  accounts: Account[];
  byName: Map<string, Account>;
  byUid: Map<number, Account>;
  locations: PersistenceLocation[];
  warnings: string[];
  /** Files already read (dev:ino), so a layout reached twice (Alpine's crontabs symlink, /lib -> /usr/lib) counts once. */
  seen: Set<string>;
}

/** at's spool directories are owned by the daemon account on Debian. */
const AT_SPOOL = /^\/var\/spool\/(?:cron\/atjobs|cron\/atspool|at)(?:\/|$)/;

/**
 * Users whose own directories are accepted on the way to `hostPath`: the account whose home it is in
 * (its files are that user's), the daemon account for at's spool.
 */
export function ownersFor(ctx: Ctx, hostPath: string): number[] {
  const out: number[] = [];
  for (const a of ctx.accounts) {
    if (a.home.length > 1 && (hostPath === a.home || hostPath.startsWith(a.home.replace(/\/+$/, '') + '/'))) out.push(a.uid);
  }
  if (AT_SPOOL.test(hostPath)) {
    const d = ctx.byName.get('daemon');
    if (d) out.push(d.uid);
  }
  return out;
}

export function reasonFor(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'needs root (permission denied)';
  if (code === 'ELOOP') return 'symlink loop';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  return code ? `cannot read (${code})` : 'cannot read';
}

/** Refusals that are a sign in themselves: a user put something else where a file should be. */
const SUSPICIOUS = new Set(['symlink', 'fifo', 'device', 'socket', 'hardlink', 'foreign-file', 'unsafe-dir', 'not-regular']);

function refusalReason(r: Refusal): string {
  switch (r.reason) {
    case 'denied':
      return 'needs root (permission denied)';
    case 'directory':
      return 'is a directory';
    case 'not-dir':
      return 'not a directory';
    case 'loop':
      return 'symlink loop';
    case 'symlink':
      return `a symlink${r.target !== undefined ? ` to ${r.target}` : ''} (not followed)`;
    case 'fifo':
      return 'a named pipe (FIFO), not a regular file';
    case 'device':
      return 'a device file, not a regular file';
    case 'socket':
      return 'a socket, not a regular file';
    case 'not-regular':
      return 'not a regular file';
    case 'unsafe-dir':
      return `unsafe directory on the way: ${r.detail}`;
    default:
      return r.detail;
  }
}

/** Record a refused path: a location, and a warning when the refusal is itself suspicious. */
function noteRefusal(ctx: Ctx, hostPath: string, r: Refusal, record: 'always' | 'present'): void {
  if (r.reason === 'missing') {
    if (record === 'always') ctx.locations.push({ path: hostPath, status: 'absent' });
    return;
  }
  if (r.reason === 'directory' && record !== 'always') return;
  ctx.locations.push({ path: hostPath, status: 'unreadable', reason: refusalReason(r) });
  if (SUSPICIOUS.has(r.reason)) {
    // About the component that was refused (one warning for a whole unsafe directory, not one per file).
    const subject: Refusal = r.at && r.at !== r.path ? { ...r, path: r.at, at: undefined } : r;
    const w = `${sanitize(describeRefusal(subject))}${r.reason === 'unsafe-dir' ? '' : ': not read'} (a user may have put it there to make root read something else)`;
    if (!ctx.warnings.includes(w)) ctx.warnings.push(w);
  }
}

export function ownerName(ctx: Ctx, uid: number): string {
  return ctx.byUid.get(uid)?.name ?? String(uid);
}

export function metaOf(ctx: Ctx, st: { uid: number; mode: number; mtimeMs: number; size: number }): FileMeta {
  return { uid: st.uid, owner: ownerName(ctx, st.uid), mode: st.mode & 0o7777, mtime: st.mtimeMs, size: st.size };
}

export interface ReadResult { text: string; meta: FileMeta; truncated: boolean; /** Host path read, after root-made symlinks. */ real: string }

/**
 * Read at most MAX_FILE_BYTES of a regular file (host path) through the safe opener. Records a
 * location unless `record` is 'present' and the file is absent. Returns null when absent, refused,
 * or already read under another path. A final symlink is followed only where only root could have made
 * it (a link in /etc or /etc/systemd/system; never one in a home, a spool or /tmp); `follow: false` never.
 */
export function readCapped(ctx: Ctx, hostPath: string, record: 'always' | 'present' = 'always', opts: { follow?: boolean; maxBytes?: number } = {}): ReadResult | null {
  const r = readFile(ctx.tree, hostPath, { maxBytes: opts.maxBytes ?? MAX_FILE_BYTES, over: 'head', owners: ownersFor(ctx, hostPath), followTrusted: opts.follow ?? true });
  if (!r.ok) {
    noteRefusal(ctx, hostPath, r, record);
    return null;
  }
  const key = `${r.stat.dev}:${r.stat.ino}`;
  if (ctx.seen.has(key)) return null;
  ctx.seen.add(key);
  if (r.truncated) ctx.warnings.push(`${sanitize(hostPath)}: ${r.stat.size} bytes, only the first ${MAX_FILE_BYTES} were read`);
  ctx.locations.push({ path: hostPath, status: 'read' });
  return { text: r.data.toString('utf8'), meta: metaOf(ctx, r.stat), truncated: r.truncated, real: r.resolved };
}

export interface DirItem { name: string; hostPath: string; isDir: boolean; isFile: boolean; isSymlink: boolean; /** FIFO, device or socket. */ isSpecial: boolean }

/** List a directory (host path), sorted by name, capped. Records a location unless `record` is 'present'. */
export function listDir(ctx: Ctx, hostDir: string, record: 'always' | 'present' = 'always'): DirItem[] | null {
  const l = listSafe(ctx.tree, hostDir, { owners: ownersFor(ctx, hostDir), maxEntries: MAX_DIR_ENTRIES });
  if (!l.ok) {
    noteRefusal(ctx, hostDir, l, record === 'always' ? 'always' : 'present');
    return null;
  }
  ctx.locations.push({ path: hostDir, status: 'read' });
  if (l.omitted > 0) ctx.warnings.push(`${sanitize(hostDir)}: ${l.entries.length + l.omitted} entries, only the first ${MAX_DIR_ENTRIES} were examined`);
  return l.entries.map((e) => ({
    name: e.name,
    hostPath: path.posix.join(hostDir, e.name),
    isDir: e.type === 'dir',
    isFile: e.type === 'file',
    isSymlink: e.type === 'symlink',
    isSpecial: e.type === 'fifo' || e.type === 'device' || e.type === 'socket',
  }));
}

/** Directories of one kind, each read once (on a merged-/usr host /lib/x is /usr/lib/x). */
export function eachDir(ctx: Ctx, dirs: { dir: string; local: boolean }[], visit: (dir: string, local: boolean) => void): void {
  const seen = new Set<string>();
  for (const { dir, local } of dirs) {
    const real = realDir(ctx, dir);
    if (!real) { ctx.locations.push({ path: dir, status: 'absent' }); continue; }
    if (seen.has(real)) continue;
    seen.add(real);
    visit(dir, local);
  }
}

/** Identity (dev:ino) of a directory for de-duplication, or null when it does not exist or is refused. */
export function realDir(ctx: Ctx, hostDir: string): string | null {
  const d = ctx.tree.openDir(hostDir, { owners: ownersFor(ctx, hostDir) });
  if ('ok' in d) return null;
  try {
    return `${d.stat.dev}:${d.stat.ino}`;
  } finally {
    d.close();
  }
}

/** The text of a symlink (never followed), or null. */
export function readLink(ctx: Ctx, hostPath: string): string | null {
  const e = entryInfo(ctx.tree, hostPath, { owners: ownersFor(ctx, hostPath) });
  return e.ok ? e.target : null;
}

/** Whether a directory can be entered (reached by a checked walk); the refusal when not. */
export function openableDir(ctx: Ctx, hostPath: string): true | Refusal {
  const d = ctx.tree.openDir(hostPath, { owners: ownersFor(ctx, hostPath) });
  if ('ok' in d) return d;
  d.close();
  return true;
}

export function isDirectory(ctx: Ctx, hostPath: string): boolean {
  const e = entryInfo(ctx.tree, hostPath, { owners: ownersFor(ctx, hostPath) });
  return e.ok && e.stat.isDirectory();
}

/**
 * Record a refused home once, instead of one line per file in it. A location, not a warning: shared
 * spools that serve as a system account's home (/var/mail, root:mail 2775) are refused by design.
 */
export function noteRefusedDir(ctx: Ctx, hostPath: string, r: Refusal): void {
  if (r.reason === 'missing') return;
  ctx.locations.push({ path: hostPath, status: 'unreadable', reason: refusalReason(r) });
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
