// Reading user-controlled files: open first (O_RDONLY|O_NOFOLLOW|O_NONBLOCK, relative to a checked
// directory), fstat the descriptor, regular files only, bounded read. Listing a directory and looking
// at one entry (lstat, readlink) work on the pinned parent the same way.
import fs from 'node:fs';
import path from 'node:path';
import { at, closeQuietly, O_READ_FILE, self, type PinnedDir } from './pinned';
import { codeOf, reasonOfErrno, refuse, type Refusal } from './refusal';
import { fileKind, foreignFile, mayFollowLinkIn, type TrustPolicy } from './trust';
import { hostParts, joinHost, MAX_LINK_HOPS, SafeTree, type WalkOptions } from './tree';

export const DEFAULT_MAX_BYTES = 1024 * 1024;
export const DEFAULT_MAX_ENTRIES = 5000;

export interface ReadOptions extends WalkOptions {
  /** Bound on the bytes read (default 1 MiB). */
  maxBytes?: number;
  /** A larger file: refuse it ('too-big', the default), or read its first or last maxBytes. */
  over?: 'refuse' | 'head' | 'tail';
  /** Follow a symlink as the last component when it sits in a directory only trusted uids write. */
  followTrusted?: boolean;
}

export interface FileRead {
  ok: true;
  /** The host path asked for. */
  path: string;
  /** The host path read, after trusted symlinks (equal to path when none). */
  resolved: string;
  data: Buffer;
  /** fstat of the descriptor read. */
  stat: fs.Stats;
  /** True when only maxBytes of a larger file were read (over: 'head' or 'tail'). */
  truncated: boolean;
}

function kindRefusal(kind: ReturnType<typeof fileKind>, asked: string, where: string): Refusal | null {
  switch (kind) {
    case 'regular':
      return null;
    case 'fifo':
      return refuse('fifo', asked, `${where} is a named pipe`, { at: where });
    case 'device':
      return refuse('device', asked, `${where} is a device`, { at: where });
    case 'socket':
      return refuse('socket', asked, `${where} is a socket`, { at: where });
    case 'directory':
      return refuse('directory', asked, `${where} is a directory`, { at: where });
    default:
      return refuse('not-regular', asked, `${where} is not a regular file`, { at: where });
  }
}

/**
 * Open `name` in a pinned directory for reading and check what it is. Returns the open descriptor and
 * its fstat (the caller closes it), or a refusal; a symlink comes back as a refusal with its target.
 */
export function openFileAt(dir: PinnedDir, name: string, asked: string, pol: TrustPolicy | null): { fd: number; stat: fs.Stats } | Refusal {
  const where = path.posix.join(dir.hostPath, name);
  let fd: number;
  try {
    fd = fs.openSync(at(dir.fd, name), O_READ_FILE);
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ELOOP') {
      let target: string | undefined;
      try {
        target = fs.readlinkSync(at(dir.fd, name));
      } catch {
        /* gone meanwhile */
      }
      return refuse('symlink', asked, 'minewatch does not follow symbolic links to files a user can place', { at: where, target });
    }
    return refuse(reasonOfErrno(code), asked, `${where}: ${code}`, { at: where });
  }
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
  } catch (err) {
    closeQuietly(fd);
    return refuse('io', asked, `${where}: ${codeOf(err)}`, { at: where });
  }
  const bad = kindRefusal(fileKind(st.mode), asked, where);
  if (bad) {
    closeQuietly(fd);
    return bad;
  }
  if (pol) {
    const foreign = foreignFile(st, dir.stat, pol);
    if (foreign) {
      closeQuietly(fd);
      return refuse(foreign.reason, asked, `${where} is ${foreign.detail}`, { at: where });
    }
  }
  return { fd, stat: st };
}

/** Read up to `maxBytes` from an open regular file; from the end with over: 'tail'. */
export function readBounded(fd: number, st: fs.Stats, asked: string, opts: ReadOptions): { data: Buffer; truncated: boolean } | Refusal {
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const over = opts.over ?? 'refuse';
  if (st.size > max && over === 'refuse') return refuse('too-big', asked, `${st.size} bytes, more than the ${max} read`);
  let start = 0;
  let want = st.size === 0 ? max : Math.min(st.size, max);
  if (st.size > max && over === 'tail') start = st.size - max;
  const buf = Buffer.alloc(want);
  let got = 0;
  try {
    while (got < want) {
      const n = fs.readSync(fd, buf, got, want - got, start + got);
      if (n <= 0) break;
      got += n;
    }
  } catch (err) {
    return refuse(reasonOfErrno(codeOf(err)), asked, `read failed (${codeOf(err)})`);
  }
  want = got;
  return { data: buf.subarray(0, want), truncated: st.size > max };
}

/** Read a user-controlled file of the tree: every refusal is typed, nothing is ever followed out. */
export function readFile(tree: SafeTree, hostPath: string, opts: ReadOptions = {}): FileRead | Refusal {
  let current = hostPath;
  let hops = 0;
  for (;;) {
    const parent = tree.parentOf(current, opts, hops);
    if ('ok' in parent) return { ...parent, path: hostPath };
    const { walked, name } = parent;
    const dir = walked.dir;
    hops = walked.hops;
    try {
      const opened = openFileAt(dir, name, hostPath, walked.policy);
      if ('ok' in opened) {
        if (opened.reason === 'symlink' && opts.followTrusted && opened.target !== undefined && mayFollowLinkIn(dir.stat, walked.policy)) {
          if (++hops > MAX_LINK_HOPS) return refuse('loop', hostPath, `more than ${MAX_LINK_HOPS} symbolic links`);
          const base = opened.target.startsWith('/') ? '/' : dir.hostPath;
          current = path.posix.normalize(path.posix.join(base, opened.target));
          continue;
        }
        return opened;
      }
      try {
        const r = readBounded(opened.fd, opened.stat, hostPath, opts);
        if ('ok' in r) return r;
        return { ok: true, path: hostPath, resolved: path.posix.join(dir.hostPath, name), data: r.data, stat: opened.stat, truncated: r.truncated };
      } finally {
        closeQuietly(opened.fd);
      }
    } finally {
      dir.close();
    }
  }
}

export interface DirEntry {
  name: string;
  /** Host path of the entry (under the directory as asked). */
  path: string;
  /** From the directory listing (d_type); every open re-checks with fstat. */
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'device' | 'socket' | 'other';
}

export interface DirList {
  ok: true;
  path: string;
  /** Host path of the directory listed, after trusted symlinks: equal paths mean the same directory. */
  resolved: string;
  /** dev:ino of the directory (for "this layout is the same directory as that one"). */
  id: string;
  stat: fs.Stats;
  entries: DirEntry[];
  /** Entries beyond the bound that were left out. */
  omitted: number;
}

function typeOf(d: fs.Dirent): DirEntry['type'] {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO()) return 'fifo';
  if (d.isCharacterDevice() || d.isBlockDevice()) return 'device';
  if (d.isSocket()) return 'socket';
  return 'other';
}

/** List a directory of the tree (sorted by name, bounded), reached by a checked walk. */
export function listDir(tree: SafeTree, hostPath: string, opts: WalkOptions & { maxEntries?: number } = {}): DirList | Refusal {
  const dir = tree.openDir(hostPath, opts);
  if ('ok' in dir) return dir;
  try {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(self(dir.fd), { withFileTypes: true });
    } catch (err) {
      return refuse(reasonOfErrno(codeOf(err)), hostPath, `cannot list (${codeOf(err)})`);
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const max = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const omitted = Math.max(0, names.length - max);
    const base = path.posix.normalize(hostPath);
    return {
      ok: true,
      path: hostPath,
      resolved: dir.hostPath,
      id: `${dir.stat.dev}:${dir.stat.ino}`,
      stat: dir.stat,
      entries: names.slice(0, max).map((d) => ({ name: d.name, path: path.posix.join(base, d.name), type: typeOf(d) })),
      omitted,
    };
  } finally {
    dir.close();
  }
}

export interface EntryInfo {
  ok: true;
  path: string;
  /** lstat of the entry itself (a symlink is described, not followed). */
  stat: fs.Stats;
  /** The link text when the entry is a symbolic link. */
  target: string | null;
  /** The directory holding it (fstat). */
  parent: fs.Stats;
}

/** lstat (and readlink) one entry, its parent reached by a checked walk. */
export function entryInfo(tree: SafeTree, hostPath: string, opts: WalkOptions = {}): EntryInfo | Refusal {
  const parent = tree.parentOf(hostPath, opts);
  if ('ok' in parent) return parent;
  const dir = parent.walked.dir;
  try {
    const where = path.posix.join(dir.hostPath, parent.name);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at(dir.fd, parent.name));
    } catch (err) {
      return refuse(reasonOfErrno(codeOf(err)), hostPath, `${where}: ${codeOf(err)}`, { at: where });
    }
    let target: string | null = null;
    if (st.isSymbolicLink()) {
      try {
        target = fs.readlinkSync(at(dir.fd, parent.name));
      } catch {
        target = null;
      }
    }
    return { ok: true, path: hostPath, stat: st, target, parent: dir.stat };
  } finally {
    dir.close();
  }
}

/** Where a symlink target points, as a host path of the tree (resolved lexically, never leaving it). */
export function linkTargetPath(linkHostPath: string, target: string): string {
  const base = target.startsWith('/') ? '/' : path.posix.dirname(path.posix.normalize(linkHostPath));
  return joinHost(hostParts(path.posix.normalize(path.posix.join(base, target))) ?? []);
}
