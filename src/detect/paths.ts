// What a path or a name says about a process: where it runs from, what it calls itself.
// Shared by the rules so each fact is computed one way.
import { posix } from 'node:path';
import type { ProcessInfo } from '../model';

export const INTERPRETERS = /^(sh|dash|bash|zsh|ksh|mksh|ash|busybox|csh|tcsh|fish|perl[\d.]*|python[\d.]*|ruby[\d.]*|php[\d.]*|node|nodejs|bun|deno|lua[\d.]*|luajit|tclsh[\d.]*|java|pwsh)$/;

export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function isInterpreter(exe: string | null): boolean {
  return exe !== null && INTERPRETERS.test(basename(exe));
}

/** Directories where only packages and root put programs. */
export const SYSTEM_DIRS = ['/usr/bin/', '/usr/sbin/', '/bin/', '/sbin/', '/usr/lib/', '/usr/lib64/', '/lib/', '/lib64/', '/usr/libexec/', '/usr/local/bin/', '/usr/local/sbin/', '/usr/local/lib/', '/opt/', '/snap/'];

export function inSystemDir(path: string): boolean {
  return SYSTEM_DIRS.some((d) => path.startsWith(d));
}

/** The script an interpreter runs: its first non-option argument (argv[1] for `/bin/sh ./sshd`). */
export function scriptArg(p: ProcessInfo): string | null {
  if (!isInterpreter(p.exe) || p.cmdline.length < 2) return null;
  for (let i = 1; i < p.cmdline.length; i++) {
    const a = p.cmdline[i];
    if (a === '-c' || a === '-e' || a === '-m') return null; // inline code, not a file
    if (a.startsWith('-')) continue;
    return a;
  }
  return null;
}

/** Resolve a possibly relative path against the process's working directory, when known. */
export function resolveAgainstCwd(path: string, cwd: string | null): string | null {
  if (path.startsWith('/')) return posix.normalize(path);
  return cwd ? posix.resolve(cwd, path) : null;
}

export interface LaunchPath {
  /** The file that really runs: the script of an interpreter, else the executable. */
  path: string;
  /** How it was given on the command line (e.g. "./sshd"), when it was a script. */
  asGiven: string | null;
  viaInterpreter: boolean;
}

export function launchPath(p: ProcessInfo): LaunchPath | null {
  const script = scriptArg(p);
  if (script !== null) {
    const resolved = resolveAgainstCwd(script, p.cwd);
    if (resolved) return { path: resolved, asGiven: script, viaInterpreter: true };
  }
  return p.exe ? { path: p.exe, asGiven: null, viaInterpreter: false } : null;
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
  const s = scriptArg(p);
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

/** Hidden directories that legitimately hold executables (per-user toolchains). */
export const HIDDEN_ALLOW = new Set(['.local', '.cargo', '.rustup', '.pyenv', '.nvm', '.vscode-server', '.cursor-server',
  '.cache', '.config', '.npm', '.bun', '.deno', '.volta', '.sdkman', '.asdf', '.rbenv', '.gem', '.dotnet', '.m2',
  '.gradle', '.vscode', '.git', '.venv', '.conda', '.juliaup', '.ghcup', '.opam', '.elan', '.wasmtime', '.foundry']);

/** Path components that start with a dot (hidden), except the allowed toolchain dirs. */
export function hiddenComponents(path: string): string[] {
  const parts = path.split('/');
  parts.pop(); // the file itself: a hidden *file name* alone is H05, not a hidden directory
  return parts.filter((c, i) => c.length > 1 && c.startsWith('.') && c !== '..' && !HIDDEN_ALLOW.has(c)
    && !(c === '.bin' && parts[i - 1] === 'node_modules'));
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
