// fsafe: THE one way minewatch opens files that ordinary users control, and the one way it writes as
// root. Nothing else in src/ may open a user-controlled path. Everything here is synchronous and
// bounded, spawns nothing, and never follows a link a user could have placed.
//
// How it cannot be raced. Node has no openat(2); `/proc/self/fd/<dirfd>/<name>` is used instead: the
// kernel resolves the magic link to the directory the descriptor pins, then looks up <name> inside
// it, so O_NOFOLLOW / O_EXCL / rename / unlink act inside the pinned directory whatever is renamed by
// path meanwhile (see pinned.ts). Paths are walked from the tree's root one component at a time,
// each directory opened O_DIRECTORY|O_NOFOLLOW relative to the last and checked by fstat. There is no
// lstat-then-open and no realpath anywhere.
//
// Trust (trust.ts). A directory on the way must be owned by root, by minewatch's own uid, or by a
// user the caller names (`owners`: the owner of the home or spool being read), and writable by its
// owner only; a sticky directory owned by root (/tmp, the crontab spool) is accepted on the way. A
// symbolic link is followed only where only trusted uids can write (/var/run -> /run), and is resolved
// inside the tree (--root DIR: an absolute target means DIR, '..' stops at DIR). A regular file in a
// user-writable directory that is not that user's is refused when it has several names (a hard link)
// or when that user could not read it.
//
// Reading
//   new SafeTree(root = '/')                 a tree; close() releases its root descriptor
//   readFile(tree, hostPath, opts)           -> FileRead {data, stat, truncated, resolved} | Refusal
//       opts: maxBytes (1 MiB), over 'refuse' | 'head' | 'tail', owners [uid], followTrusted
//       Opens O_RDONLY|O_NOFOLLOW|O_NONBLOCK (a FIFO never blocks), fstat: regular files only.
//   listDir(tree, hostPath, opts)            -> DirList {entries (sorted, bounded), id, resolved} | Refusal
//   entryInfo(tree, hostPath)                -> lstat + link text of one entry | Refusal
//   tree.openDir(hostPath) / tree.parentOf() -> a PinnedDir (fd + fstat) for work inside it; close it
//   openFileAt(dir, name, ...), readBounded(fd, st, ...)   the same steps on a directory you pinned
//       (e.g. /proc/PID/cwd, opened by the kernel's link: the process's own working directory)
//
// Writing (write.ts)
//   privateDir(path, {create})   the evidence directory: parents root/us-owned and not writable by
//                                others (sticky root dirs allowed), itself ours and 0700; refused on
//                                /proc, /sys, /dev and kernel file systems
//   mkdirUnique(dir, base)       a fresh 0700 subdirectory (base, base-1, ...), pinned
//   writeNew / writeUnique / createNew / createUnique   O_CREAT|O_EXCL|O_NOFOLLOW, 0600, in a pinned dir
//   appendRecord(dir, name, line)   the audit log: a regular file of ours with one name, or a refusal
//                                   (the caller then does not act: no audit record, no action)
//   replaceFile(tree, path, edit, {beforeWrite})   atomic edit in place (temp + rename in the pinned
//                                   directory), owner/inode/size/times/content re-verified before rename
//   removeSymlink(tree, path, {expectTarget})       unlink one link whose text is re-checked
//
// Refusals (refusal.ts) are data: {ok:false, reason, path, at?, target?, detail}, with reasons such as
// symlink, not-dir, fifo, device, unsafe-dir, foreign-file, hardlink, too-big, missing, denied,
// changed, special-fs. describeRefusal() says it in one line ("... is a symlink to /etc/shadow (not
// followed ...)"); callers turn it into a finding or a warning, and never open the target.
export { SafeTree, hostParts, joinHost, MAX_LINK_HOPS } from './tree';
export type { WalkOptions, Walked } from './tree';
export { readFile, listDir, entryInfo, openFileAt, readBounded, linkTargetPath, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES } from './read';
export type { ReadOptions, FileRead, DirEntry, DirList, EntryInfo } from './read';
export { privateDir, mkdirUnique, createNew, createUnique, writeNew, writeUnique, appendRecord, replaceFile, removeSymlink } from './write';
export type { ReplaceOptions, Replaced } from './write';
export { at, self, using, validName, closeQuietly, O_READ_FILE, O_OPEN_DIR } from './pinned';
export type { PinnedDir } from './pinned';
export { refuse, isRefusal, describeRefusal, codeOf, reasonOfErrno } from './refusal';
export type { Refusal, RefusalReason } from './refusal';
export { unsafeDir, foreignFile, mayFollowLinkIn, onlyTrustedWrite, fileKind, policy } from './trust';
export type { TrustPolicy, Owned } from './trust';
