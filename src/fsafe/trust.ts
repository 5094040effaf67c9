// Who may have put what on the way to a file: the trust rules of the safe opener, as pure functions of
// fstat results, so each one is unit-tested without a file system.

export interface Owned {
  uid: number;
  gid?: number;
  mode: number;
  nlink?: number;
}

export interface TrustPolicy {
  /** uids whose directories and symlinks are trusted: root and the uid minewatch runs as. */
  trusted: ReadonlySet<number>;
  /** Extra owners accepted for directories on this walk (the user whose home or spool is read). */
  owners: ReadonlySet<number>;
  /** Groups whose write access to a root-owned directory is accepted on this walk (syslog, adm for /var/log). */
  groups: ReadonlySet<number>;
}

const S_ISVTX = 0o1000;

export function defaultTrusted(): Set<number> {
  const euid = process.geteuid?.() ?? 0;
  return new Set([0, euid]);
}

export function policy(owners: readonly number[] = [], trusted: ReadonlySet<number> = defaultTrusted(), groups: readonly number[] = []): TrustPolicy {
  return { trusted, owners: new Set(owners), groups: new Set(groups) };
}

/** True when only trusted uids can add, remove or rename entries of this directory. */
export function onlyTrustedWrite(dir: Owned, p: TrustPolicy): boolean {
  if (!p.trusted.has(dir.uid) || (dir.mode & 0o002) !== 0) return false;
  return (dir.mode & 0o020) === 0 || (dir.gid !== undefined && p.groups.has(dir.gid));
}

/**
 * Why a directory on the way is unsafe, or null. Accepted: owned by a trusted uid or an expected owner
 * and writable by its owner only; or sticky and owned by a trusted uid (/tmp, /var/spool/cron/crontabs),
 * where nobody can rename or delete another user's entry.
 */
export function unsafeDir(dir: Owned, p: TrustPolicy): string | null {
  const ownerOk = p.trusted.has(dir.uid) || p.owners.has(dir.uid);
  if (!ownerOk) return `owned by uid ${dir.uid}`;
  if ((dir.mode & 0o022) === 0) return null;
  if ((dir.mode & S_ISVTX) !== 0 && p.trusted.has(dir.uid)) return null;
  if ((dir.mode & 0o002) === 0 && p.trusted.has(dir.uid) && dir.gid !== undefined && p.groups.has(dir.gid)) return null;
  const who = (dir.mode & 0o002) !== 0 ? 'world-writable' : 'group-writable';
  return `${who} (mode ${(dir.mode & 0o7777).toString(8).padStart(4, '0')}) and not a sticky root directory`;
}

/**
 * A symbolic link is followed only where nobody but a trusted uid could have made it: in a directory
 * that only trusted uids can write (a link in /etc/systemd/system, /var/run -> /run). A link in a
 * user's directory or in /tmp is never followed: the user could point it at /etc/shadow.
 */
export function mayFollowLinkIn(dir: Owned, p: TrustPolicy): boolean {
  return onlyTrustedWrite(dir, p);
}

/**
 * Why a regular file must not be read although the walk to it was safe, or null. In a directory an
 * untrusted user can write, that user chose what the name points to: a hard link to a file they
 * cannot read (/etc/shadow, with protected_hardlinks off) must not be read on their behalf.
 */
export function foreignFile(file: Owned, parent: Owned, p: TrustPolicy): { reason: 'hardlink' | 'foreign-file'; detail: string } | null {
  if (onlyTrustedWrite(parent, p)) return null;
  const sticky = (parent.mode & S_ISVTX) !== 0;
  // The user who controls the directory: its owner (for a sticky shared directory, nobody in particular).
  const writer = sticky ? null : parent.uid;
  if (writer !== null && file.uid === writer) return null;
  if ((file.nlink ?? 1) > 1) {
    return { reason: 'hardlink', detail: `owned by uid ${file.uid} with ${file.nlink} names, in a directory uid ${parent.uid} can write (a hard link is how a user points a name at a file they cannot read)` };
  }
  if ((file.mode & 0o004) === 0 && !(sticky && !p.trusted.has(file.uid))) {
    return { reason: 'foreign-file', detail: `owned by uid ${file.uid} and not world-readable, in a directory uid ${parent.uid} can write` };
  }
  return null;
}

/** The kind of a non-regular file from its mode, for a refusal. */
export function fileKind(mode: number): 'fifo' | 'device' | 'socket' | 'directory' | 'symlink' | 'not-regular' | 'regular' {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'regular';
    case 0o010000:
      return 'fifo';
    case 0o020000:
    case 0o060000:
      return 'device';
    case 0o140000:
      return 'socket';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'not-regular';
  }
}
