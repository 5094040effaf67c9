// The incident around one flagged process, as typed data for one screen: the process, the launcher
// that would restart it, its children and watchdogs (its family), other processes started by the same
// persistence entries, those entries, and every finding. Built from the snapshot the user looked at,
// the verdicts and the persistence correlation; reads nothing itself.
import type { Assessment, ProcessInfo, Severity, Snapshot } from '../model';
import { severityRank } from '../model';
import type { PersistenceEntry } from '../persistence/types';
import { familyOf } from '../respond/family';
import type { Correlation } from '../scan/correlate';
import { entryLabel } from '../scan/correlate';

export type MemberRole = 'target' | 'launcher' | 'child' | 'watchdog' | 'linked';

export interface IncidentFinding {
  id: string;
  severity: Severity;
  title: string;
  explanation: string;
}

export interface IncidentMember {
  pid: number;
  ppid: number;
  /** Identity from the snapshot the user saw: the plan pins and re-verifies against it. */
  startTicks: number;
  name: string;
  user: string;
  /** null: the owner could not be read. */
  uid: number | null;
  exe: string | null;
  exeDeleted: boolean;
  cmdline: readonly string[];
  cpuPercent: number;
  /** Milliseconds since the epoch. */
  startedAt: number;
  role: MemberRole;
  severity: Severity;
  score: number;
  findings: IncidentFinding[];
  /** Persistence entries that start it (ids into Incident.persistence). */
  startedBy: string[];
}

/** What can be done to an entry from the plan: comment a line out, or remove a unit's *.wants/ links. */
export type DisableVerb = 'comment-out' | 'unlink-wants';

export interface IncidentEntry {
  entryId: string;
  /** "crontab of abc, line 3", "unit c3pool_miner.service" */
  label: string;
  kind: PersistenceEntry['kind'];
  /** Host path (without the --root prefix). */
  path: string;
  line: number | null;
  raw: string;
  runsAs: string | null;
  schedule: string | null;
  severity: Severity;
  score: number;
  findings: IncidentFinding[];
  /** Members it starts, and how each was matched (exe, script, cwd, name). */
  starts: { pid: number; via: string }[];
  /** null: minewatch cannot disable this kind of entry (shown, not in the plan). */
  disable: DisableVerb | null;
}

export interface Incident {
  pid: number;
  /** The snapshot's time (ms since the epoch). */
  seenAt: number;
  /** Target first, then launcher, children, watchdogs, linked processes. */
  members: IncidentMember[];
  /** Related processes left out of the family on purpose (PID 1, the user's shell...). */
  excluded: { pid: number; why: string }[];
  persistence: IncidentEntry[];
  /** Severity of the whole incident: the worst of its members and entries. */
  severity: Severity;
}

const CRON_KINDS = new Set(['user-crontab', 'system-crontab', 'anacrontab']);

export function disableVerb(e: Pick<PersistenceEntry, 'kind' | 'line'>): DisableVerb | null {
  if (CRON_KINDS.has(e.kind) && e.line !== null) return 'comment-out';
  if (e.kind === 'systemd-unit' || e.kind === 'systemd-timer') return 'unlink-wants';
  return null;
}

function findingsOf(a: Assessment | undefined): IncidentFinding[] {
  return (a?.findings ?? []).map((f) => ({ id: f.id, severity: f.severity, title: f.title, explanation: f.explanation }));
}

function startedAt(p: ProcessInfo, snapshot: Snapshot): number {
  return p.startTime || snapshot.bootTime + (p.startTicks / snapshot.host.clockTicks) * 1000;
}

export interface IncidentOptions {
  selfPid?: number;
  /** minewatch's ancestors (never part of a family). */
  ancestorPids?: number[];
}

export function buildIncident(
  pid: number,
  look: { snapshot: Snapshot; assessments: ReadonlyMap<number, Assessment>; correlation: Correlation },
  opts: IncidentOptions = {},
): Incident | { error: string } {
  const { snapshot, assessments, correlation } = look;
  const target = snapshot.processes.get(pid);
  if (!target) return { error: `process ${pid} is gone` };
  const fam = familyOf(pid, snapshot.processes, { selfPid: opts.selfPid, ancestorPids: opts.ancestorPids });
  const roles = new Map<number, MemberRole>();
  roles.set(pid, 'target');
  if (fam.launcher) roles.set(fam.launcher.pid, 'launcher');
  // Descendants of the target are its children; other family members are watchdogs (same session).
  const below = new Set<number>([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const m of fam.members) if (!below.has(m.pid) && below.has(m.ppid)) { below.add(m.pid); grew = true; }
  }
  for (const m of fam.members) if (!roles.has(m.pid)) roles.set(m.pid, below.has(m.pid) ? 'child' : 'watchdog');

  // Entries that start any member so far, and the other running processes those entries start.
  const excluded = [...fam.excluded];
  const protectedPids = new Set([opts.selfPid ?? process.pid, ...(opts.ancestorPids ?? [])]);
  const entryIds = new Set<string>();
  for (const p of roles.keys()) for (const s of correlation.startedBy.get(p) ?? []) entryIds.add(s.entryId);
  // Only a strong link joins: the entry names its executable, its script or its directory. A process
  // matched by name alone (another user's `sshd` script elsewhere) is shown as left out, never signalled.
  const viaOf = (entryId: string, pid: number) => correlation.links.find((l) => l.entryId === entryId && l.pid === pid)?.via;
  for (const id of entryIds) {
    for (const other of correlation.runningPids.get(id) ?? []) {
      if (roles.has(other)) continue;
      const p = snapshot.processes.get(other);
      if (!p) continue;
      const via = viaOf(id, other);
      const why = via === 'name' || via === undefined ? 'matched by name only (weak evidence)' : other <= 2 ? 'PID 1 or kthreadd' : p.kernelThread ? 'kernel thread' : protectedPids.has(other) ? 'minewatch itself or one of its ancestors'
        : p.uid !== target.uid ? `owned by another user (${p.user})` : null;
      if (why) { if (!excluded.some((e) => e.pid === other)) excluded.push({ pid: other, why: `started by the same entry, but ${why}` }); continue; }
      roles.set(other, 'linked');
      for (const s of correlation.startedBy.get(other) ?? []) entryIds.add(s.entryId);
    }
  }

  const ORDER: MemberRole[] = ['target', 'launcher', 'child', 'watchdog', 'linked'];
  const members: IncidentMember[] = [...roles.entries()]
    .map(([mpid, role]) => {
      const p = snapshot.processes.get(mpid)!;
      const a = assessments.get(mpid);
      return {
        pid: p.pid, ppid: p.ppid, startTicks: p.startTicks, name: p.name, user: p.user, uid: p.uid, exe: p.exe, exeDeleted: p.exeDeleted,
        cmdline: p.cmdline, cpuPercent: p.cpuPercent, startedAt: startedAt(p, snapshot), role,
        severity: a?.severity ?? 'none', score: a?.score ?? 0, findings: findingsOf(a),
        startedBy: (correlation.startedBy.get(mpid) ?? []).map((s) => s.entryId),
      };
    })
    .sort((a, b) => ORDER.indexOf(a.role) - ORDER.indexOf(b.role) || b.score - a.score || a.pid - b.pid);

  const byId = new Map(correlation.entries.map((e) => [e.id, e]));
  const persistence: IncidentEntry[] = [...entryIds]
    .map((id) => byId.get(id))
    .filter((e): e is PersistenceEntry => e !== undefined)
    .map((e) => ({
      entryId: e.id, label: entryLabel(e), kind: e.kind, path: e.path, line: e.line, raw: e.raw, runsAs: e.runsAs, schedule: e.schedule,
      severity: e.severity, score: e.score, findings: e.findings.map((f) => ({ id: f.id, severity: f.severity, title: f.title, explanation: f.explanation })),
      starts: correlation.links.filter((l) => l.entryId === e.id && roles.has(l.pid)).map((l) => ({ pid: l.pid, via: l.via })),
      disable: disableVerb(e),
    }))
    .sort((a, b) => b.score - a.score);

  const worst = [...members.map((m) => m.severity), ...persistence.map((e) => e.severity)]
    .reduce<Severity>((w, s) => (severityRank(s) > severityRank(w) ? s : w), 'none');
  return { pid, seenAt: snapshot.takenAt, members, excluded, persistence, severity: worst };
}
