// A directory held open by descriptor, and the one way to name an entry inside it.
//
// Node has no openat(2). `/proc/self/fd/N/name` is its equivalent: the kernel follows the magic link
// /proc/self/fd/N to the directory the descriptor holds (whatever has been renamed since), then looks
// `name` up inside that directory, so O_NOFOLLOW, O_EXCL, rename and unlink act on an entry of the
// pinned directory and nothing a user swaps in by name afterwards. Names never contain '/'.
import fs from 'node:fs';

export const PROC_SELF_FD = '/proc/self/fd';

const C = fs.constants;
/** libuv adds O_CLOEXEC to every open(2) it makes, so no descriptor leaks into a child process. */
export const O_READ_FILE = C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK;
export const O_OPEN_DIR = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW | C.O_NONBLOCK;
export const O_CREATE_NEW = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW | C.O_NONBLOCK;
export const O_APPEND_LOG = C.O_WRONLY | C.O_APPEND | C.O_CREAT | C.O_NOFOLLOW | C.O_NONBLOCK;

export interface PinnedDir {
  /** Descriptor of the directory (O_DIRECTORY|O_NOFOLLOW). */
  readonly fd: number;
  /** The host path it was reached by, with trusted symlinks resolved (for messages and de-duplication). */
  readonly hostPath: string;
  /** fstat of the descriptor when it was opened. */
  readonly stat: fs.Stats;
  close(): void;
}

/** True for a name that denotes one entry of a directory. */
export function validName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** The path that names `name` inside the directory held by `fd`. */
export function at(fd: number, name: string): string {
  if (!validName(name)) throw new Error(`fsafe: invalid entry name ${JSON.stringify(name)}`);
  return `${PROC_SELF_FD}/${fd}/${name}`;
}

/** The path of the directory held by `fd` itself (for readdir, statfs, futimes). */
export function self(fd: number): string {
  return `${PROC_SELF_FD}/${fd}`;
}

export function closeQuietly(fd: number | null | undefined): void {
  if (fd === null || fd === undefined) return;
  try {
    fs.closeSync(fd);
  } catch {
    /* already closed */
  }
}

export function pinned(fd: number, hostPath: string, stat: fs.Stats): PinnedDir {
  let open = true;
  return {
    fd,
    hostPath,
    stat,
    close() {
      if (open) closeQuietly(fd);
      open = false;
    },
  };
}

/** Run `fn` with the directory and close it afterwards, whatever happens. */
export function using<T>(dir: PinnedDir, fn: (d: PinnedDir) => T): T {
  try {
    return fn(dir);
  } finally {
    dir.close();
  }
}

let procChecked: boolean | null = null;
/** Whether descriptor-relative names work here (a mounted /proc). */
export function procFdAvailable(): boolean {
  if (procChecked === null) {
    try {
      procChecked = fs.statSync(PROC_SELF_FD).isDirectory();
    } catch {
      procChecked = false;
    }
  }
  return procChecked;
}
