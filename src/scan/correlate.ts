// Persistence ↔ processes: which installed entry starts which running process, both ways. An entry that
// starts a process flagged right now earns C9, the most convincing explanation a responder can get.
import type { Assessment, ProcessInfo } from '../model';
import { severityForScore, severityRank } from '../model';
import { linkPersistence, type PersistenceEntry, type PersistenceLink } from '../persistence/index';
import { finding, scoreOf } from '../persistence/rules';

export interface StartedBy {
  entryId: string;
  /** "crontab of abc, line 3", "/etc/cron.d/php, line 2", "unit c3pool_miner.service" */
  label: string;
  via: PersistenceLink['via'];
}

export interface Correlation {
  entries: PersistenceEntry[];
  /** Running PIDs per entry id. */
  runningPids: Map<string, number[]>;
  /** Entries that start each PID. */
  startedBy: Map<number, StartedBy[]>;
  links: PersistenceLink[];
}

export function entryLabel(e: PersistenceEntry): string {
  const line = e.line !== null ? `, line ${e.line}` : '';
  switch (e.kind) {
    case 'user-crontab': return `crontab of ${e.runsAs ?? '?'}${line}`;
    case 'systemd-unit':
    case 'systemd-timer': return `unit ${e.path.slice(e.path.lastIndexOf('/') + 1)}`;
    default: return `${e.path}${line}`;
  }
}

const MEDIUM = severityRank('medium');

export function correlate(entries: PersistenceEntry[], processes: Iterable<ProcessInfo>, assessments: ReadonlyMap<number, Assessment>): Correlation {
  const procs = [...processes];
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  // strongest evidence first, so C9 names the process matched by its exe rather than one that shares a name
  const VIA: Record<PersistenceLink['via'], number> = { exe: 0, script: 1, cwd: 2, name: 3 };
  const links = linkPersistence(entries, procs).sort((a, b) => VIA[a.via] - VIA[b.via]);
  const runningPids = new Map<string, number[]>();
  const startedBy = new Map<number, StartedBy[]>();
  const byId = new Map(entries.map((e) => [e.id, e]));
  const out = new Map(entries.map((e) => [e.id, e]));
  for (const l of links) {
    const e = byId.get(l.entryId);
    if (!e) continue;
    runningPids.set(e.id, [...(runningPids.get(e.id) ?? []), l.pid]);
    startedBy.set(l.pid, [...(startedBy.get(l.pid) ?? []), { entryId: e.id, label: entryLabel(e), via: l.via }]);
    const a = assessments.get(l.pid);
    const cur = out.get(e.id)!;
    if (a && severityRank(a.severity) >= MEDIUM && !cur.findings.some((f) => f.id === 'C9')) {
      const p = byPid.get(l.pid)!;
      const findings = [...cur.findings, finding('C9',
        `it starts ${p.name} (PID ${p.pid}), running now and flagged ${a.severity} (matched by its ${l.via})`,
        { pid: p.pid, via: l.via, processSeverity: a.severity })];
      findings.sort((x, y) => y.weight - x.weight);
      const score = scoreOf(findings);
      out.set(e.id, { ...cur, findings, score, severity: severityForScore(score) });
    }
  }
  const result = [...out.values()].sort((a, b) => b.score - a.score);
  return { entries: result, runningPids, startedBy, links };
}
