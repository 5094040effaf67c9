// The files around a process, reached through the kernel's own links: its working directory
// (/proc/PID/cwd, opened as the directory it is, even in another mount namespace) and its root
// (/proc/PID/root, the tree it sees). What is read inside them goes through the safe opener
// (src/fsafe): these functions only hand over a pinned directory or a tree rooted at the process's root.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { SafeTree, type PinnedDir } from '../fsafe/index';
import { pidPath } from './pid';

/** The process's working directory, pinned by descriptor (the caller closes it); null when unreadable. */
export function openCwd(procRoot: string, pid: number): PinnedDir | null {
  let fd: number;
  try {
    fd = openSync(pidPath(procRoot, pid, 'cwd'), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    let open = true;
    return { fd, hostPath: `(cwd of ${pid})`, stat, close() { if (open) { try { closeSync(fd); } catch { /* closed */ } open = false; } } };
  } catch {
    closeSync(fd);
    return null;
  }
}

/** A safe tree rooted at the file system the process sees (its /proc/PID/root); close() it when done. */
export function processRootTree(procRoot: string, pid: number): SafeTree {
  return new SafeTree(pidPath(procRoot, pid, 'root'));
}
