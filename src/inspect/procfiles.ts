// The smaller /proc/PID files of the inspector: cmdline, cwd, environ, fd/, maps.

import fs from 'node:fs';
import path from 'node:path';
import type { EnvVar, MemoryMaps, OpenFiles } from './types';
import { MiB, pushCapped, readCapped } from './util';

const CMDLINE_CAP = 1 * MiB;
const ENVIRON_CAP = 1 * MiB;
const MAPS_CAP = 16 * MiB;
const FD_MAX = 8192;
const LIST_CAP = 500;

function pidPath(procRoot: string, pid: number, ...rest: string[]): string {
  return path.join(procRoot, String(pid), ...rest);
}

/** argv split on NUL; a trailing NUL does not make an empty argument. */
export function splitNul(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const text = buf.toString('utf8');
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function readCmdline(procRoot: string, pid: number): string[] {
  return splitNul(readCapped(pidPath(procRoot, pid, 'cmdline'), CMDLINE_CAP));
}

export function readCwd(procRoot: string, pid: number): string {
  return fs.readlinkSync(pidPath(procRoot, pid, 'cwd'));
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

/** Environment entries; LD_PRELOAD & co flagged, secret-looking values masked (never returned raw). */
export function parseEnviron(buf: Buffer): EnvVar[] {
  const out: EnvVar[] = [];
  for (const entry of splitNul(buf)) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const value = eq < 0 ? '' : entry.slice(eq + 1);
    if (PRELOAD_VARS.has(name)) out.push({ name, value, flag: 'preload' });
    else if (value !== '' && (isSecretName(name) || SECRET_VALUES.test(value)))
      out.push({ name, value: maskValue(value), flag: 'secret-masked' });
    else out.push({ name, value });
  }
  return out;
}

export function readEnvironment(procRoot: string, pid: number): EnvVar[] {
  return parseEnviron(readCapped(pidPath(procRoot, pid, 'environ'), ENVIRON_CAP));
}

/** The `ls -la /proc/PID/fd` of a responder, sorted into files, sockets, pipes and the rest. */
export function readOpenFiles(procRoot: string, pid: number): OpenFiles {
  const dir = pidPath(procRoot, pid, 'fd');
  const names = fs
    .readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b))
    .slice(0, FD_MAX);
  const files = new Set<string>();
  const sockets = new Set<number>();
  const other: string[] = [];
  let pipes = 0;
  let unreadable = 0;
  let firstErr: unknown = null;
  for (const n of names) {
    let target: string;
    try {
      target = fs.readlinkSync(path.join(dir, n));
    } catch (err) {
      // ENOENT: closed meanwhile; EACCES: not ours to read.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        unreadable++;
        firstErr ??= err;
      }
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^socket:\[(\d+)\]$/.exec(target))) sockets.add(Number(m[1]));
    else if (/^pipe:\[\d+\]$/.test(target)) pipes++;
    else if (target.startsWith('/') && !target.startsWith('/memfd:')) {
      if (files.size < LIST_CAP) files.add(target);
    } else pushCapped(other, target, LIST_CAP);
  }
  if (names.length > 0 && unreadable === names.length) throw firstErr;
  return { files: [...files], sockets: [...sockets], pipes, other, total: names.length, unreadable };
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
  return parseMaps(readCapped(pidPath(procRoot, pid, 'maps'), MAPS_CAP).toString('utf8'));
}
