// Who a process is: stat, status, cgroup (read by src/procfs/pid.ts), the owner's account and groups,
// and its parent chain.

import { readBootTime, startTimeMs } from '../procfs/host';
import { attempt, readCgroup, readStat as readProcStat, readStatus } from '../procfs/pid';
import type { StatFields as ProcStat } from '../procfs/stat';
import type { Identity } from './types';
import { canSudo, groupName, loadUserDb, userGroupNames, userName, type UserDb } from './users';

/** The project's stat fields (src/procfs/stat.ts); `name` is comm. */
export type StatFields = Omit<ProcStat, 'comm'> & { name: string };

/** /proc/PID/stat through the one per-PID reader; throws when gone, unreadable or unparsable. */
export function readStat(procRoot: string, pid: number): StatFields {
  const { comm, ...rest } = readProcStat(procRoot, pid);
  return { ...rest, name: comm };
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
  const st = readStat(procRoot, pid);
  const status = readStatus(procRoot, pid);
  // The real uid: who started it (a setuid program keeps its caller's); the effective one is in status too.
  const uid = status.realUid;
  const gids: number[] = [];
  if (status.realGid !== null) gids.push(status.realGid);
  for (const g of status.groups) if (!gids.includes(g)) gids.push(g);
  const user = userName(db, uid);
  const pw = db.byUid.get(uid);
  const groups = gids.map((g) => groupName(db, g));
  // sudo decides from the account's groups, not only those this process happens to carry.
  const accountGroups = new Set([...groups, ...(pw ? userGroupNames(db, pw.name, pw.gid) : [])]);

  const cgroup = attempt(() => readCgroup(procRoot, pid));

  return {
    pid: st.pid,
    ppid: st.ppid,
    name: st.name,
    state: st.state,
    uid,
    user,
    ...(status.effectiveUid !== uid ? { effectiveUid: status.effectiveUid, effectiveUser: userName(db, status.effectiveUid) } : {}),
    gids,
    groups,
    canSudo: canSudo(root, user, uid, [...accountGroups]),
    shell: pw?.shell ?? null,
    home: pw?.home ?? null,
    startTime: Math.round(startTimeMs(readBootTime(procRoot), st.startTicks)),
    startTicks: st.startTicks,
    ttyNr: st.ttyNr,
    session: st.session,
    cgroup,
    ancestry: ancestry(procRoot, st.ppid),
  };
}
