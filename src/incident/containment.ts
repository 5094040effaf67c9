// The containment plan for an incident, as a numbered list the user reviews, unticks and confirms
// once: freeze the members, keep the evidence, disable each linked persistence entry, kill the
// members, watch for a respawn. The order is the responders' (detection catalogue §4): observe first,
// freeze so nothing restarts or deletes itself, capture, remove what would start it again, then kill.
//
// This file only proposes the steps and keeps their state; running them is the one response routine's
// job (src/respond/plan.ts, through src/incident/service.ts), which pins, re-verifies and audits.
import type { Incident, IncidentEntry, IncidentMember } from './incident';

export type StepKind = 'freeze' | 'evidence' | 'disable' | 'kill' | 'watch';

export type StepStatus = 'pending' | 'running' | 'ok' | 'partial' | 'failed' | 'refused' | 'skipped';

/** One line of a step's outcome (raw strings: views sanitize). */
export interface StepLine {
  text: string;
  status: 'ok' | 'failed' | 'info';
}

export interface PlanStep {
  /** 1-based, as shown. */
  n: number;
  kind: StepKind;
  /** PIDs the step acts on (freeze, evidence, kill, watch). */
  pids: number[];
  /** The persistence entry (disable). */
  entryId: string | null;
  enabled: boolean;
  status: StepStatus;
  lines: StepLine[];
}

export interface ContainmentPlan {
  pid: number;
  steps: PlanStep[];
  /** Why nothing will run ('--readonly', 'a --proc fixture'); null when the plan can run. */
  readOnly: string | null;
  phase: 'review' | 'running' | 'done';
  /** Why the plan stopped early (audit log unwritable, a refused target, read-only), once done. */
  stopped?: string | null;
  /** The audit log the run was recorded in, once done. */
  auditPath?: string | null;
}

/** Members that may be signalled: the whole incident minus nothing (exclusions were made when building it). */
function actionable(members: IncidentMember[]): number[] {
  return members.map((m) => m.pid);
}

export function proposePlan(incident: Incident, opts: { readOnly?: string | null } = {}): ContainmentPlan {
  const pids = actionable(incident.members);
  const steps: Omit<PlanStep, 'n'>[] = [];
  const base = { enabled: true, status: 'pending' as StepStatus, lines: [] as StepLine[], entryId: null as string | null };
  steps.push({ ...base, kind: 'freeze', pids });
  steps.push({ ...base, kind: 'evidence', pids });
  for (const e of incident.persistence.filter((x) => x.disable !== null)) steps.push({ ...base, kind: 'disable', pids: e.starts.map((s) => s.pid), entryId: e.entryId });
  steps.push({ ...base, kind: 'kill', pids });
  steps.push({ ...base, kind: 'watch', pids });
  return { pid: incident.pid, steps: steps.map((s, i) => ({ ...s, n: i + 1 })), readOnly: opts.readOnly ?? null, phase: 'review' };
}

export function toggleStep(plan: ContainmentPlan, index: number): ContainmentPlan {
  if (plan.phase !== 'review' || index < 0 || index >= plan.steps.length) return plan;
  return { ...plan, steps: plan.steps.map((s, i) => (i === index ? { ...s, enabled: !s.enabled } : s)) };
}
