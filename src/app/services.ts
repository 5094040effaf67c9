// What the dashboard asks of the host, behind one interface: inspect a process, read persistence,
// prepare and carry out a response. A thin adapter: the response routine is src/respond/plan.ts, the
// edits src/respond/persistenceEdit.ts. The store calls these; views never do. Tests inject fakes.
import { inspectProcess, inspectQuick } from '../inspect/index';
import { detectionSection, inspectSections, joinSections, startedBySection } from '../inspect/format';
import type { InspectReport } from '../inspect/types';
import type { Assessment, Snapshot } from '../model';
import { collectPersistence, persistenceLines, type PersistenceEntry } from '../persistence/index';
import type { DashboardServices, Outcome, PaneContent } from '../store/types';
import { blank, heading, line, type Line } from '../text/content';
import {
  AuditError, AuditLog, defaultAuditPath, defaultSignalFn, disableEntry, isLiveProc, prepareResponse, RespawnWatch, runPlan, standardPlan,
  type PersistenceAction, type PlanResult, type PlanStep, type ResponsePrep, type ResponseSignal, type SignalFn, type StepOutcome,
} from '../respond/index';
import { correlate, entryLabel } from '../scan/correlate';
import { wantsLinks } from '../persistence/wants';
import { SafeTree } from '../fsafe/index';
import { sharesMountNamespace } from '../procfs/pid';
import { join } from 'node:path';
import { clip, sanitize } from '../text/sanitize';
import type { PackageLookup } from '../pkg/packages';

/** What the signal dialog shows and acts on: the target and its family, pinned as the user saw them. */
export type KillPrep = ResponsePrep;
export type { PersistenceAction, PlanStep, StepOutcome, PlanResult };

/** The store's port (src/store/types.ts), implemented over the response routine, plus what the app needs. */
export interface AppServices extends DashboardServices {
  prepareKill(pid: number, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): KillPrep | { error: string };
  /** The dialog's action: the standard plan for `signal`, outcome by outcome. */
  act(prep: KillPrep, signal: ResponseSignal, family: boolean): Promise<Outcome[]>;
  /** Any plan of steps (freeze, evidence, disable, signal, watch), each outcome reported as it ends. */
  runPlan(prep: KillPrep, steps: PlanStep[], scope: 'target' | 'family', onStep?: (o: StepOutcome) => void, context?: Record<string, unknown>): Promise<PlanResult>;
  respawn: RespawnWatch;
}

export interface ServiceOptions {
  procRoot: string;
  root: string;
  evidenceDir: string;
  readonly: boolean;
  /** Injected signal function (tests): never signals a real process. */
  kill?: SignalFn;
  selfPid?: number;
  /**
   * Tests only, and only together with an injected `kill`: treat a fixture --proc as live so the
   * response routine can be exercised. Without an injected kill it is ignored: a fixture stays read-only.
   */
  assumeLiveProc?: boolean;
  /** The package index detection uses: the inspector shows the executable's package and verifies it. */
  packages?: PackageLookup;
}

const info = (text: string): Outcome => ({ text, status: 'info' });
const fail = (text: string): Outcome => ({ text, status: 'failed' });

/** A plan's result as outcome lines: what failed says so; a member's freeze is a step on the way, its
 *  final signal is what counts as done. */
export function planOutcomes(r: PlanResult): Outcome[] {
  const out: Outcome[] = [];
  if (r.stopped) out.push(fail(r.stopped));
  for (const o of r.steps) {
    if (o.members.length === 0 || o.step.kind === 'evidence') {
      const status: Outcome['status'] = o.status === 'failed' || o.status === 'refused' || o.status === 'partial' ? 'failed' : 'info';
      out.push(...(o.lines.length ? o.lines : [o.summary]).map((text) => ({ text, status })));
      continue;
    }
    for (const m of o.members) {
      const sent = m.outcome === 'sent' && !m.stillRunning;
      out.push({ text: m.message, status: !sent && m.outcome !== 'skipped' ? 'failed' : o.step.kind === 'freeze' || m.outcome === 'skipped' ? 'detail' : 'ok' });
    }
  }
  out.push(info(`audit log: ${r.auditPath}`));
  return out;
}

export function createServices(opts: ServiceOptions): AppServices {
  const { procRoot, root } = opts;
  const selfPid = opts.selfPid ?? process.pid;
  const kill = opts.kill ?? defaultSignalFn;
  const live = (opts.kill !== undefined && opts.assumeLiveProc === true) || isLiveProc(procRoot);
  const readonlyReason = opts.readonly
    ? 'read-only mode (--readonly)'
    : live
      ? null
      : `read-only: ${sanitize(procRoot)} is not the live /proc of this system, so its PIDs are not processes here`;
  const respawn = new RespawnWatch();
  const audit = () => new AuditLog(defaultAuditPath(opts.evidenceDir));
  const backupDir = join(opts.evidenceDir, 'persistence-backups');
  /** Processes started by the same persistence entry, from the last persistence read (pane or plan). */
  let lastStartedBy: Map<number, { entryId: string }[]> | null = null;

  const disable = (action: PersistenceAction, log: AuditLog) => {
    const tree = new SafeTree(root);
    try {
      return disableEntry(action, { tree, backupDir, audit: log, wants: (t, p) => wantsLinks(t, p) });
    } finally {
      tree.close();
    }
  };
  const linkedPids = (pid: number): number[] => {
    if (!lastStartedBy) return [];
    const mine = new Set((lastStartedBy.get(pid) ?? []).map((s) => s.entryId));
    if (mine.size === 0) return [];
    const out: number[] = [];
    for (const [other, list] of lastStartedBy) if (other !== pid && list.some((s) => mine.has(s.entryId))) out.push(other);
    return out;
  };
  /** What the inspector shows besides the /proc report: the findings and the entries that start it. */
  const inspectContent = (pid: number, report: InspectReport, look: { snapshot: Snapshot; assessments: ReadonlyMap<number, Assessment> }, started: Line[]): PaneContent => ({
    title: `Inspect PID ${pid}`,
    lines: [...joinSections(inspectSections(report, opts.packages, sharesMountNamespace(procRoot, pid))), blank(), ...detectionSection(look.assessments.get(pid) ?? null).lines, blank(), ...started],
  });
  const startedByLines = (pid: number, look: { snapshot: Snapshot; assessments: ReadonlyMap<number, Assessment> }): Line[] => {
    const report = collectPersistence({ root });
    const c = correlate(report.entries, look.snapshot.processes.values(), look.assessments);
    const byId = new Map<string, PersistenceEntry>(c.entries.map((e) => [e.id, e]));
    return startedBySection((c.startedBy.get(pid) ?? []).map((x) => ({ label: x.label, via: x.via, entry: byId.get(x.entryId) ?? null }))).lines;
  };
  /** `context`: kept with the evidence too (the incident view hands over its incident). */
  const plan = (prep: KillPrep, steps: PlanStep[], scope: 'target' | 'family', onStep?: (o: StepOutcome) => void, context?: Record<string, unknown>) => {
    const log = audit();
    return runPlan(prep, steps, {
      procRoot, root, live, selfPid, evidenceDir: opts.evidenceDir, scope, kill, audit: log, respawn,
      readonly: opts.readonly,
      evidenceExtra: (targets) => ({ ...context, inspect: targets.map((t) => inspectQuick(t.pid, { procRoot, root })) }),
      disable: (action) => disable(action, log),
    }, onStep);
  };

  return {
    readonly: readonlyReason !== null,
    readonlyReason,
    evidenceDir: opts.evidenceDir,
    respawn,

    inspect(pid, look, update) {
      const controller = new AbortController();
      let started: Line[];
      try {
        started = startedByLines(pid, look);
      } catch (err) {
        started = [heading('Started by'), line(`could not read persistence: ${sanitize((err as Error).message)}`, { indent: 2, tone: 'warn' })];
      }
      try {
        update(inspectContent(pid, inspectQuick(pid, { procRoot, root }), look, started), 'hashing the executable…');
      } catch (err) {
        update({ title: `Inspect PID ${pid}`, lines: [line(`could not inspect: ${sanitize((err as Error).message)}`, { tone: 'warn' })] }, null);
        return () => {};
      }
      inspectProcess(pid, {
        procRoot, root, signal: controller.signal,
        onProgress: (done, total) => {
          if (total > 0) update(null, `hashing the executable… ${Math.floor((done / total) * 100)}% of ${(total / 1048576).toFixed(1)} MiB`);
        },
      }).then(
        (report) => update(inspectContent(pid, report, look, started), null),
        (err: Error) => { if (err.name !== 'AbortError') update(null, `hashing failed: ${sanitize(err.message)}`); },
      );
      return () => controller.abort();
    },

    persistence(pid, snapshot, assessments) {
      const report = collectPersistence({ root });
      const c = correlate(report.entries, snapshot.processes.values(), assessments);
      lastStartedBy = c.startedBy;
      const full = { ...report, entries: c.entries };
      const actionable = (ids: Set<string> | null) => c.entries
        .filter((e) => (ids ? ids.has(e.id) : e.severity !== 'none'))
        .filter((e) => ((e.kind === 'user-crontab' || e.kind === 'system-crontab' || e.kind === 'anacrontab') && e.line !== null) || e.kind === 'systemd-unit' || e.kind === 'systemd-timer')
        .map((e): PersistenceAction => ({
          entryId: e.id, label: entryLabel(e), kind: e.kind, path: e.path, line: e.line, raw: e.raw,
          verb: e.kind.startsWith('systemd') ? 'remove its *.wants/ links' : 'comment the line out',
        }));
      if (pid === null) return { title: 'Persistence on this host', lines: persistenceLines(full, c.links), actions: actionable(null) };
      const p = snapshot.processes.get(pid);
      const byId = new Map<string, PersistenceEntry>(c.entries.map((e) => [e.id, e]));
      const started = c.startedBy.get(pid) ?? [];
      const lines: Line[] = [...startedBySection(started.map((x) => ({ label: x.label, via: x.via, entry: byId.get(x.entryId) ?? null }))).lines];
      const user = p?.user;
      const mine = c.entries.filter((e) => user && e.runsAs === user && !started.some((x) => x.entryId === e.id));
      lines.push(blank(), heading(user ? `Other entries that run as ${sanitize(user)}: ${mine.length}` : 'Owner unknown'));
      for (const e of mine) {
        lines.push(line(`${sanitize(e.path)}${e.line !== null ? `:${e.line}` : ''}: ${clip(e.raw, 160)}`, {
          indent: 2, ...(e.severity !== 'none' ? { severity: e.severity, label: e.severity.toUpperCase() } : { label: '-' }),
        }));
      }
      lines.push(blank(), ...persistenceLines(full, c.links));
      const ids = new Set([...started.map((x) => x.entryId), ...c.entries.filter((e) => e.severity !== 'none' && e.runsAs === user).map((e) => e.id)]);
      return { title: `Persistence for PID ${pid}${p ? ` (${sanitize(p.name)}, user ${sanitize(p.user)})` : ''}`, lines, actions: actionable(ids) };
    },

    disablePersistence(action) {
      if (readonlyReason) return [fail(`${readonlyReason}: nothing was changed`)];
      const log = audit();
      try {
        const results = disable(action, log);
        return [...results.map((r): Outcome => ({ text: r.message, status: r.ok ? 'ok' : 'failed' })), info(`audit log: ${log.path}`)];
      } catch (err) {
        if (err instanceof AuditError) return [fail(`${sanitize(err.message)}: nothing was changed`)];
        return [fail(`disabling failed: ${sanitize((err as Error).message)}`)];
      }
    },

    prepareKill(pid, snapshot, assessments) {
      try {
        return prepareResponse(pid, snapshot, assessments, { procRoot, root, live, selfPid, linkedPids: linkedPids(pid) });
      } catch (err) {
        return { error: `could not prepare: ${sanitize((err as Error).message)}` };
      }
    },

    async act(prep, signal, family) {
      try {
        return planOutcomes(await plan(prep, standardPlan(signal), family ? 'family' : 'target'));
      } catch (err) {
        return [fail(`the action failed: ${sanitize((err as Error).message)}`)];
      }
    },

    runPlan(prep, steps, scope, onStep, context) {
      return plan(prep, steps, scope, onStep, context);
    },
  };
}
