// What the dashboard asks of the host, behind one interface: inspect a process, read persistence,
// prepare and carry out a response. A thin adapter: the response routine is src/respond/plan.ts, the
// edits src/respond/persistenceEdit.ts. The store calls these; views never do. Tests inject fakes.
import { formatInspect, inspectProcess, inspectQuick } from '../inspect/index';
import type { Assessment, Snapshot } from '../model';
import { collectPersistence, formatPersistence, describeEntry } from '../persistence/index';
import {
  AuditError, AuditLog, defaultAuditPath, defaultSignalFn, disableEntry, isLiveProc, prepareResponse, RespawnWatch, runPlan, standardPlan,
  type PersistenceAction, type PlanResult, type PlanStep, type ResponsePrep, type ResponseSignal, type SignalFn, type StepOutcome,
} from '../respond/index';
import { correlate, entryLabel } from '../scan/correlate';
import { wantsLinks } from '../persistence/wants';
import { SafeTree } from '../fsafe/index';
import { join } from 'node:path';
import { clip, sanitize } from '../text/sanitize';

/** What the signal dialog shows and acts on: the target and its family, pinned as the user saw them. */
export type KillPrep = ResponsePrep;
export type { PersistenceAction, PlanStep, StepOutcome, PlanResult };

export interface AppServices {
  /** Nothing can be changed: --readonly, or a --proc that is not this system's live /proc. */
  readonly: boolean;
  /** Why, in words ("read-only mode (--readonly)", "… is not the live /proc …"), or null. */
  readonlyReason: string | null;
  evidenceDir: string;
  /** Quick content at once, then the full report (hashes) when ready; returns a cancel function. */
  inspect(pid: number, update: (title: string, lines: string[], status: string | null) => void): () => void;
  persistence(pid: number | null, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): { title: string; lines: string[]; actions: PersistenceAction[] };
  /** Comment out a cron line, or remove a unit's *.wants/ links; backup first, audited. */
  disablePersistence(action: PersistenceAction): string[];
  prepareKill(pid: number, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): KillPrep | { error: string };
  /** The dialog's action: the standard plan for `signal`, as lines of text. */
  act(prep: KillPrep, signal: ResponseSignal, family: boolean): Promise<string[]>;
  /** Any plan of steps (freeze, evidence, disable, signal, watch), each outcome reported as it ends. */
  runPlan(prep: KillPrep, steps: PlanStep[], scope: 'target' | 'family', onStep?: (o: StepOutcome) => void): Promise<PlanResult>;
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
  const plan = (prep: KillPrep, steps: PlanStep[], scope: 'target' | 'family', onStep?: (o: StepOutcome) => void) => {
    const log = audit();
    return runPlan(prep, steps, {
      procRoot, root, live, selfPid, evidenceDir: opts.evidenceDir, scope, kill, audit: log, respawn,
      readonly: opts.readonly,
      evidenceExtra: (targets) => ({ inspect: targets.map((t) => inspectQuick(t.pid, { procRoot, root })) }),
      disable: (action) => disable(action, log),
    }, onStep);
  };

  return {
    readonly: readonlyReason !== null,
    readonlyReason,
    evidenceDir: opts.evidenceDir,
    respawn,

    inspect(pid, update) {
      const controller = new AbortController();
      const title = `Inspect PID ${pid}`;
      try {
        update(title, formatInspect(inspectQuick(pid, { procRoot, root })), 'hashing the executable…');
      } catch (err) {
        update(title, [`could not inspect: ${sanitize((err as Error).message)}`], null);
        return () => {};
      }
      inspectProcess(pid, {
        procRoot, root, signal: controller.signal,
        onProgress: (done, total) => {
          if (total > 0) update(title, [], `hashing the executable… ${Math.floor((done / total) * 100)}% of ${(total / 1048576).toFixed(1)} MiB`);
        },
      }).then(
        (report) => update(title, formatInspect(report), null),
        (err: Error) => { if (err.name !== 'AbortError') update(title, [], `hashing failed: ${sanitize(err.message)}`); },
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
      if (pid === null) return { title: 'Persistence on this host', lines: formatPersistence(full, c.links), actions: actionable(null) };
      const p = snapshot.processes.get(pid);
      const lines: string[] = [];
      const started = c.startedBy.get(pid) ?? [];
      lines.push(started.length ? 'Started by:' : 'Started by: nothing found in the persistence locations read');
      for (const s of started) {
        const e = c.entries.find((x) => x.id === s.entryId)!;
        lines.push(`  ${sanitize(s.label)} (matched by ${s.via}): ${clip(e.raw, 200)}`);
        lines.push(`    => ${sanitize(describeEntry(e))}`);
        for (const f of e.findings) lines.push(`    ${f.id} ${sanitize(f.title)}: ${sanitize(f.explanation)}`);
      }
      const user = p?.user;
      const mine = c.entries.filter((e) => user && e.runsAs === user && !started.some((s) => s.entryId === e.id));
      lines.push('', user ? `Other entries that run as ${sanitize(user)}: ${mine.length}` : 'Owner unknown');
      for (const e of mine) lines.push(`  ${e.severity.toUpperCase().padEnd(8)} ${sanitize(e.path)}${e.line !== null ? `:${e.line}` : ''}: ${clip(e.raw, 160)}`);
      lines.push('', ...formatPersistence(full, c.links));
      const ids = new Set([...started.map((x) => x.entryId), ...c.entries.filter((e) => e.severity !== 'none' && e.runsAs === user).map((e) => e.id)]);
      return { title: `Persistence for PID ${pid}${p ? ` (${sanitize(p.name)}, user ${sanitize(p.user)})` : ''}`, lines, actions: actionable(ids) };
    },

    disablePersistence(action) {
      if (readonlyReason) return [`${readonlyReason}: nothing was changed`];
      const log = audit();
      try {
        const results = disable(action, log);
        return [...results.map((r) => r.message), `audit log: ${log.path}`];
      } catch (err) {
        if (err instanceof AuditError) return [`${sanitize(err.message)}: nothing was changed`];
        return [`disabling failed: ${sanitize((err as Error).message)}`];
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
        const r = await plan(prep, standardPlan(signal), family ? 'family' : 'target');
        return r.lines;
      } catch (err) {
        return [`the action failed: ${sanitize((err as Error).message)}`];
      }
    },

    runPlan(prep, steps, scope, onStep) {
      return plan(prep, steps, scope, onStep);
    },
  };
}
