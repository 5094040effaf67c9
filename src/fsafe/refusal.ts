// What the safe opener says instead of content when a path is not what it claims to be. Callers turn
// a refusal into a finding or a warning ("~/.ssh/authorized_keys is a symlink to /etc/shadow"); the
// target of a refused path is never opened, let alone shown.

export type RefusalReason =
  | 'missing' // nothing there (ENOENT, or a directory on the way is missing)
  | 'denied' // EACCES/EPERM
  | 'symlink' // a symbolic link where minewatch does not follow one
  | 'not-dir' // a non-directory where a directory was expected
  | 'directory' // a directory where a file was expected
  | 'fifo' // a named pipe where a file was expected (reading it could block forever)
  | 'device' // a character or block device
  | 'socket'
  | 'not-regular' // anything else that is not a regular file
  | 'unsafe-dir' // a directory on the way is writable by someone minewatch does not trust
  | 'foreign-file' // a file in a user-writable directory that its user could not read (e.g. a hard link to /etc/shadow)
  | 'hardlink' // a file with several names in a user-writable directory, not owned by that user
  | 'too-big' // larger than the caller's bound
  | 'loop' // too many symbolic links on the way
  | 'bad-path' // an empty, relative or '..'-escaping path or name
  | 'exists' // O_EXCL creation found something already there
  | 'changed' // the file changed between read and write; nothing was written
  | 'special-fs' // a write location on /proc, /sys or another kernel file system
  | 'no-proc' // /proc/self/fd is not available, so no descriptor-relative open is possible
  | 'io'; // any other error (the errno code is in detail)

export interface Refusal {
  ok: false;
  reason: RefusalReason;
  /** The host path asked for (relative to the root minewatch reads, never prefixed with it). */
  path: string;
  /** The component where the walk stopped, when not the last one (host path). */
  at?: string;
  /** Where a refused symbolic link points (its text, never followed). */
  target?: string;
  /** Plain words, safe for a terminal once sanitized: "owned by uid 1000 and group-writable". */
  detail: string;
}

export function refuse(reason: RefusalReason, path: string, detail: string, extra: Partial<Pick<Refusal, 'at' | 'target'>> = {}): Refusal {
  return { ok: false, reason, path, detail, ...extra };
}

export function isRefusal(x: unknown): x is Refusal {
  return typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false && typeof (x as { reason?: unknown }).reason === 'string';
}

/** errno code of a thrown error, or 'EOTHER'. */
export function codeOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'EOTHER';
}

/** Map an errno from open/mkdir/rename to a refusal reason. */
export function reasonOfErrno(code: string): RefusalReason {
  switch (code) {
    case 'ENOENT':
      return 'missing';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'denied';
    case 'ELOOP':
      return 'symlink';
    case 'ENOTDIR':
      return 'not-dir';
    case 'EISDIR':
      return 'directory';
    case 'EEXIST':
      return 'exists';
    case 'ENXIO':
      return 'fifo';
    default:
      return 'io';
  }
}

/**
 * One line in plain words: "/home/abc/.ssh/authorized_keys is a symlink to /etc/shadow (not followed)".
 * The caller sanitizes it before it reaches a terminal (paths come from users).
 */
export function describeRefusal(r: Refusal): string {
  const where = r.at && r.at !== r.path ? `${r.path}: ${r.at}` : r.path;
  switch (r.reason) {
    case 'missing':
      return `${where} does not exist`;
    case 'symlink':
      return `${where} is a symlink${r.target !== undefined ? ` to ${r.target}` : ''} (not followed: ${r.detail})`;
    case 'unsafe-dir':
      return `${where} is not a safe directory (${r.detail}); nothing under it was read`;
    case 'fifo':
      return `${where} is a named pipe (FIFO), not a file; not read`;
    case 'device':
      return `${where} is a device file, not a regular file; not read`;
    case 'socket':
      return `${where} is a socket, not a regular file; not read`;
    case 'directory':
      return `${where} is a directory`;
    case 'not-regular':
      return `${where} is not a regular file (${r.detail}); not read`;
    case 'foreign-file':
    case 'hardlink':
      return `${where}: ${r.detail}; not read`;
    case 'too-big':
      return `${where} is too big (${r.detail}); not read`;
    default:
      return `${where}: ${r.detail}`;
  }
}
