// Detection: every rule over every process of a snapshot, scores summed into a severity.
// Pure with respect to the host: all it knows comes from the snapshot.
import type { Assessment, Finding, Snapshot } from '../model';
import { severityForScore, severityRank } from '../model';
import { KthreadNameIndex, kthreadFamilies } from './kthreadNames';
import type { Rule, RuleContext } from './rule';
import { toFinding } from './rule';
import { H20, H21 } from './rules/fileless';
import { H42, H43, H44 } from './rules/hiding';
import { H01, H02, H03 } from './rules/identity';
import { H10, H11, H12, H13, H14, H15 } from './rules/location';
import { H30, H31, H32, H33, H34 } from './rules/miner';

/** In evaluation order: H14 reads the findings of H01/H02 before it. */
export const RULES: readonly Rule[] = [H01, H02, H03, H10, H11, H12, H13, H15, H14, H20, H21, H30, H31, H32, H33, H34, H42, H43, H44];

const AMPLIFIERS = new Set(RULES.filter((r) => r.amplifier).map((r) => r.id));
const MEDIUM = severityRank('medium');

export class Detector {
  private index: KthreadNameIndex | null = null;
  private families = '';

  assess(snapshot: Snapshot): Map<number, Assessment> {
    const families = kthreadFamilies(snapshot.host.kernelThreadNames);
    if (!this.index || families !== this.families) {
      this.index = new KthreadNameIndex(snapshot.host.kernelThreadNames);
      this.families = families;
    }
    const ctx: RuleContext = {
      processes: snapshot.processes,
      connections: snapshot.connections,
      host: snapshot.host,
      kthreads: this.index,
      now: snapshot.takenAt,
    };
    const result = new Map<number, Assessment>();
    for (const p of snapshot.processes.values()) {
      const findings: Finding[] = [];
      for (const rule of RULES) {
        const hit = rule.check(p, ctx, findings);
        if (hit) findings.push(toFinding(rule, hit));
      }
      if (findings.length === 0) continue;
      findings.sort((a, b) => b.weight - a.weight);
      const score = findings.reduce((s, f) => s + f.weight, 0);
      let severity = severityForScore(score);
      if (severityRank(severity) > MEDIUM && findings.every((f) => AMPLIFIERS.has(f.id))) severity = 'medium';
      result.set(p.pid, { pid: p.pid, score, severity, findings });
    }
    return result;
  }
}

/** Host-level warnings that belong to no single process. */
export function hostWarnings(snapshot: Snapshot): string[] {
  const out: string[] = [];
  if (snapshot.host.ldSoPreload.length > 0) {
    out.push(`/etc/ld.so.preload is not empty (${snapshot.host.ldSoPreload.join(', ')}): every program loads it first; user-land rootkits hide processes this way (H44).`);
  }
  return out;
}
