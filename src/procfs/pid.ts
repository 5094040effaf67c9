// The one per-PID reader: every file under /proc/PID that minewatch reads, read one way (files.ts:
// O_NONBLOCK, no symlink following, bounded) and parsed one way. The poll loop (reader.ts), the
// inspector, the response engine, the simulation, the scripts and the GPU/container readers all come
// here; nothing outside src/procfs opens a path under /proc (test/procfs/boundary.test.ts).
//
// Readers throw the errno error of the failed open/read (ENOENT/ESRCH: gone, EACCES: not ours) or a
// ProcFormatError for content that does not parse, so callers can say why; `attempt` turns any of them
// into null. Readers take the proc root, so every one of them runs on fixture trees.
import { closeSync, constants, fstatSync, opendirSync, openSync, readdirSync, statSync, type Stats } from 'node:fs';
import { failureOf, openFd, readCapped, readLink, splitNul } from './files';
import { parseStatBytes, type StatFields } from './stat';

export const PROC_ROOT = '/proc';

/** Caps, in bytes. argv and the environment are capped well below what the kernel allows (ARG_MAX). */
export const CAP = {
  stat: 4096,
  status: 16 * 1024,
  comm: 256,
  cgroup: 64 * 1024,
  /** The poll loop keeps this much of every command line; the inspector asks for more (INSPECT_CMDLINE). */
  cmdline: 32 * 1024,
  environ: 256 * 1024,
  fdinfo: 64 * 1024,
  maps: 16 * 1024 * 1024,
  io: 4096,
  netTable: 32 * 1024 * 1024,
} as const;

/** Open descriptors listed at most per process. */
export const FD_MAX = 8192;

/** Content that is there but is not what the kernel writes (truncated, a fixture's junk). */
export class ProcFormatError extends Error {
  readonly code = 'EFORMAT';
}

/** null instead of an exception: for callers to whom "unreadable" and "gone" mean the same. */
export function attempt<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** The ReadFailure of an error thrown by a reader here. */
export { failureOf };

export function pidDir(procRoot: string, pid: number): string {
  return procRoot + '/' + pid;
}

export function pidPath(procRoot: string, pid: number, name: string): string {
  return procRoot + '/' + pid + '/' + name;
}

/** The numeric entries of the proc root, in directory order; throws when it cannot be listed. */
export function listPids(procRoot: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync(procRoot)) {
    const c = e.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const n = Number(e);
    if (Number.isInteger(n) && n > 0) out.push(n);
  }
  return out;
}

/**
 * Whether the proc root lists at least one process; throws when it cannot be listed. Reads the directory
 * only up to its first numeric entry (procfs lists its own files first, then the PIDs): at 20,000
 * processes a whole listing costs 30-50 ms, and the dashboard's set-up check needs one PID.
 */
export function hasPid(procRoot: string): boolean {
  const dir = opendirSync(procRoot);
  try {
    for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
      const c = e.name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const n = Number(e.name);
      if (Number.isInteger(n) && n > 0) return true;
    }
    return false;
  } finally {
    dir.closeSync();
  }
}

/** Thread ids under /proc/PID/task (the leader included); throws when unreadable. */
export function readTaskIds(procRoot: string, pid: number): number[] {
  return readdirSync(pidPath(procRoot, pid, 'task')).map(Number).filter((n) => Number.isInteger(n));
}

/**
 * Whether /proc/N answers when asked for by name, whatever the listing says (a hidden process, or a
 * thread id): true for ENOENT's opposite, including "there but not ours" (EACCES).
 */
export function probePid(procRoot: string, n: number): boolean {
  try {
    return statSync(pidDir(procRoot, n), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true;
  }
}

/** Whether /proc/PID exists; throws for errors other than "no such process" (EACCES under hidepid). */
export function pidExists(procRoot: string, pid: number): boolean {
  try {
    statSync(pidDir(procRoot, pid));
    return true;
  } catch (err) {
    if (failureOf(err) === 'ENOENT') return false;
    throw err;
  }
}

/**
 * The owner of /proc/PID: the process's effective uid (root's for a process that is not dumpable). One
 * stat(2), for the first frame's quick pass; the uid that detection uses comes from status.
 */
export function readOwner(procRoot: string, pid: number): number {
  return statSync(pidDir(procRoot, pid)).uid;
}

/**
 * The children of a process as the kernel lists them (/proc/PID/task/PID/children: the main thread's
 * children, which is every child of a single-threaded process). Throws when the file is missing
 * (kernels without CONFIG_PROC_CHILDREN).
 */
export function readChildren(procRoot: string, pid: number): number[] {
  const text = readCapped(pidPath(procRoot, pid, `task/${pid}/children`), 4 * 1024 * 1024).toString('utf8');
  return text.split(' ').filter(Boolean).map(Number);
}

/** An open descriptor on /proc/PID/<name> (for pread on every tick), or -1. */
export function openPidFile(procRoot: string, pid: number, name: string): number {
  return openFd(pidPath(procRoot, pid, name));
}

// ------------------------------------------------------------------ stat, status, comm

export function readStat(procRoot: string, pid: number): StatFields {
  const buf = readCapped(pidPath(procRoot, pid, 'stat'), CAP.stat, true);
  const st = parseStatBytes(buf, buf.length);
  if (!st) throw new ProcFormatError('unparsable /proc/PID/stat');
  return st;
}

export interface PidStatus {
  name: string | null;
  /** Pid: and Tgid: (they differ for a thread id); null when absent. */
  pid: number | null;
  tgid: number | null;
  /** Real, effective, saved and file-system uid: the real one says who started it, the effective one what it may do (ps shows the effective one). */
  realUid: number;
  effectiveUid: number;
  savedUid: number;
  fsUid: number;
  realGid: number | null;
  effectiveGid: number | null;
  /** Supplementary groups. */
  groups: number[];
  ppid: number | null;
  threads: number | null;
  tracerPid: number | null;
  /** NSpid: this process's PID in each nested PID namespace, outermost first ([pid] outside containers). */
  nsPids: number[];
  /** Every "Key:\tvalue" line, for the rest. */
  fields: Map<string, string>;
}

function nums(s: string | undefined): number[] {
  if (!s) return [];
  const out: number[] = [];
  for (const w of s.split(/\s+/)) {
    if (w === '') continue;
    const n = Number(w);
    if (Number.isInteger(n)) out.push(n);
  }
  return out;
}

function numOrNull(s: string | undefined): number | null {
  if (s === undefined || s.trim() === '') return null;
  const n = Number(s.trim());
  return Number.isInteger(n) ? n : null;
}

/** /proc/PID/status (proc_pid_status(5)); null when it has no well-formed Uid: line. */
export function parseStatus(text: string): PidStatus | null {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const uids = nums(fields.get('Uid'));
  if (uids.length < 4) return null;
  const gids = nums(fields.get('Gid'));
  return {
    name: fields.get('Name') ?? null,
    pid: numOrNull(fields.get('Pid')),
    tgid: numOrNull(fields.get('Tgid')),
    realUid: uids[0], effectiveUid: uids[1], savedUid: uids[2], fsUid: uids[3],
    realGid: gids[0] ?? null, effectiveGid: gids[1] ?? null,
    groups: nums(fields.get('Groups')),
    ppid: numOrNull(fields.get('PPid')),
    threads: numOrNull(fields.get('Threads')),
    tracerPid: numOrNull(fields.get('TracerPid')),
    nsPids: nums(fields.get('NSpid')),
    fields,
  };
}

export function readStatus(procRoot: string, pid: number): PidStatus {
  const st = parseStatus(readCapped(pidPath(procRoot, pid, 'status'), CAP.status, true).toString('utf8'));
  if (!st) throw new ProcFormatError('no Uid: line in /proc/PID/status');
  return st;
}

/**
 * The value of the last line of `buf` that starts with `key:` (the line parseStatus's map keeps), trimmed,
 * or undefined; only that line is decoded.
 */
function lastField(buf: Buffer, key: string): string | undefined {
  let at = buf.lastIndexOf('\n' + key + ':');
  if (at >= 0) at += 1;
  else if (buf.subarray(0, key.length + 1).toString('latin1') === key + ':') at = 0;
  else return undefined;
  const from = at + key.length + 1;
  const end = buf.indexOf(0x0a, from);
  return buf.toString('utf8', from, end < 0 ? buf.length : end).trim();
}

export interface StatusBrief {
  effectiveUid: number;
  /** How many entries NSpid: has (1: the proc mount's own PID namespace; 0 when the line is absent). */
  nsDepth: number;
}

/**
 * The poll loop's part of /proc/PID/status, read as readStatus reads it (same Uid: rule, same errors)
 * without building a map of every field: the effective uid and the depth of its PID namespace.
 */
export function readStatusBrief(procRoot: string, pid: number): StatusBrief {
  const buf = readCapped(pidPath(procRoot, pid, 'status'), CAP.status, true);
  const uids = nums(lastField(buf, 'Uid'));
  if (uids.length < 4) throw new ProcFormatError('no Uid: line in /proc/PID/status');
  return { effectiveUid: uids[1], nsDepth: nums(lastField(buf, 'NSpid')).length };
}

/** comm as the process set it (untrusted, may hold escape sequences). */
export function readComm(procRoot: string, pid: number): string {
  return readCapped(pidPath(procRoot, pid, 'comm'), CAP.comm).toString('utf8').replace(/\n$/, '');
}

// ------------------------------------------------------------------ cmdline, environ

export interface Argv {
  argv: string[];
  /** More bytes were there than the cap: the last argument is cut and later ones are missing. */
  truncated: boolean;
}

/** argv (NUL-separated), at most `cap` bytes of it. Empty for kernel threads and zombies. */
export function readCmdline(procRoot: string, pid: number, cap: number = CAP.cmdline): Argv {
  const buf = readCapped(pidPath(procRoot, pid, 'cmdline'), cap + 1, true);
  const truncated = buf.length > cap;
  return { argv: splitNul(truncated ? buf.subarray(0, cap) : buf), truncated };
}

/** The environment as "NAME=value" strings (at most `cap` bytes); readable by the owner and root only. */
export function readEnviron(procRoot: string, pid: number, cap: number = CAP.environ): string[] {
  return splitNul(readCapped(pidPath(procRoot, pid, 'environ'), cap, true));
}

/**
 * The entries of the environment whose name is one of `names` (ASCII names without '='), as readEnviron
 * would return them, in order: only those entries are decoded (an environment holds dozens to thousands).
 */
export function readEnvironVars(procRoot: string, pid: number, names: readonly string[], cap: number = CAP.environ): string[] {
  const buf = readCapped(pidPath(procRoot, pid, 'environ'), cap, true);
  const out: string[] = [];
  const end = buf.length > 0 && buf[buf.length - 1] === 0 ? buf.length - 1 : buf.length;
  let s = 0;
  while (s <= end && buf.length > 0) {
    let e = buf.indexOf(0, s);
    if (e < 0 || e > end) e = end;
    for (const name of names) {
      const n = name.length;
      if (e - s <= n || buf[s + n] !== 0x3d) continue;
      let same = true;
      for (let i = 0; i < n; i++) if (buf[s + i] !== name.charCodeAt(i)) { same = false; break; }
      if (same) { out.push(buf.toString('utf8', s, e)); break; }
    }
    s = e + 1;
  }
  return out;
}

// ------------------------------------------------------------------ links: exe, cwd, root, namespaces

function link(procRoot: string, pid: number, name: string): string {
  const r = readLink(pidPath(procRoot, pid, name));
  if (r.ok) return r.target;
  throw Object.assign(new Error(`${name} of ${pid}: ${r.code}`), { code: r.code });
}

export interface ExeLink {
  /** The target with " (deleted)" removed. */
  path: string;
  deleted: boolean;
  /** A memfd: fileless executable. */
  memfd: boolean;
}

export function parseExeLink(target: string): ExeLink {
  const deleted = target.endsWith(' (deleted)');
  const path = deleted ? target.slice(0, -' (deleted)'.length) : target;
  return { path, deleted, memfd: path.startsWith('/memfd:') };
}

/** Target of /proc/PID/exe; throws ENOENT for kernel threads and zombies, EACCES for others' when not root. */
export function readExe(procRoot: string, pid: number): ExeLink {
  return parseExeLink(link(procRoot, pid, 'exe'));
}

export function readCwd(procRoot: string, pid: number): string {
  return link(procRoot, pid, 'cwd');
}

/** The process's root directory ("/" unless chrooted or in another mount namespace's view). */
export function readRootLink(procRoot: string, pid: number): string {
  return link(procRoot, pid, 'root');
}

export const NAMESPACES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** Inode of each namespace the process is in ("net:[4026531840]" → 4026531840); missing ones left out. */
export function readNamespaces(procRoot: string, pid: number): Partial<Record<Namespace, number>> {
  const out: Partial<Record<Namespace, number>> = {};
  for (const ns of NAMESPACES) {
    const inode = readNamespace(procRoot, pid, ns);
    if (inode !== null) out[ns] = inode;
  }
  return out;
}

/** The inode of one namespace of the process ("pid:[4026531836]" → 4026531836), or null. */
export function readNamespace(procRoot: string, pid: number, ns: Namespace): number | null {
  const r = readLink(pidPath(procRoot, pid, 'ns/' + ns));
  const m = r.ok ? /\[(\d+)\]$/.exec(r.target) : null;
  return m ? Number(m[1]) : null;
}

/**
 * Whether the process sees the same files as minewatch (the same mount namespace): a path it names is
 * then a path here. False for a container's process (its /usr/bin/java is the image's, not the host's);
 * null when that cannot be told (a fixture /proc, or namespaces not readable).
 */
export function sharesMountNamespace(procRoot: string, pid: number): boolean | null {
  const mine = readNamespace(procRoot, process.pid, 'mnt');
  const theirs = readNamespace(procRoot, pid, 'mnt');
  return mine === null || theirs === null ? null : mine === theirs;
}

/** Metadata of the file behind /proc/PID/exe (stat through the link: works for deleted and memfd files). */
export function statExe(procRoot: string, pid: number): Stats {
  return statSync(pidPath(procRoot, pid, 'exe'));
}

/**
 * A read-only descriptor on the executable behind /proc/PID/exe, for hashing and magic bytes: the link
 * is followed (that is how a deleted or memfd binary is read), the open never blocks, and anything but a
 * regular file is refused. The caller closes it.
 */
export function openExe(procRoot: string, pid: number): number {
  const fd = openSync(pidPath(procRoot, pid, 'exe'), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`the executable of ${pid} is not a regular file`), { code: 'EFTYPE' });
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

// ------------------------------------------------------------------ cgroup

export interface CgroupLine {
  /** Hierarchy id (0 for the unified v2 hierarchy). */
  id: number;
  /** Controllers ("" on v2, "cpu,cpuacct", "name=systemd"...). */
  controllers: string;
  path: string;
}

export function parseCgroupLines(text: string): CgroupLine[] {
  const out: CgroupLine[] = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    const id = Number(line.slice(0, a));
    if (!Number.isInteger(id)) continue;
    out.push({ id, controllers: line.slice(a + 1, b), path: line.slice(b + 1) });
  }
  return out;
}

/** The unified (v2) cgroup path, else the name=systemd one (v1 hosts), else the first hierarchy's. */
export function parseCgroup(text: string): string | null {
  const lines = parseCgroupLines(text);
  const v2 = lines.find((l) => l.id === 0 && l.controllers === '');
  if (v2) return v2.path;
  return (lines.find((l) => l.controllers === 'name=systemd') ?? lines[0])?.path ?? null;
}

export function readCgroupLines(procRoot: string, pid: number): CgroupLine[] {
  return parseCgroupLines(readCapped(pidPath(procRoot, pid, 'cgroup'), CAP.cgroup, true).toString('utf8'));
}

export function readCgroup(procRoot: string, pid: number): string | null {
  return parseCgroup(readCapped(pidPath(procRoot, pid, 'cgroup'), CAP.cgroup, true).toString('utf8'));
}

// ------------------------------------------------------------------ fd/, fdinfo/

/**
 * Call `visit` with every open descriptor's number and link target ("socket:[123]", "/dev/nvidia0",
 * "pipe:[9]"), in directory order, at most `max`; `visit` returns true to stop early. Descriptors closed
 * meanwhile are skipped. Throws when fd/ cannot be listed (EACCES: not ours). Returns how many were
 * listed and how many links could not be read (and the first such error).
 */
export function forEachFd(
  procRoot: string,
  pid: number,
  visit: (fd: number, target: string) => boolean | void,
  max: number = FD_MAX,
): { total: number; unreadable: number; firstError: unknown } {
  const dir = pidPath(procRoot, pid, 'fd');
  const names = readdirSync(dir);
  let total = 0;
  let unreadable = 0;
  let firstError: unknown = null;
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    if (total >= max) break;
    total++;
    const r = readLink(dir + '/' + n);
    if (!r.ok) {
      if (r.failure !== 'ENOENT') {
        unreadable++;
        firstError ??= Object.assign(new Error(`fd ${n} of ${pid}: ${r.code}`), { code: r.code });
      }
      continue;
    }
    if (visit(Number(n), r.target) === true) break;
  }
  return { total, unreadable, firstError };
}

/** stat(2) through /proc/PID/fd/N: the file or device node the descriptor holds (never opened). */
export function statFd(procRoot: string, pid: number, fd: number): Stats {
  return statSync(pidPath(procRoot, pid, 'fd/' + fd));
}

export interface FdEntry {
  fd: number;
  target: string;
}

/** Every open descriptor (sorted by number, at most `max`) with its target. */
export function readFds(procRoot: string, pid: number, max: number = FD_MAX): { fds: FdEntry[]; total: number; unreadable: number; firstError: unknown } {
  const fds: FdEntry[] = [];
  const r = forEachFd(procRoot, pid, (fd, target) => { fds.push({ fd, target }); }, max);
  fds.sort((a, b) => a.fd - b.fd);
  return { fds, ...r };
}

/** Socket inode of a descriptor target ("socket:[123]" → 123), or null. */
export function socketInode(target: string): number | null {
  if (!target.startsWith('socket:[') || !target.endsWith(']')) return null;
  const n = Number(target.slice(8, -1));
  return Number.isInteger(n) ? n : null;
}

/** "key:\tvalue" lines of /proc/PID/fdinfo/FD (pos, flags, and for DRM devices the drm-* usage keys). */
export function readFdinfo(procRoot: string, pid: number, fd: number): Map<string, string> {
  const text = readCapped(pidPath(procRoot, pid, 'fdinfo/' + fd), CAP.fdinfo).toString('utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return out;
}

// ------------------------------------------------------------------ maps, io, net

/** /proc/PID/maps as text, at most `cap` bytes. */
export function readMaps(procRoot: string, pid: number, cap: number = CAP.maps): string {
  return readCapped(pidPath(procRoot, pid, 'maps'), cap).toString('utf8');
}

/** /proc/PID/smaps (every mapping with its resident size) as text, at most `cap` bytes; for bench:tui --memory. */
export function readSmaps(procRoot: string, pid: number, cap: number = CAP.maps): string {
  return readCapped(pidPath(procRoot, pid, 'smaps'), cap).toString('utf8');
}

/** /proc/PID/io counters (rchar, wchar, read_bytes...); root or the owner only. */
export function readIo(procRoot: string, pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readCapped(pidPath(procRoot, pid, 'io'), CAP.io).toString('utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

export type NetTable = 'tcp' | 'tcp6' | 'udp' | 'udp6';

/** /proc/PID/net/<table>: the table of the process's network namespace. */
export function readNetTable(procRoot: string, pid: number, table: NetTable, cap: number = CAP.netTable): string {
  return readCapped(pidPath(procRoot, pid, 'net/' + table), cap).toString('utf8');
}
