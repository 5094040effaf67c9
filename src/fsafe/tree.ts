// A file tree read through descriptors only: "/" on a live host, or the directory given with --root.
// Every path is walked from the tree's root one component at a time, each directory opened with
// O_DIRECTORY|O_NOFOLLOW relative to the previous one and checked by fstat (see trust.ts), so a rename
// or a symlink swapped in during the walk can only make the walk fail, never lead it elsewhere.
// Symbolic links are followed only in directories that only trusted uids can write, and resolved
// inside the tree: an absolute target means the tree's own root, '..' stops at it.
import fs from 'node:fs';
import path from 'node:path';
import { at, closeQuietly, O_OPEN_DIR, pinned, procFdAvailable, self, type PinnedDir } from './pinned';
import { codeOf, reasonOfErrno, refuse, type Refusal } from './refusal';
import { defaultTrusted, mayFollowLinkIn, policy, unsafeDir, type TrustPolicy } from './trust';

export const MAX_LINK_HOPS = 40;

export interface WalkOptions {
  /** Users whose own directories are accepted on this walk (the owner of the home or spool read). */
  owners?: readonly number[];
  /** Groups trusted to write root-owned directories on this walk (e.g. syslog and adm for /var/log). */
  groups?: readonly number[];
}

export interface Walked {
  dir: PinnedDir;
  /** Host path components of the directory reached. */
  parts: string[];
  /** Symbolic links followed so far (shared with a caller that follows a final link). */
  hops: number;
  policy: TrustPolicy;
}

/** Split a host path into components; null when it is not absolute. '..' is resolved lexically at the root. */
export function hostParts(hostPath: string): string[] | null {
  if (typeof hostPath !== 'string' || !hostPath.startsWith('/') || hostPath.includes('\0')) return null;
  return path.posix.normalize(hostPath).split('/').filter(Boolean);
}

export function joinHost(parts: readonly string[]): string {
  return '/' + parts.join('/');
}

export class SafeTree {
  /** The directory this tree starts at, as given ("/" or --root). */
  readonly root: string;
  readonly trusted: ReadonlySet<number>;
  private rootFd: number | null = null;
  private rootStat: fs.Stats | null = null;
  private rootError: Refusal | null = null;

  constructor(root = '/', opts: { trusted?: ReadonlySet<number> } = {}) {
    this.root = root;
    this.trusted = opts.trusted ?? defaultTrusted();
  }

  get isHostRoot(): boolean {
    return path.resolve(this.root) === '/';
  }

  /** The host path as it lies on this machine's file system (for messages only; never opened by it). */
  display(hostPath: string): string {
    return this.isHostRoot ? hostPath : path.join(this.root, hostPath);
  }

  /** Releases the root descriptor; the tree reopens it if used again. */
  close(): void {
    closeQuietly(this.rootFd);
    this.rootFd = null;
    this.rootStat = null;
    this.rootError = null;
  }

  private openRoot(asked: string): Refusal | null {
    if (this.rootFd !== null) return null;
    if (this.rootError) return { ...this.rootError, path: asked };
    if (!procFdAvailable()) {
      this.rootError = refuse('no-proc', asked, '/proc/self/fd is not available, so files cannot be opened safely');
      return this.rootError;
    }
    try {
      // The root itself is the admin's choice (it may be a symlink to a mounted image): opened as given.
      const fd = fs.openSync(this.root, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      const st = fs.fstatSync(fd);
      const p = policy([], this.trusted);
      if (this.isHostRoot && unsafeDir(st, p)) {
        closeQuietly(fd);
        this.rootError = refuse('unsafe-dir', asked, `/ is ${unsafeDir(st, p)}`, { at: '/' });
        return this.rootError;
      }
      this.rootFd = fd;
      this.rootStat = st;
      return null;
    } catch (err) {
      const code = codeOf(err);
      this.rootError = refuse(reasonOfErrno(code), asked, `the root ${this.root} cannot be opened (${code})`);
      return this.rootError;
    }
  }

  /** A fresh descriptor on the tree's root (the caller closes it). */
  private reopenRoot(asked: string): { fd: number; st: fs.Stats } | Refusal {
    const bad = this.openRoot(asked);
    if (bad) return bad;
    try {
      // Opening the magic link of our own descriptor: the same directory, a new descriptor.
      const fd = fs.openSync(self(this.rootFd!), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      return { fd, st: this.rootStat! };
    } catch (err) {
      return refuse('io', asked, `the root cannot be reopened (${codeOf(err)})`);
    }
  }

  /**
   * Walk to the directory `parts` (host components), checking every directory on the way. The
   * returned directory is open; the caller closes it. `asked` is the path reported in refusals.
   */
  walk(parts: readonly string[], asked: string, opts: WalkOptions = {}, hops = 0): Walked | Refusal {
    const p = policy(opts.owners ?? [], this.trusted, opts.groups ?? []);
    const start = this.reopenRoot(asked);
    if ('ok' in start) return start;
    let cur = start.fd;
    let curSt = start.st;
    let logical: string[] = [];
    let pending = [...parts];
    const restart = (): Refusal | null => {
      closeQuietly(cur);
      const again = this.reopenRoot(asked);
      if ('ok' in again) {
        cur = -1;
        return again;
      }
      cur = again.fd;
      curSt = again.st;
      logical = [];
      return null;
    };
    try {
      while (pending.length > 0) {
        const name = pending.shift()!;
        if (name === '' || name === '.') continue;
        if (name === '..') {
          pending = [...logical.slice(0, -1), ...pending];
          const bad = restart();
          if (bad) return bad;
          continue;
        }
        const here = joinHost([...logical, name]);
        let fd: number;
        try {
          fd = fs.openSync(at(cur, name), O_OPEN_DIR);
        } catch (err) {
          const code = codeOf(err);
          if (code !== 'ENOTDIR' && code !== 'ELOOP') return refuse(reasonOfErrno(code), asked, `${here}: ${code}`, { at: here });
          // Not a directory: a symlink (O_NOFOLLOW) or a file. lstat of an entry of the pinned directory.
          let lst: fs.Stats;
          try {
            lst = fs.lstatSync(at(cur, name));
          } catch (err2) {
            return refuse(reasonOfErrno(codeOf(err2)), asked, `${here}: ${codeOf(err2)}`, { at: here });
          }
          if (!lst.isSymbolicLink()) return refuse('not-dir', asked, `${here} is not a directory`, { at: here });
          let target: string;
          try {
            target = fs.readlinkSync(at(cur, name));
          } catch (err2) {
            // EINVAL: no longer a link (swapped meanwhile); ENOENT: gone. Either way, nothing is followed.
            const c2 = codeOf(err2);
            return refuse(c2 === 'EINVAL' ? 'changed' : reasonOfErrno(c2), asked, `${here} changed while it was read (${c2})`, { at: here });
          }
          if (!mayFollowLinkIn(curSt, p)) {
            return refuse('symlink', asked, `it sits in a directory that uid ${curSt.uid} or others can write`, { at: here, target });
          }
          if (++hops > MAX_LINK_HOPS) return refuse('loop', asked, `more than ${MAX_LINK_HOPS} symbolic links`, { at: here, target });
          const base = target.startsWith('/') ? '/' : joinHost(logical);
          pending = [...path.posix.normalize(path.posix.join(base, target)).split('/').filter(Boolean), ...pending];
          const bad = restart();
          if (bad) return bad;
          continue;
        }
        let st: fs.Stats;
        try {
          st = fs.fstatSync(fd);
        } catch (err) {
          closeQuietly(fd);
          return refuse('io', asked, `${here}: ${codeOf(err)}`, { at: here });
        }
        const bad = unsafeDir(st, p);
        if (bad) {
          closeQuietly(fd);
          return refuse('unsafe-dir', asked, `${here} is ${bad}`, { at: here });
        }
        closeQuietly(cur);
        cur = fd;
        curSt = st;
        logical.push(name);
      }
      const dir = pinned(cur, joinHost(logical), curSt);
      cur = -1;
      return { dir, parts: logical, hops, policy: p };
    } finally {
      if (cur >= 0) closeQuietly(cur);
    }
  }

  /** Open the directory at a host path, checked all the way (the caller closes it). */
  openDir(hostPath: string, opts: WalkOptions = {}): PinnedDir | Refusal {
    const parts = hostParts(hostPath);
    if (!parts) return refuse('bad-path', String(hostPath), 'not an absolute path');
    const w = this.walk(parts, hostPath, opts);
    return 'ok' in w ? w : w.dir;
  }

  /** Walk to the parent of a host path: the parent open and checked, plus the last name. */
  parentOf(hostPath: string, opts: WalkOptions = {}, hops = 0): { walked: Walked; name: string } | Refusal {
    const parts = hostParts(hostPath);
    if (!parts || parts.length === 0) return refuse('bad-path', String(hostPath), 'not a path to a file');
    const name = parts[parts.length - 1];
    const w = this.walk(parts.slice(0, -1), hostPath, opts, hops);
    if ('ok' in w) return w;
    return { walked: w, name };
  }
}
