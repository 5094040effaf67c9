// Who a process is: stat, status, cgroup, the owner's account and groups, and its parent chain.

import path from 'node:path';
import { parseStat as parseProcStat, type StatFields as ProcStat } from '../procfs/stat';
import type { Identity } from './types';
import { KiB, readTextCapped, SectionError } from './util';
import { canSudo, groupName, loadUserDb, userGroupNames, userName, type UserDb } from './users';

/** USER_HZ: 100 on every Linux architecture minewatch targets (not the kernel's CONFIG_HZ). */
export const CLOCK_TICKS = 100;

/** The project's stat parser (src/procfs/stat.ts); `name` is comm. */
export type StatFields = Omit<ProcStat, 'comm'> & { name: string };

export function parseStat(text: string): StatFields | null {
  const st = parseProcStat(text);
  if (!st) return null;
  const { comm, ...rest } = st;
  return { ...rest, name: comm };
}

export function readStat(procRoot: string, pid: number): StatFields {
  const st = parseStat(readTextCapped(path.join(procRoot, String(pid), 'stat'), 4 * KiB));
  if (!st) throw new SectionError('unparsable /proc/PID/stat');
  return st;
}

/** "Name:\tvalue" lines of /proc/PID/status. */
export function parseStatus(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

export function bootTimeMs(procRoot: string): number {
  try {
    const text = readTextCapped(path.join(procRoot, 'stat'), 256 * KiB);
    const m = /^btime\s+(\d+)/m.exec(text);
    if (m) return Number(m[1]) * 1000;
  } catch {
    /* fall through */
  }
  return 0;
}

/** The unified (v2) cgroup path, else the name=systemd one, else the first line's path. */
export function parseCgroup(text: string): string | null {
  const lines = text.split('\n').filter(Boolean);
  let fallback: string | null = null;
  for (const line of lines) {
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const p = parts.slice(2).join(':');
    if (parts[0] === '0' && parts[1] === '') return p;
    if (parts[1] === 'name=systemd') fallback = p;
    else if (fallback === null) fallback = p;
  }
  return fallback;
}

const ANCESTRY_MAX = 64;

export function ancestry(procRoot: string, ppid: number): { pid: number; name: string }[] {
  const out: { pid: number; name: string }[] = [];
  const seen = new Set<number>();
  let cur = ppid;
  while (cur > 0 && !seen.has(cur) && out.length < ANCESTRY_MAX) {
    seen.add(cur);
    let st: StatFields;
    try {
      st = readStat(procRoot, cur);
    } catch {
      out.push({ pid: cur, name: '?' });
      break;
    }
    out.push({ pid: cur, name: st.name });
    if (cur === 1) break;
    cur = st.ppid;
  }
  return out;
}

export function readIdentity(procRoot: string, root: string, pid: number, db: UserDb = loadUserDb(root)): Identity {
  const dir = path.join(procRoot, String(pid));
  const st = readStat(procRoot, pid);
  const status = parseStatus(readTextCapped(path.join(dir, 'status'), 64 * KiB));
  const uid = Number((status.get('Uid') ?? '').split(/\s+/)[0]);
  if (!Number.isInteger(uid)) throw new SectionError('no Uid: line in /proc/PID/status');
  const primaryGid = Number((status.get('Gid') ?? '').split(/\s+/)[0]);
  const gids: number[] = [];
  if (Number.isInteger(primaryGid) && (status.get('Gid') ?? '') !== '') gids.push(primaryGid);
  for (const g of (status.get('Groups') ?? '').split(/\s+/)) {
    if (g === '') continue;
    const n = Number(g);
    if (Number.isInteger(n) && !gids.includes(n)) gids.push(n);
  }
  const user = userName(db, uid);
  const pw = db.byUid.get(uid);
  const groups = gids.map((g) => groupName(db, g));
  // sudo decides from the account's groups, not only those this process happens to carry.
  const accountGroups = new Set([...groups, ...(pw ? userGroupNames(db, pw.name, pw.gid) : [])]);

  let cgroup: string | null = null;
  try {
    cgroup = parseCgroup(readTextCapped(path.join(dir, 'cgroup'), 64 * KiB));
  } catch {
    /* optional */
  }

  return {
    pid: st.pid,
    ppid: st.ppid,
    name: st.name,
    state: st.state,
    uid,
    user,
    gids,
    groups,
    canSudo: canSudo(root, user, uid, [...accountGroups]),
    shell: pw?.shell ?? null,
    home: pw?.home ?? null,
    startTime: Math.round(bootTimeMs(procRoot) + (st.startTicks * 1000) / CLOCK_TICKS),
    startTicks: st.startTicks,
    ttyNr: st.ttyNr,
    session: st.session,
    cgroup,
    ancestry: ancestry(procRoot, st.ppid),
  };
}
