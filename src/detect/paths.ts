// What a path or a name says about a process: where it runs from, what it calls itself.
// Shared by the rules so each fact is computed one way.
import { posix } from 'node:path';
import type { ProcessInfo } from '../model';
import { baseName as basename, interpreterFamily, processLaunch } from '../model/launch';
import { hiddenDirs } from '../model/toolchain';
import type { Ownership, PackageLookup } from '../pkg/packages';

export { baseName as basename } from '../model/launch';

/** Whether the executable is an interpreter or shell (THE list lives in src/model/launch.ts). */
export function isInterpreter(exe: string | null): boolean {
  return exe !== null && interpreterFamily(exe) !== null;
}

/** Directories where only packages and root put programs. */
export const SYSTEM_DIRS = ['/usr/bin/', '/usr/sbin/', '/bin/', '/sbin/', '/usr/lib/', '/usr/lib64/', '/lib/', '/lib64/', '/usr/libexec/', '/usr/local/bin/', '/usr/local/sbin/', '/usr/local/lib/', '/opt/', '/snap/'];

export function inSystemDir(path: string): boolean {
  return SYSTEM_DIRS.some((d) => path.startsWith(d));
}

/** What the process was launched as (the one model, memoised per ProcessInfo: the reader reuses them). */
export { processLaunch };

/** The script an interpreter runs, as given on its command line (argv[1] for `/bin/sh ./sshd`). */
export function scriptArg(p: ProcessInfo): string | null {
  if (p.exe === null) return null;
  const l = processLaunch(p);
  return l.mode === 'script' ? l.asGiven : null;
}

export interface LaunchPath {
  /** The file that really runs: the script of an interpreter, else the executable. */
  path: string;
  /** How it was given on the command line (e.g. "./sshd"), when it was a script. */
  asGiven: string | null;
  viaInterpreter: boolean;
}

/** Only the kernel's exe decides: an unreadable exe (not root) gives null, never argv's word. */
export function launchPath(p: ProcessInfo): LaunchPath | null {
  if (p.exe === null) return null;
  const l = processLaunch(p);
  const runsFile = l.mode === 'script' || (l.mode === 'program' && l.wrappers.length > 0);
  if (runsFile && l.path) return { path: l.path, asGiven: l.asGiven, viaInterpreter: l.family !== null };
  return { path: p.exe, asGiven: null, viaInterpreter: false };
}

/** argv[0] as a program name: basename, without a login shell's leading '-', brackets, or "name: detail" suffix. */
export function argv0Name(p: ProcessInfo): string | null {
  const a0 = p.cmdline[0];
  if (!a0) return null;
  if (a0.startsWith('[') && a0.endsWith(']')) return a0.slice(1, -1) || null; // "[kworker/0:1]"
  let name = a0.split(/[\s:]/)[0];
  if (name.startsWith('-')) name = name.slice(1);
  return basename(name) || null;
}

/** argv[0] (or, for a script, the script argument) starts with ./ or ../ */
export function relativeLaunch(p: ProcessInfo): string | null {
  const a0 = p.cmdline[0] ?? '';
  if (a0.startsWith('./') || a0.startsWith('../')) return a0;
  const s = p.exe === null ? null : processLaunch(p).asGiven;
  if (s && (s.startsWith('./') || s.startsWith('../'))) return s;
  return null;
}

export const WRITABLE_DIRS: { prefix: string; weight: number }[] = [
  { prefix: '/dev/shm/', weight: 7 },
  { prefix: '/run/shm/', weight: 7 },
  { prefix: '/dev/mqueue/', weight: 7 },
  { prefix: '/tmp/', weight: 5 },
  { prefix: '/var/tmp/', weight: 5 },
];

/** Known legitimate programs under /tmp (AppImage mounts, go run, snap, sandboxes). */
export const TMP_ALLOW = [/^\/tmp\/\.mount_/, /^\/tmp\/go-build\d+\//, /^\/tmp\/snap\.rootfs/, /^\/tmp\/newroot\//, /^\/tmp\/VeeamAgent/];

/** Hidden directory components of a path, except toolchain dirs (THE list lives in src/model/toolchain.ts). */
export function hiddenComponents(path: string): string[] {
  return hiddenDirs(path);
}

const X11_DIRS = ['.X11-unix', '.ICE-unix', '.font-unix', '.XIM-unix', '.Test-unix'];

export function editDistance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** A dir named like the X11/ICE socket dirs (`.X25-unix`, `.ICEd-unix`), or one of them holding a program. */
export function x11LookAlike(component: string): boolean {
  if (/^\.X\d+-unix$/.test(component)) return true;
  return X11_DIRS.some((d) => editDistance(component, d) <= 2);
}

export function isOrdinaryUser(uid: number): boolean {
  return uid >= 1000;
}

/**
 * Who installed a file, as far as the package database says: files under /usr/local are never a
 * package's, whatever the host; on a host without a readable database the answer stays "unknown".
 */
export function ownershipOf(packages: PackageLookup, path: string): Ownership {
  const o = packages.owner(path);
  if (o.state === 'unknown' && path.startsWith('/usr/local/')) return { state: 'unowned' };
  return o;
}
