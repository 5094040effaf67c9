// Linking persistence entries to running processes: the process exe, the script an interpreter runs,
// its working directory, or (when distinctive) its name matches something the entry references.
import * as path from 'node:path';
import type { ProcessInfo } from '../model';
import { isSystemPath } from './judge';
import { isSharedLauncher, processLaunch } from '../model/launch';
import { analyseCommand } from './shell';
import type { PersistenceEntry } from './types';

export interface PersistenceLink { entryId: string; pid: number; via: 'exe' | 'script' | 'cwd' | 'name' }

const VIA_RANK: Record<PersistenceLink['via'], number> = { exe: 0, script: 1, cwd: 2, name: 3 };

/** Directories too broad to mean anything when a process merely sits under them. */
const BROAD = new Set(['/', '/usr', '/usr/bin', '/usr/sbin', '/usr/local', '/usr/local/bin', '/usr/local/sbin', '/usr/lib',
  '/usr/libexec', '/usr/share', '/bin', '/sbin', '/lib', '/lib64', '/etc', '/var', '/var/lib', '/var/log', '/var/www', '/var/spool',
  '/tmp', '/var/tmp', '/dev', '/dev/shm', '/run', '/run/user', '/home', '/root', '/opt', '/srv', '/proc', '/sys', '/mnt', '/media', '/snap']);

function isBroad(p: string): boolean {
  return BROAD.has(p) || /^\/home\/[^/]+$/.test(p) || /^\/run\/user\/\d+$/.test(p);
}

/** Program names too common to link a process to an entry by name alone. */
const COMMON_NAMES = new Set(['cd', 'echo', 'printf', 'test', '[', 'true', 'false', 'sleep', 'kill', 'pkill', 'killall', 'rm', 'cp', 'mv',
  'ln', 'cat', 'chmod', 'chown', 'mkdir', 'touch', 'grep', 'egrep', 'awk', 'gawk', 'mawk', 'sed', 'find', 'xargs', 'sort', 'uniq',
  'head', 'tail', 'tee', 'tr', 'cut', 'date', 'wc', 'tar', 'gzip', 'gunzip', 'bzip2', 'xz', 'curl', 'wget', 'fetch', 'base64',
  'openssl', 'xxd', 'nc', 'ncat', 'socat', 'ssh', 'scp', 'rsync', 'cron', 'crond', 'anacron', 'run-parts', 'systemctl', 'service',
  'logger', 'mail', 'sendmail', 'docker', 'apt', 'apt-get', 'dpkg', 'yum', 'dnf', 'make', 'git', 'npm', 'pip', 'pip3', 'exec',
  'source', 'eval', 'init', 'systemd', 'sync', 'start', 'stop', 'run', 'main', 'app', 'server', 'script', 'update', 'upd', 'a', 'b']);

/** Whether p is ref or lies under it (never merely under a broad directory such as /usr or /tmp). */
function underRef(p: string, ref: { path: string; broad: boolean; prefix: string }): boolean {
  return p === ref.path || (!ref.broad && p.startsWith(ref.prefix));
}

function norm(p: string): string {
  return path.posix.normalize(p).replace(/(.)\/$/, '$1');
}

/**
 * Scripts a process runs (the one launch model): the script an interpreter or a wrapper was given,
 * resolved against its cwd, or the programs and scripts a `sh -c '...'` names.
 */
export function processScripts(p: ProcessInfo): string[] {
  const l = processLaunch(p);
  if (l.mode === 'inline' && l.family === 'shell' && l.inline) {
    const f = analyseCommand(l.inline, { cwd: p.cwd });
    return [...f.programs, ...f.scripts].filter((s) => s.startsWith('/'));
  }
  const runsFile = l.mode === 'script' || (l.mode === 'program' && l.wrappers.length > 0);
  return runsFile && l.path ? [norm(l.path)] : [];
}

/**
 * Links between entries and processes, one per (entry, process) with the strongest evidence:
 * exe > script > cwd > name. A name-only link needs a distinctive name, the entry's user, and a
 * process whose executable is not a system program of that name (the real sshd is not the fake one).
 */
export function linkPersistence(entries: PersistenceEntry[], processes: Iterable<ProcessInfo>): PersistenceLink[] {
  const prepared = entries.map((e) => {
    // each path with its breadth and prefix worked out once, not once per process
    const paths = e.references.filter((r) => r.startsWith('/')).map(norm)
      .map((path) => ({ path, broad: isBroad(path), prefix: path.endsWith('/') ? path : path + '/' }));
    const names = new Set(e.references.filter((r) => !r.startsWith('/') && r.length >= 3 && !COMMON_NAMES.has(r.toLowerCase()) && !isSharedLauncher(r)).map((r) => r.slice(0, 15)));
    return { e, paths, names };
  }).filter((x) => x.paths.length > 0 || x.names.size > 0);
  const out: PersistenceLink[] = [];
  if (prepared.length === 0) return out;

  for (const p of processes) {
    if (p.kernelThread) continue;
    const exeIsInterpreter = isSharedLauncher(p.exe);
    const scripts = processScripts(p);
    const cwd = p.cwd ? norm(p.cwd) : null;
    for (const { e, paths, names } of prepared) {
      let via: PersistenceLink['via'] | null = null;
      const take = (v: PersistenceLink['via']) => { if (via === null || VIA_RANK[v] < VIA_RANK[via]) via = v; };
      for (const ref of paths) {
        if (p.exe && !exeIsInterpreter && underRef(p.exe, ref)) take('exe');
        if (scripts.some((s) => underRef(s, ref))) take('script');
        if (cwd && !ref.broad && underRef(cwd, ref)) take('cwd');
      }
      if (via === null && names.has(p.name)) {
        const realProgram = p.exe !== null && !exeIsInterpreter && isSystemPath(p.exe);
        const sameUser = e.runsAs === null || e.runsAs === p.user;
        if (!realProgram && sameUser) take('name');
      }
      if (via !== null) out.push({ entryId: e.id, pid: p.pid, via });
    }
  }
  return out;
}
