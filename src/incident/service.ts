// What the dashboard asks of the incident engine: open the incident around a process (with its
// proposed plan), and run a confirmed plan. Reads persistence once per opening. Running goes through
// the one response routine (src/respond/plan.ts, handed in as `runPlan`): it pins every member against
// the snapshot the user saw, writes the plan's audit record before anything is done (no record, no
// action), re-verifies each member before each signal, and reports each step as it ends. Nothing runs
// in --readonly or on a fixture /proc: the plan is shown, every step says why it did not run.
import type { Assessment, Snapshot } from '../model';
import { collectPersistence } from '../persistence/index';
import {
  ancestorsOf, pinSeen, prepareResponse,
  type FamilyMemberView, type PersistenceAction, type PinnedTarget, type PlanResult, type PlanStep as ResponseStep,
  type ResponsePrep, type StepOutcome,
} from '../respond/index';
import { readStat } from '../respond/procread';
import { correlate } from '../scan/correlate';
import { sanitize } from '../text/sanitize';
import { proposePlan, type ContainmentPlan, type PlanStep, type StepLine } from './containment';
import { buildIncident, type Incident, type IncidentEntry, type IncidentMember } from './incident';

export interface IncidentService {
  /** Why nothing will run (read-only mode, a fixture), or null. */
  readonly readOnly: string | null;
  open(pid: number, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): { incident: Incident; plan: ContainmentPlan } | { error: string };
  run(plan: ContainmentPlan, incident: Incident, update: (plan: ContainmentPlan) => void): Promise<ContainmentPlan>;
}

/** The response routine as the app's services carry it (same audit log, evidence, edits, respawn watch). */
export type RunPlanFn = (
  prep: ResponsePrep, steps: ResponseStep[], scope: 'target' | 'family', onStep?: (o: StepOutcome) => void, context?: Record<string, unknown>,
) => Promise<PlanResult>;

export interface IncidentServiceOptions {
  procRoot: string;
  root: string;
  /** Why nothing may be changed (--readonly, a fixture /proc), or null on a live /proc. */
  readOnly: string | null;
  selfPid?: number;
  runPlan: RunPlanFn;
}

/** The response engine's action for an incident entry (the persistence pane disables the same way). */
export function persistenceAction(e: IncidentEntry): PersistenceAction {
  return { entryId: e.entryId, label: e.label, kind: e.kind, path: e.path, line: e.line, raw: e.raw, verb: e.disable === 'unlink-wants' ? 'remove its *.wants/ links' : 'comment the line out' };
}

/** The containment step as a step of the response routine. */
export function responseStep(step: PlanStep, incident: Incident): ResponseStep | null {
  switch (step.kind) {
    case 'freeze': return { kind: 'freeze' };
    case 'evidence': return { kind: 'evidence' };
    case 'kill': return { kind: 'signal', signal: 'SIGKILL' };
    case 'watch': return { kind: 'watch' };
    case 'disable': {
      const e = incident.persistence.find((x) => x.entryId === step.entryId);
      return e ? { kind: 'disable', action: persistenceAction(e) } : null;
    }
  }
}

/** One step's outcome as the plan's lines: each member's result, or the step's own lines. */
export function outcomeLines(o: StepOutcome): StepLine[] {
  if (o.members.length > 0 && o.step.kind !== 'evidence') {
    return o.members.map((m) => ({
      text: m.message,
      status: m.outcome === 'sent' && !m.stillRunning ? 'ok' : m.outcome === 'skipped' ? 'info' : 'failed',
    }));
  }
  const bad = o.status === 'failed' || o.status === 'refused' || o.status === 'partial';
  const texts = o.lines.length ? o.lines : [o.summary];
  return texts.map((text, i) => ({ text, status: bad ? 'failed' : o.status === 'ok' && i === 0 ? 'ok' : 'info' }));
}

/**
 * The response routine's preparation for exactly the incident's members: the target pinned with its
 * refusals (PID 1, minewatch and its ancestors...), and every other member pinned against the snapshot
 * the user saw. A member that exited or changed since is left out, and `leftOut` says so.
 */
function prepareMembers(
  incident: Incident, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>, opts: IncidentServiceOptions, leftOut: StepLine[],
): ResponsePrep | { error: string } {
  const prep = prepareResponse(incident.pid, snapshot, assessments, { procRoot: opts.procRoot, root: opts.root, live: opts.readOnly === null, selfPid: opts.selfPid });
  if ('error' in prep) return prep;
  const members: PinnedTarget[] = [];
  const family: FamilyMemberView[] = [prep.family[0]];
  const excluded = [...incident.excluded];
  const view = (m: IncidentMember): FamilyMemberView => ({
    pid: m.pid, role: m.role === 'target' ? 'target' : m.role === 'launcher' ? 'launcher' : m.role === 'linked' ? 'linked' : 'descendant',
    name: m.name, user: m.user, uid: m.uid, exe: m.exe, cmdline: [...m.cmdline],
  });
  for (const m of incident.members) {
    if (m.pid === incident.pid) continue;
    const seen = snapshot.processes.get(m.pid);
    const t = seen ? pinSeen(seen, { procRoot: opts.procRoot, root: opts.root }) : { error: `PID ${m.pid} is gone` };
    if ('error' in t) {
      // exited between the snapshot and the confirmation: nothing to do, nothing failed
      const st = readStat(opts.procRoot, m.pid);
      const exited = !st || (st.startTicks === m.startTicks && (st.state === 'Z' || st.state === 'X'));
      leftOut.push(exited ? { text: `PID ${m.pid} had already exited`, status: 'info' } : { text: `PID ${m.pid} left alone: ${sanitize(t.error)}`, status: 'failed' });
      excluded.push({ pid: m.pid, why: t.error });
      continue;
    }
    members.push(t);
    family.push(view(m));
  }
  return { ...prep, members, family, excluded, memberLines: family.slice(1).map((m) => `${m.role} PID ${m.pid} ${sanitize(m.name)}`) };
}

export function createIncidentService(opts: IncidentServiceOptions): IncidentService {
  const selfPid = opts.selfPid ?? process.pid;
  const readOnly = opts.readOnly;
  /** What the user looked at when each incident was opened: the plan pins its members against it. */
  const seen = new WeakMap<Incident, { snapshot: Snapshot; assessments: ReadonlyMap<number, Assessment> }>();
  return {
    readOnly,
    open(pid, snapshot, assessments) {
      const report = collectPersistence({ root: opts.root });
      const correlation = correlate(report.entries, snapshot.processes.values(), assessments);
      const incident = buildIncident(pid, { snapshot, assessments, correlation }, { selfPid, ancestorPids: ancestorsOf(selfPid, opts.procRoot) });
      if ('error' in incident) return incident;
      seen.set(incident, { snapshot, assessments });
      return { incident, plan: proposePlan(incident, { readOnly }) };
    },
    async run(plan, incident, update) {
      let cur: ContainmentPlan = { ...plan, readOnly: plan.readOnly ?? readOnly };
      const put = (patch: Partial<ContainmentPlan>, steps?: (s: PlanStep, i: number) => PlanStep) => {
        cur = { ...cur, ...patch, steps: steps ? cur.steps.map(steps) : cur.steps };
        update(cur);
        return cur;
      };
      const finish = (why: string, status: PlanStep['status']) => put({ phase: 'done', stopped: why }, (s) => ({
        ...s, status: s.enabled ? status : 'skipped', lines: [{ text: s.enabled ? why : 'not run: unticked', status: s.enabled && status !== 'skipped' ? 'failed' : 'info' }],
      }));
      if (cur.readOnly) return finish(`not run: ${cur.readOnly}`, 'skipped');
      const look = seen.get(incident);
      if (!look) return finish('not run: this incident was not opened here', 'failed');
      let prep: ResponsePrep | { error: string };
      const leftOut: StepLine[] = [];
      try {
        prep = prepareMembers(incident, look.snapshot, look.assessments, opts, leftOut);
      } catch (err) {
        prep = { error: `could not prepare: ${sanitize((err as Error).message)}` };
      }
      if ('error' in prep) return finish(`not run: ${sanitize(prep.error)}`, 'failed');

      // Ticked steps, in order, as the response routine's steps; index i of the routine's list is step at[i].
      const at: number[] = [];
      const steps: ResponseStep[] = [];
      cur.steps.forEach((s, i) => {
        const r = s.enabled ? responseStep(s, incident) : null;
        if (r) { at.push(i); steps.push(r); }
      });
      put({ phase: 'running' }, (s) => (s.enabled ? s : { ...s, status: 'skipped', lines: [{ text: 'not run: unticked', status: 'info' }] }));
      // the members left out are said at the first step that signals
      const first = steps.findIndex((s) => s.kind === 'freeze' || s.kind === 'signal');
      const onStep = (o: StepOutcome) => {
        const i = at[o.index];
        const lines = o.status === 'running' ? [] : [...(o.index === first ? leftOut : []), ...outcomeLines(o)];
        put({}, (s, j) => (j === i ? { ...s, status: o.status, lines } : s));
      };
      let result: PlanResult;
      try {
        // the incident is kept with the evidence: `minewatch report` reads roles, findings and entries from it
        result = await opts.runPlan(prep, steps, 'family', onStep, { incident });
      } catch (err) {
        return finish(`the plan failed: ${sanitize((err as Error).message)}`, 'failed');
      }
      const ran = new Set(result.steps.map((o) => at[o.index]));
      return put({ phase: 'done', stopped: result.stopped, auditPath: result.auditPath }, (s, i) => {
        if (!s.enabled || ran.has(i)) return s;
        return { ...s, status: result.stopped ? 'refused' : 'skipped', lines: [{ text: result.stopped ?? 'not run', status: result.stopped ? 'failed' : 'info' }] };
      });
    },
  };
}
