// The smaller /proc/PID files of the inspector: cmdline, cwd, environ, fd/, maps, read by the one per-PID
// reader (src/procfs/pid.ts) and shaped here for a responder.

import { readCmdline as readArgv, readCwd as readCwdLink, readEnviron, readFds, readMaps } from '../procfs/pid';
import type { EnvVar, MemoryMaps, OpenFiles } from './types';
import { KiB, pushCapped } from './util';

/**
 * argv kept by the inspector: enough for any honest command line, bounded so that a process with a
 * megabyte of arguments cannot make `inspect` print megabytes or grow without end.
 */
export const INSPECT_CMDLINE_CAP = 64 * KiB;
/** Environment bytes read, and the longest value shown. */
const ENVIRON_CAP = 256 * KiB;
const ENV_VALUE_SHOWN = 2 * KiB;
const MAPS_CAP = 16 * 1024 * KiB;
const LIST_CAP = 500;

export interface CmdlineRead {
  argv: string[];
  truncated: boolean;
}

export function readCmdline(procRoot: string, pid: number): CmdlineRead {
  return readArgv(procRoot, pid, INSPECT_CMDLINE_CAP);
}

export function readCwd(procRoot: string, pid: number): string {
  return readCwdLink(procRoot, pid);
}

const PRELOAD_VARS = new Set(['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT']);
const SECRET_SEGMENTS = new Set([
  'KEY', 'KEYS', 'APIKEY', 'TOKEN', 'TOKENS', 'SECRET', 'SECRETS', 'PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PWD',
  'PASSPHRASE', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'PRIVATE', 'COOKIE', 'PAT', 'DSN', 'SIGNATURE',
]);
const SECRET_SUBSTRINGS = /TOKEN|SECRET|PASSWORD|PASSWD|APIKEY|API_KEY|ACCESS_KEY|PRIVATE_KEY|AUTH_KEY|CREDENTIAL/i;
/** Values that are secrets whatever the variable is called. */
const SECRET_VALUES = /-----BEGIN [A-Z ]*PRIVATE KEY-----|^gh[pousr]_[A-Za-z0-9]{20,}|^xox[abprs]-|^AKIA[0-9A-Z]{16}$|^sk-[A-Za-z0-9_-]{20,}|:\/\/[^/\s:@]+:[^/\s@]+@/;

export function isSecretName(name: string): boolean {
  if (name === 'PWD' || name === 'OLDPWD') return false;
  if (SECRET_SUBSTRINGS.test(name)) return true;
  return name
    .toUpperCase()
    .split(/[_\-.]/)
    .some((seg) => SECRET_SEGMENTS.has(seg));
}

export function maskValue(value: string): string {
  return `<masked, ${value.length} chars>`;
}

function clip(value: string): string {
  return value.length <= ENV_VALUE_SHOWN ? value : `${value.slice(0, ENV_VALUE_SHOWN)}… (${value.length} chars)`;
}

/**
 * Environment entries; LD_PRELOAD & co flagged, secret-looking values masked (never returned raw), long
 * values clipped.
 */
export function parseEnviron(entries: readonly string[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const name = clip(eq < 0 ? entry : entry.slice(0, eq));
    const value = eq < 0 ? '' : entry.slice(eq + 1);
    if (PRELOAD_VARS.has(name)) out.push({ name, value: clip(value), flag: 'preload' });
    else if (value !== '' && (isSecretName(name) || SECRET_VALUES.test(value)))
      out.push({ name, value: maskValue(value), flag: 'secret-masked' });
    else out.push({ name, value: clip(value) });
  }
  return out;
}

export function readEnvironment(procRoot: string, pid: number): EnvVar[] {
  return parseEnviron(readEnviron(procRoot, pid, ENVIRON_CAP));
}

/** The `ls -la /proc/PID/fd` of a responder, sorted into files, sockets, pipes and the rest. */
export function readOpenFiles(procRoot: string, pid: number): OpenFiles {
  const listed = readFds(procRoot, pid);
  const files = new Set<string>();
  const sockets = new Set<number>();
  const other: string[] = [];
  let pipes = 0;
  const fds = { files: 0, sockets: 0, pipes: 0, other: 0 };
  for (const { target } of listed.fds) {
    let m: RegExpExecArray | null;
    if ((m = /^socket:\[(\d+)\]$/.exec(target))) { sockets.add(Number(m[1])); fds.sockets++; }
    else if (/^pipe:\[\d+\]$/.test(target)) { pipes++; fds.pipes++; }
    else if (target.startsWith('/') && !target.startsWith('/memfd:')) {
      fds.files++;
      if (files.size < LIST_CAP) files.add(target);
    } else { fds.other++; pushCapped(other, target, LIST_CAP); }
  }
  // Every link refused (EACCES: not ours): the section failed, with that reason.
  if (listed.total > 0 && listed.unreadable === listed.total) throw listed.firstError;
  return { files: [...files], sockets: [...sockets], pipes, other, total: listed.total, unreadable: listed.unreadable, fds };
}

const WRITABLE_DIRS = ['/tmp/', '/var/tmp/', '/dev/shm/', '/run/shm/', '/dev/mqueue/'];

/** Summarise /proc/PID/maps: mapped files, deleted ones, and executable mappings from writable dirs. */
export function parseMaps(text: string): MemoryMaps {
  let regions = 0;
  const mapped = new Set<string>();
  const deleted = new Set<string>();
  const writable = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    regions++;
    // address perms offset dev inode [pathname] — the pathname may contain spaces.
    const m = /^\S+\s+(\S+)\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (!m) continue;
    const perms = m[1]!;
    let p = m[2]!;
    if (!p.startsWith('/')) continue; // [heap], [stack], anonymous
    const isDeleted = p.endsWith(' (deleted)');
    if (isDeleted) p = p.slice(0, -' (deleted)'.length);
    if (mapped.size < LIST_CAP) mapped.add(p);
    // Deleted code, not deleted shared-memory data: an executable mapping or a shared object.
    if (isDeleted && (perms.includes('x') || /\.so(\.|$)/.test(p)) && deleted.size < LIST_CAP) deleted.add(p);
    if (perms.includes('x') && WRITABLE_DIRS.some((d) => p.startsWith(d)) && writable.size < LIST_CAP) writable.add(p);
  }
  return { regions, mappedFiles: [...mapped], deletedLibs: [...deleted], writableDirLibs: [...writable] };
}

export function readMemoryMaps(procRoot: string, pid: number): MemoryMaps {
  return parseMaps(readMaps(procRoot, pid, MAPS_CAP));
}
