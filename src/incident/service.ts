// What the dashboard asks of the incident engine: open the incident around a process (with its
// proposed plan), and run a confirmed plan. Reads persistence once per opening; acts only through the
// response engine (see executor.ts), never on a fixture or in --readonly.
import path from 'node:path';
import type { Assessment, Snapshot } from '../model';
import { collectPersistence } from '../persistence/index';
import { ancestorsOf, AuditLog, defaultAuditPath, type RespawnWatch, type SignalFn } from '../respond/index';
import { correlate } from '../scan/correlate';
import { proposePlan, runPlan, type ContainmentPlan, type StepLine } from './containment';
import { createExecutor } from './executor';
import { buildIncident, type Incident, type IncidentEntry } from './incident';

export interface IncidentService {
  /** Why nothing will run (read-only mode, a fixture), or null. */
  readonly readOnly: string | null;
  open(pid: number, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): { incident: Incident; plan: ContainmentPlan } | { error: string };
  run(plan: ContainmentPlan, incident: Incident, update: (plan: ContainmentPlan) => void): Promise<ContainmentPlan>;
}

export interface IncidentServiceOptions {
  procRoot: string;
  root: string;
  evidenceDir: string;
  readonly: boolean;
  kill: SignalFn;
  selfPid?: number;
  respawn?: RespawnWatch;
  /** Disable one entry through the response engine (backup first, audited); the lines say what happened. */
  disable(entry: IncidentEntry): StepLine[];
  /** Extra context for the evidence (the inspector's view of each member). */
  inspect?(pids: number[]): unknown;
}

/** Why a process table cannot be acted on: only the live /proc of this PID namespace can. */
export function readOnlyReason(opts: { readonly: boolean; procRoot: string }): string | null {
  if (opts.readonly) return 'read-only mode (--readonly): the plan is shown, nothing is run';
  if (path.resolve(opts.procRoot) !== '/proc') return `the process table is a fixture (--proc ${opts.procRoot}): minewatch acts only on the live /proc`;
  return null;
}

export function createIncidentService(opts: IncidentServiceOptions): IncidentService {
  const selfPid = opts.selfPid ?? process.pid;
  const readOnly = readOnlyReason(opts);
  return {
    readOnly,
    open(pid, snapshot, assessments) {
      const report = collectPersistence({ root: opts.root });
      const correlation = correlate(report.entries, snapshot.processes.values(), assessments);
      const incident = buildIncident(pid, { snapshot, assessments, correlation }, { selfPid, ancestorPids: ancestorsOf(selfPid, opts.procRoot) });
      if ('error' in incident) return incident;
      return { incident, plan: proposePlan(incident, { readOnly }) };
    },
    run(plan, incident, update) {
      const exec = createExecutor(incident, {
        procRoot: opts.procRoot, root: opts.root, evidenceDir: opts.evidenceDir, audit: new AuditLog(defaultAuditPath(opts.evidenceDir)),
        kill: opts.kill, selfPid, respawn: opts.respawn, disable: opts.disable,
        evidenceExtra: (pids) => ({ incident, inspect: opts.inspect?.(pids) ?? null }),
      });
      return runPlan({ ...plan, readOnly }, incident, exec, update);
    },
  };
}
