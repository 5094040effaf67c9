// Every process's unified (v2) cgroup from one walk of the cgroup2 mount: each cgroup's cgroup.procs
// lists the processes in it, so a host of 20,000 processes in a few hundred cgroups costs a few hundred
// reads instead of 20,000 reads of /proc/PID/cgroup (about a twentieth of a one-shot scan's reads).
//
// The answer for a PID is what parseCgroup makes of its /proc/PID/cgroup, the "0::" line: both name the
// cgroup relative to the root of this process's cgroup namespace, which is the mount's root when
// mountinfo shows that root as "/". A PID the walk cannot answer for exactly is left out, and its caller
// reads /proc/PID/cgroup as before: processes outside the mount (another cgroup namespace), a process
// whose main thread sits in a threaded cgroup (its domain's cgroup.procs lists it, /proc/PID/cgroup
// names the thread's cgroup), a cgroup whose name holds a newline (parseCgroup splits on it). Too many
// cgroups, or a list cut at its cap, and there is no answer at all.
import { readdirSync } from 'node:fs';
import { readCapped } from './files';

/** cgroups walked at most; beyond, /proc/PID/cgroup is read per process. */
export const MAX_CGROUPS = 10_000;
/** Bytes of one cgroup.procs (about 130,000 PIDs); a longer list gives no answer. */
const PROCS_CAP = 1024 * 1024;

/** The mount point of a cgroup2 mount whose root is this namespace's root ("/"), from mountinfo text; or null. */
export function cgroup2MountPoint(mountinfo: string): string | null {
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0 || f[sep + 1] !== 'cgroup2' || f[3] !== '/') continue;
    return f[4].replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  }
  return null;
}

/**
 * PID → cgroup path ("/", "/system.slice/cron.service") for every process the walk of `mountPoint`
 * answers for exactly (see the header); null when there is no answer (the root's list unreadable, more
 * than `maxCgroups` cgroups, a list longer than its cap).
 */
export function readCgroupTree(mountPoint: string, maxCgroups = MAX_CGROUPS): Map<number, string> | null {
  const out = new Map<number, string>();
  /** Listed processes of each cgroup read, to drop again when a threaded cgroup turns up below it. */
  const listed = new Map<string, number[]>();
  const tainted = new Set<string>();
  const stack = [''];
  let walked = 0;
  while (stack.length > 0) {
    const rel = stack.pop()!;
    if (++walked > maxCgroups) return null;
    const dir = mountPoint + rel;
    let buf: Buffer;
    try {
      buf = readCapped(dir + '/cgroup.procs', PROCS_CAP);
    } catch {
      if (rel === '') return null;
      // A threaded cgroup (EOPNOTSUPP) or one gone meanwhile: its processes are listed by the nearest
      // cgroup above it whose list was read, which may then name the wrong cgroup for them.
      for (let up = parentOf(rel); ; up = parentOf(up)) {
        if (listed.has(up)) { tainted.add(up); break; }
        if (up === '') break;
      }
      continue;
    }
    if (buf.length >= PROCS_CAP) return null;
    const pids: number[] = [];
    let v = 0;
    let digits = 0;
    for (let i = 0; i < buf.length; i++) {
      const d = buf[i] - 48;
      if (d >= 0 && d <= 9) { v = v * 10 + d; digits++; continue; }
      if (digits > 0 && v > 0) pids.push(v); // 0: a process of another PID namespace
      v = 0;
      digits = 0;
    }
    if (digits > 0 && v > 0) pids.push(v);
    const path = rel === '' ? '/' : rel;
    listed.set(rel, pids);
    if (!path.includes('\n')) for (const pid of pids) out.set(pid, path);
    let names: import('node:fs').Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // removed meanwhile: its processes were listed, its children are gone with it
    }
    for (const e of names) if (e.isDirectory()) stack.push(rel + '/' + e.name);
  }
  for (const rel of tainted) for (const pid of listed.get(rel) ?? []) out.delete(pid);
  return out;
}

function parentOf(rel: string): string {
  return rel.slice(0, rel.lastIndexOf('/'));
}
