// "Respawned: persistence still active": a new process that looks like one minewatch killed a moment
// ago gets this finding on top of whatever the rules say, linked to the old PID.
import type { Assessment, Finding, Snapshot } from '../model';
import { severityForScore } from '../model';
import type { RespawnWatch } from '../respond/index';

export const RESPAWN_WEIGHT = 10;

export function markRespawns(snapshot: Snapshot, assessments: Map<number, Assessment>, watch: RespawnWatch, known: Set<string>): void {
  if (watch.size === 0) return;
  for (const p of snapshot.processes.values()) {
    const key = `${p.pid}:${p.startTicks}`;
    if (known.has(key)) continue;
    known.add(key);
    const hit = watch.check(p);
    if (!hit) continue;
    const f: Finding = {
      id: 'R1', weight: RESPAWN_WEIGHT, severity: severityForScore(RESPAWN_WEIGHT), title: 'Respawned after a kill',
      explanation: `same ${hit.why} as PID ${hit.oldPid}, killed a moment ago: persistence is still active (see c)`,
      attack: ['T1053.003', 'T1543'], evidence: { oldPid: hit.oldPid, why: hit.why },
    };
    const a = assessments.get(p.pid);
    const findings = [f, ...(a?.findings ?? [])];
    const score = findings.reduce((s, x) => s + x.weight, 0);
    assessments.set(p.pid, { pid: p.pid, score, severity: severityForScore(score), findings });
  }
}
