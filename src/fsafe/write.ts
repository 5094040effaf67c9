// Writing as root without writing through a path a user could swap: a private directory created and
// verified by descriptor, files created O_CREAT|O_EXCL|O_NOFOLLOW inside it, an append-only log that
// must be a regular file of ours with one name, atomic replacement of a file in a root-controlled
// directory (temp file + rename in the same pinned directory, re-verified in between), and removal of
// one symbolic link whose text is re-checked.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { at, closeQuietly, O_APPEND_LOG, O_CREATE_NEW, O_OPEN_DIR, pinned, self, type PinnedDir } from './pinned';
import { readBounded, openFileAt } from './read';
import { codeOf, reasonOfErrno, refuse, type Refusal } from './refusal';
import { hostParts, joinHost, SafeTree, type WalkOptions } from './tree';

/** File systems where minewatch never writes (a write there is a kernel interface, not a file). */
const KERNEL_FS = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x64626720, // debugfs
  0x73636673, // securityfs
  0x74726163, // tracefs
  0xcafe4a11, // bpf
  0x6e736673, // nsfs
  0x42494e4d, // binfmt_misc
]);

const KERNEL_PREFIXES = ['/proc', '/sys', '/dev'];

function euid(): number {
  return process.geteuid?.() ?? 0;
}

function isKernelFs(fd: number): boolean {
  try {
    return KERNEL_FS.has(Number(fs.statfsSync(self(fd)).type));
  } catch {
    return false;
  }
}

/**
 * Open (creating with mode 0700 when `create`) a private directory at an absolute host path: every
 * directory on the way owned by root or us and writable by nobody else (a sticky root directory such as
 * /tmp is accepted on the way); the directory itself owned by us with no group or other access. Refused
 * under /proc, /sys, /dev or on any kernel file system. The caller closes the returned directory.
 */
export function privateDir(absPath: string, opts: { create?: boolean } = {}): PinnedDir | Refusal {
  const parts = hostParts(path.resolve(absPath));
  if (!parts || parts.length === 0) return refuse('bad-path', absPath, 'not a directory path');
  const shown = joinHost(parts);
  if (KERNEL_PREFIXES.some((p) => shown === p || shown.startsWith(p + '/'))) {
    return refuse('special-fs', absPath, `${shown} is on a kernel file system (/proc, /sys, /dev): evidence cannot be kept there`);
  }
  const tree = new SafeTree('/');
  try {
    const created = new Set<string>();
    for (let attempt = 0; attempt <= parts.length + 1; attempt++) {
      const w = tree.walk(parts, absPath);
      if (!('ok' in w)) {
        const dir = w.dir;
        if (isKernelFs(dir.fd)) {
          dir.close();
          return refuse('special-fs', absPath, `${shown} is on a kernel file system: evidence cannot be kept there`);
        }
        if (dir.stat.uid !== euid()) {
          dir.close();
          return refuse('unsafe-dir', absPath, `${shown} is owned by uid ${dir.stat.uid}, not by minewatch's uid ${euid()}`, { at: shown });
        }
        if ((dir.stat.mode & 0o077) !== 0) {
          if (!created.has(shown)) {
            const mode = (dir.stat.mode & 0o7777).toString(8).padStart(4, '0');
            dir.close();
            return refuse('unsafe-dir', absPath, `${shown} has mode ${mode}; an existing evidence directory must be 0700`, { at: shown });
          }
        }
        if (created.has(shown) || (dir.stat.mode & 0o077) !== 0) {
          try {
            fs.fchmodSync(dir.fd, 0o700);
          } catch (err) {
            dir.close();
            return refuse('denied', absPath, `cannot set mode 0700 on ${shown} (${codeOf(err)})`);
          }
        }
        return pinned(dir.fd, dir.hostPath, fs.fstatSync(dir.fd));
      }
      if (w.reason !== 'missing' || !opts.create || !w.at) return w;
      // Create the first missing directory inside its checked parent, then walk again.
      const missing = hostParts(w.at)!;
      const parent = tree.walk(missing.slice(0, -1), absPath);
      if ('ok' in parent) return parent;
      try {
        if (isKernelFs(parent.dir.fd)) return refuse('special-fs', absPath, `${joinHost(missing)} would be on a kernel file system`);
        try {
          fs.mkdirSync(at(parent.dir.fd, missing[missing.length - 1]), { mode: 0o700 });
          created.add(joinHost(missing));
          if (joinHost(missing) !== shown) {
            // A parent we made: 0700 too, whatever the umask.
            const fd = fs.openSync(at(parent.dir.fd, missing[missing.length - 1]), O_OPEN_DIR);
            try {
              if (fs.fstatSync(fd).uid === euid()) fs.fchmodSync(fd, 0o700);
            } finally {
              closeQuietly(fd);
            }
          }
        } catch (err) {
          const code = codeOf(err);
          if (code !== 'EEXIST') return refuse(reasonOfErrno(code), absPath, `cannot create ${joinHost(missing)} (${code})`, { at: joinHost(missing) });
        }
      } finally {
        parent.dir.close();
      }
    }
    return refuse('io', absPath, 'the directory kept changing while it was created');
  } finally {
    tree.close();
  }
}

/** Create `name` in a pinned directory, O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600. The caller closes fd. */
export function createNew(dir: PinnedDir, name: string, mode = 0o600): { fd: number; name: string } | Refusal {
  const where = path.posix.join(dir.hostPath, name);
  try {
    const fd = fs.openSync(at(dir.fd, name), O_CREATE_NEW, mode);
    try {
      fs.fchmodSync(fd, mode);
    } catch {
      /* the mode given to open already applies, less the umask */
    }
    return { fd, name };
  } catch (err) {
    const code = codeOf(err);
    return refuse(reasonOfErrno(code), where, `cannot create ${where} (${code})`);
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/** Fill a file just created in `dir` and close it; on failure remove it (when `removeOnFail`) and refuse. */
function fill(dir: PinnedDir, c: { fd: number; name: string }, data: Buffer | string, removeOnFail: boolean): { ok: true; name: string; bytes: number } | Refusal {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    writeAll(c.fd, buf);
    fs.fsyncSync(c.fd);
    return { ok: true, name: c.name, bytes: buf.length };
  } catch (err) {
    if (removeOnFail) {
      try {
        fs.unlinkSync(at(dir.fd, c.name));
      } catch {
        /* leave it */
      }
    }
    return refuse(reasonOfErrno(codeOf(err)), path.posix.join(dir.hostPath, c.name), `write failed (${codeOf(err)})`);
  } finally {
    closeQuietly(c.fd);
  }
}

/** Create a new file with this content; refused ('exists') when the name is taken. */
export function writeNew(dir: PinnedDir, name: string, data: Buffer | string, mode = 0o600): { ok: true; name: string; bytes: number } | Refusal {
  const c = createNew(dir, name, mode);
  if ('ok' in c) return c;
  return fill(dir, c, data, true);
}

/** The first free name of `base`, `base-1`, `base-2`... (suffix before `ext`), created at once. */
export function createUnique(dir: PinnedDir, base: string, ext = '', mode = 0o600): { fd: number; name: string } | Refusal {
  let last: Refusal | null = null;
  for (let n = 0; n < 1000; n++) {
    const name = `${base}${n === 0 ? '' : `-${n}`}${ext}`;
    const c = createNew(dir, name, mode);
    if (!('ok' in c)) return c;
    if (c.reason !== 'exists') return c;
    last = c;
  }
  return last ?? refuse('exists', base, 'no free name');
}

/** writeNew under the first free name. */
export function writeUnique(dir: PinnedDir, base: string, ext: string, data: Buffer | string): { ok: true; name: string; bytes: number } | Refusal {
  const c = createUnique(dir, base, ext);
  if ('ok' in c) return c;
  return fill(dir, c, data, false);
}

/** mkdir a fresh subdirectory (first free of base, base-1...), mode 0700, and pin it. */
export function mkdirUnique(dir: PinnedDir, base: string): PinnedDir | Refusal {
  for (let n = 0; n < 1000; n++) {
    const name = n === 0 ? base : `${base}-${n}`;
    try {
      fs.mkdirSync(at(dir.fd, name), { mode: 0o700 });
    } catch (err) {
      if (codeOf(err) === 'EEXIST') continue;
      return refuse(reasonOfErrno(codeOf(err)), path.posix.join(dir.hostPath, name), `cannot create (${codeOf(err)})`);
    }
    try {
      const fd = fs.openSync(at(dir.fd, name), O_OPEN_DIR);
      const st = fs.fstatSync(fd);
      if (st.uid !== euid()) {
        closeQuietly(fd);
        return refuse('unsafe-dir', path.posix.join(dir.hostPath, name), `owned by uid ${st.uid} right after minewatch created it`);
      }
      fs.fchmodSync(fd, 0o700);
      return pinned(fd, path.posix.join(dir.hostPath, name), fs.fstatSync(fd));
    } catch (err) {
      return refuse(reasonOfErrno(codeOf(err)), path.posix.join(dir.hostPath, name), `cannot open what was just created (${codeOf(err)})`);
    }
  }
  return refuse('exists', path.posix.join(dir.hostPath, base), 'no free name');
}

/**
 * Append one record to a log file in a pinned private directory: created 0600 if missing, and used
 * only when it is a regular file owned by us with a single name. Returns a refusal on any doubt,
 * so that the caller can apply "no audit record, no action".
 */
export function appendRecord(dir: PinnedDir, name: string, line: string): { ok: true } | Refusal {
  const where = path.posix.join(dir.hostPath, name);
  let fd: number;
  try {
    fd = fs.openSync(at(dir.fd, name), O_APPEND_LOG, 0o600);
  } catch (err) {
    const code = codeOf(err);
    return refuse(code === 'ELOOP' ? 'symlink' : reasonOfErrno(code), where, `cannot open the log (${code})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return refuse('not-regular', where, 'the log is not a regular file');
    if (st.uid !== euid()) return refuse('unsafe-dir', where, `the log is owned by uid ${st.uid}`);
    if (st.nlink !== 1) return refuse('hardlink', where, `the log has ${st.nlink} names`);
    if ((st.mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
    const buf = Buffer.from(line.endsWith('\n') ? line : line + '\n', 'utf8');
    writeAll(fd, buf);
    fs.fsyncSync(fd);
    return { ok: true };
  } catch (err) {
    return refuse(reasonOfErrno(codeOf(err)), where, `cannot write the log (${codeOf(err)})`);
  } finally {
    closeQuietly(fd);
  }
}

export interface ReplaceOptions extends WalkOptions {
  maxBytes?: number;
  /** Called with the verified original before anything is written (e.g. to keep a backup); a refusal stops. */
  beforeWrite?: (original: Buffer, stat: fs.Stats) => Refusal | null;
  now?: () => number;
}

export interface Replaced {
  ok: true;
  path: string;
  original: Buffer;
  written: Buffer;
  before: fs.Stats;
}

/**
 * Replace a file atomically, the way `crontab` does: read it through a checked walk (the file itself,
 * never a symlink's target; one name only), compute the new content, write it to a temp file created
 * O_EXCL in the same pinned directory with the original owner and mode, re-verify that the name still
 * holds the same inode with the same size, times and content, then rename over it.
 */
export function replaceFile(tree: SafeTree, hostPath: string, edit: (data: Buffer, st: fs.Stats) => Buffer | Refusal, opts: ReplaceOptions = {}): Replaced | Refusal {
  const parent = tree.parentOf(hostPath, opts);
  if ('ok' in parent) return parent;
  const dir = parent.walked.dir;
  const name = parent.name;
  let tmpName: string | null = null;
  let readFd: number | null = null;
  try {
    const opened = openFileAt(dir, name, hostPath, null);
    if ('ok' in opened) return opened;
    readFd = opened.fd;
    const before = opened.stat;
    if (before.nlink !== 1) return refuse('hardlink', hostPath, `it has ${before.nlink} names; a hard-linked file is not edited`);
    const read = readBounded(readFd, before, hostPath, { maxBytes: opts.maxBytes ?? 1024 * 1024, over: 'refuse' });
    if ('ok' in read) return read;
    const original = read.data;
    const next = edit(original, before);
    if (!Buffer.isBuffer(next)) return next;
    const stop = opts.beforeWrite?.(original, before);
    if (stop) return stop;

    tmpName = `.${name.slice(0, 200)}.minewatch-${crypto.randomBytes(6).toString('hex')}`;
    const tmp = createNew(dir, tmpName, 0o600);
    if ('ok' in tmp) {
      tmpName = null;
      return tmp;
    }
    try {
      writeAll(tmp.fd, next);
      try {
        fs.fchownSync(tmp.fd, before.uid, before.gid);
      } catch (err) {
        if (before.uid !== euid()) return refuse('denied', hostPath, `cannot keep its owner uid ${before.uid} (${codeOf(err)}); run minewatch as root`);
      }
      fs.fchmodSync(tmp.fd, before.mode & 0o7777);
      fs.fsyncSync(tmp.fd);
    } finally {
      closeQuietly(tmp.fd);
    }

    // Re-verify: same inode under the name, unchanged size and times, same bytes.
    const now = fs.fstatSync(readFd);
    let named: fs.Stats;
    try {
      named = fs.lstatSync(at(dir.fd, name));
    } catch (err) {
      return refuse('changed', hostPath, `it disappeared while it was being edited (${codeOf(err)})`);
    }
    if (named.ino !== before.ino || named.dev !== before.dev) return refuse('changed', hostPath, 'another file was put in its place while it was being edited');
    if (now.size !== before.size || now.mtimeMs !== before.mtimeMs || now.ctimeMs !== before.ctimeMs) {
      return refuse('changed', hostPath, 'it was modified by something else while it was being edited');
    }
    const again = readBounded(readFd, now, hostPath, { maxBytes: opts.maxBytes ?? 1024 * 1024, over: 'refuse' });
    if ('ok' in again || !again.data.equals(original)) return refuse('changed', hostPath, 'its content changed while it was being edited');

    fs.renameSync(at(dir.fd, tmpName), at(dir.fd, name));
    tmpName = null;
    try {
      const t = new Date((opts.now ?? Date.now)());
      fs.futimesSync(dir.fd, t, t);
    } catch {
      /* the rename already updated the directory's mtime */
    }
    return { ok: true, path: hostPath, original, written: next, before };
  } catch (err) {
    return refuse(reasonOfErrno(codeOf(err)), hostPath, `edit failed (${codeOf(err)})`);
  } finally {
    if (tmpName !== null) {
      try {
        fs.unlinkSync(at(dir.fd, tmpName));
      } catch {
        /* nothing to clean */
      }
    }
    closeQuietly(readFd);
    dir.close();
  }
}

/**
 * Remove one symbolic link (a *.wants/ entry) by its host path: the parent reached by a checked walk,
 * the entry lstat'ed and its text compared with `expectTarget` in that pinned directory, then unlinked
 * there. Only that name goes; nothing it points to is touched.
 */
export function removeSymlink(tree: SafeTree, hostPath: string, opts: WalkOptions & { expectTarget?: string } = {}): { ok: true; target: string } | Refusal {
  const parent = tree.parentOf(hostPath, opts);
  if ('ok' in parent) return parent;
  const dir = parent.walked.dir;
  try {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(at(dir.fd, parent.name));
    } catch (err) {
      return refuse(reasonOfErrno(codeOf(err)), hostPath, `cannot find it (${codeOf(err)})`);
    }
    if (!st.isSymbolicLink()) return refuse('not-regular', hostPath, 'it is not a symbolic link');
    let target: string;
    try {
      target = fs.readlinkSync(at(dir.fd, parent.name));
    } catch (err) {
      return refuse(reasonOfErrno(codeOf(err)), hostPath, `cannot read the link (${codeOf(err)})`);
    }
    if (opts.expectTarget !== undefined && target !== opts.expectTarget) {
      return refuse('changed', hostPath, `it now points to ${target}, not ${opts.expectTarget}`, { target });
    }
    try {
      fs.unlinkSync(at(dir.fd, parent.name));
    } catch (err) {
      return refuse(reasonOfErrno(codeOf(err)), hostPath, `could not remove it (${codeOf(err)})`);
    }
    return { ok: true, target };
  } finally {
    dir.close();
  }
}
