// The containment plan for an incident, as a numbered list the user reviews, unticks and confirms
// once: freeze the members, keep the evidence, disable each linked persistence entry, kill the
// members, watch for a respawn. The order is the responders' (detection catalogue §4): observe first,
// freeze so nothing restarts or deletes itself, capture, remove what would start it again, then kill.
//
// Running it goes through a PlanExecutor (the response engine behind it pins, re-verifies, audits);
// this file only decides the order, keeps the per-step state and stops where a step says to.
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

/** What one step did: its status and lines. `stop` ends the plan (nothing after it runs). */
export interface StepOutcome {
  status: Exclude<StepStatus, 'pending' | 'running' | 'skipped'>;
  lines: StepLine[];
  stop?: boolean;
}

/** The response engine, step by step. Each call pins/re-verifies and audits on its own. */
export interface PlanExecutor {
  /** Called once before any step: writes the audit record of the confirmed plan. Throws: nothing runs. */
  begin(plan: ContainmentPlan, incident: Incident): void;
  freeze(pids: number[]): Promise<StepOutcome>;
  evidence(pids: number[]): Promise<StepOutcome>;
  disable(entry: IncidentEntry): Promise<StepOutcome>;
  kill(pids: number[]): Promise<StepOutcome>;
  watch(pids: number[]): Promise<StepOutcome>;
  end(plan: ContainmentPlan): void;
}

/**
 * Run the enabled steps in order, reporting each state change (running, then its outcome) through
 * `update`, so the view shows every step's outcome as it happens. A step that throws is 'failed' and
 * the plan goes on, unless the step said stop (a refused audit record, an identity that changed).
 */
export async function runPlan(plan: ContainmentPlan, incident: Incident, exec: PlanExecutor, update: (plan: ContainmentPlan) => void): Promise<ContainmentPlan> {
  if (plan.readOnly) {
    const done: ContainmentPlan = { ...plan, phase: 'done', steps: plan.steps.map((s) => ({ ...s, status: 'skipped', lines: [{ text: `not run: ${plan.readOnly}`, status: 'info' }] })) };
    update(done);
    return done;
  }
  let cur: ContainmentPlan = { ...plan, phase: 'running' };
  const put = (i: number, patch: Partial<PlanStep>) => {
    cur = { ...cur, steps: cur.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) };
    update(cur);
  };
  try {
    exec.begin(cur, incident);
  } catch (err) {
    cur = { ...cur, phase: 'done', steps: cur.steps.map((s) => ({ ...s, status: 'skipped', lines: [] })) };
    put(0, { status: 'failed', lines: [{ text: `the audit log could not be written, so nothing was done: ${(err as Error).message}`, status: 'failed' }] });
    return cur;
  }
  update(cur);
  let stopped = false;
  for (let i = 0; i < cur.steps.length; i++) {
    const step = cur.steps[i];
    if (!step.enabled || stopped) { put(i, { status: 'skipped', lines: [{ text: stopped ? 'not run: an earlier step stopped the plan' : 'not run: unticked', status: 'info' }] }); continue; }
    put(i, { status: 'running', lines: [] });
    let out: StepOutcome;
    try {
      switch (step.kind) {
        case 'freeze': out = await exec.freeze(step.pids); break;
        case 'evidence': out = await exec.evidence(step.pids); break;
        case 'kill': out = await exec.kill(step.pids); break;
        case 'watch': out = await exec.watch(step.pids); break;
        case 'disable': {
          const entry = incident.persistence.find((e) => e.entryId === step.entryId);
          out = entry ? await exec.disable(entry) : { status: 'failed', lines: [{ text: 'the entry is no longer part of the incident', status: 'failed' }] };
          break;
        }
      }
    } catch (err) {
      out = { status: 'failed', lines: [{ text: (err as Error).message, status: 'failed' }] };
    }
    put(i, { status: out.status, lines: out.lines });
    if (out.stop) stopped = true;
  }
  cur = { ...cur, phase: 'done' };
  try {
    exec.end(cur);
  } catch {
    /* the steps audited themselves; the closing record is a convenience */
  }
  update(cur);
  return cur;
}
