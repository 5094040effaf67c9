// The response routine: prepare (pin what the user saw), then run a plan of steps (freeze, keep
// evidence, disable persistence, signal, watch for a respawn) and report each step's outcome as data.
//
//   prepareResponse(pid, snapshot, assessments, deps)  -> ResponsePrep | { error }
//       pins the target and every family member from the snapshot the user looked at (start time and
//       executable must still match), computes refusals (PID 1, kernel threads, minewatch and its
//       ancestors) and whether this /proc is live (a fixture is read-only).
//   standardPlan(signal)                                -> PlanStep[]
//       SIGTERM/SIGKILL: freeze, evidence, signal, watch; SIGSTOP: freeze; SIGCONT: signal.
//   runPlan(prep, steps, { scope, ...deps }, onStep)    -> Promise<PlanResult>
//       Writes a plan record to the audit log first: if it cannot, nothing happens. Each step is
//       announced (status 'running') and then reported (ok | partial | refused | failed | skipped)
//       through onStep. Each member is re-verified (start time, executable, owner) right before each
//       signal; frozen exactly once; every signal audited exactly once. An audit failure stops the plan.
//
// Steps are data, so a containment plan UI can build, show and run any sequence of them.
import type { Assessment, Snapshot } from '../model';
import { clip, formatCmdline, sanitize } from '../text/sanitize';
import { AuditError, AuditLog, auditTarget } from './audit';
import { captureEvidence, type EvidenceResult } from './evidence';
import { familyOf, type FamilyRole } from './family';
import { ancestorsOf, refusal } from './guard';
import { readStat } from './procread';
import type { RespawnWatch } from './respawn';
import { attemptSignal, defaultSignalFn, type ResponseSignal, type SignalFn, type SignalResult } from './signal';
import { pinSeen, pinTarget, type PinnedTarget } from './target';

/** A persistence entry the user may disable (crontab line, unit's *.wants/ links). */
export interface PersistenceAction {
  entryId: string;
  /** "crontab of abc, line 3" */
  label: string;
  kind: string;
  /** Host path (without the --root prefix). */
  path: string;
  line: number | null;
  raw: string;
  /** What disabling does, in words. */
  verb: string;
}

/** One member of the family, as the dialog lists it. */
export interface FamilyMemberView {
  pid: number;
  role: FamilyRole;
  name: string;
  user: string;
  /** null when the owner could not be read. */
  uid: number | null;
  exe: string | null;
  cmdline: string[];
}

export interface ResponsePrep {
  target: PinnedTarget;
  /** Other members of its family (launchers first), each pinned from the snapshot. */
  members: PinnedTarget[];
  /** Every member with its role, the target first (data for the dialog and the plan view). */
  family: FamilyMemberView[];
  /** Related processes left out, and members seen in the snapshot but gone or changed since. */
  excluded: { pid: number; why: string }[];
  /** Facts about the target for the dialog. */
  info: {
    pid: number;
    name: string;
    user: string;
    uid: number;
    exe: string | null;
    exeDeleted: boolean;
    /** Milliseconds since the epoch. */
    startedAt: number;
    severity: string | null;
    score: number | null;
    findings: string[];
  };
  /** The same as lines of text (until the dialog renders `info` and `family` itself). */
  summary: string[];
  memberLines: string[];
  /** Why minewatch will not signal it (PID 1, kernel thread, itself...), or null. */
  refusal: string | null;
  /** Why nothing can be done from here at all (a fixture /proc), or null. */
  readOnly: string | null;
  /** minewatch's own ancestors, read once when the dialog opened. */
  protectedPids: number[];
}

export type PlanStep =
  | { kind: 'freeze' }
  | { kind: 'evidence' }
  | { kind: 'signal'; signal: ResponseSignal }
  | { kind: 'disable'; action: PersistenceAction }
  | { kind: 'watch' };

export type StepStatus = 'running' | 'ok' | 'partial' | 'refused' | 'failed' | 'skipped';

export interface MemberOutcome {
  pid: number;
  signal: ResponseSignal;
  outcome: 'sent' | 'refused' | 'failed' | 'skipped';
  message: string;
  /** After SIGTERM/SIGKILL: still there once the wait was over (e.g. a PID-namespace init). */
  stillRunning?: boolean;
}

export interface StepOutcome {
  index: number;
  step: PlanStep;
  status: StepStatus;
  /** One line in plain words. */
  summary: string;
  /** Details, one per line (already sanitized). */
  lines: string[];
  members: MemberOutcome[];
  evidence?: EvidenceResult;
}

export interface PlanResult {
  /** Every step ok (or skipped: nothing to do). */
  ok: boolean;
  /** Why the plan stopped early (audit failure, read-only, refusal), or null. */
  stopped: string | null;
  steps: StepOutcome[];
  /** Everything as text lines, ending with the audit log's path. */
  lines: string[];
  auditPath: string;
}

export interface ResponseDeps {
  procRoot: string;
  root: string;
  /** Whether procRoot is the live /proc of this PID namespace; anything else is read-only. */
  live: boolean;
  selfPid?: number;
  now?: () => number;
}

export interface PlanDeps extends ResponseDeps {
  evidenceDir: string;
  /** 'target': the target only; 'family': the target and every member. */
  scope: 'target' | 'family';
  kill?: SignalFn;
  audit: AuditLog;
  respawn?: RespawnWatch;
  /** Kept in the evidence's context.json (e.g. the inspector's view of each member). */
  evidenceExtra?: (targets: PinnedTarget[]) => unknown;
  /** Carries out a disable step (comment out, remove links); audited by the caller of this function. */
  disable?: (action: PersistenceAction) => { ok: boolean; message: string }[];
  /** How long to wait for members to exit after SIGTERM/SIGKILL before saying "still running" (ms). */
  exitWaitMs?: number;
  readonly?: boolean;
}

const HEAVY = new Set<ResponseSignal>(['SIGTERM', 'SIGKILL']);

/** The usual plan for a signal chosen in the dialog. */
export function standardPlan(signal: ResponseSignal): PlanStep[] {
  if (HEAVY.has(signal)) return [{ kind: 'freeze' }, { kind: 'evidence' }, { kind: 'signal', signal }, { kind: 'watch' }];
  if (signal === 'SIGSTOP') return [{ kind: 'freeze' }];
  return [{ kind: 'signal', signal }];
}

/** Pin the target and its family as the user saw them in `snapshot`. */
export function prepareResponse(
  pid: number,
  snapshot: Snapshot,
  assessments: ReadonlyMap<number, Assessment>,
  deps: ResponseDeps & { linkedPids?: number[] },
): ResponsePrep | { error: string } {
  const { procRoot, root } = deps;
  const selfPid = deps.selfPid ?? process.pid;
  const seen = snapshot.processes.get(pid);
  const pinned = seen ? pinSeen(seen, { procRoot, root, now: deps.now }) : pinTarget(pid, { procRoot, root, now: deps.now });
  if ('error' in pinned) return { error: pinned.error };
  const ancestors = ancestorsOf(selfPid, procRoot);
  const refused = refusal(pinned, { selfPid, ancestorPids: ancestors, kernelThread: pinned.kernelThread });
  const fam = familyOf(pid, snapshot.processes, { selfPid, ancestorPids: ancestors, linkedPids: deps.linkedPids });
  const others = [...fam.launchers, ...fam.members].filter((m, i, all) => m.pid !== pid && all.findIndex((x) => x.pid === m.pid) === i);
  const members: PinnedTarget[] = [];
  const excluded = [...fam.excluded];
  const family: FamilyMemberView[] = [];
  const memberLines: string[] = [];
  const view = (p: { pid: number; name: string; user: string; uid: number | null; exe: string | null; cmdline: string[] }, role: FamilyRole): FamilyMemberView => ({
    pid: p.pid, role, name: p.name, user: p.user, uid: p.uid, exe: p.exe, cmdline: p.cmdline,
  });
  family.push(view(pinned, 'target'));
  for (const m of others) {
    const t = pinSeen(m, { procRoot, root, now: deps.now });
    if ('error' in t) {
      excluded.push({ pid: m.pid, why: t.error });
      continue;
    }
    members.push(t);
    const role = fam.roles.get(m.pid) ?? 'descendant';
    family.push(view(m, role));
    memberLines.push(`${role} PID ${m.pid} ${clip(m.name, 20)} (${clip(m.user, 12)}) ${clip(formatCmdline(m.cmdline), 60)}`);
  }
  const a = assessments.get(pid);
  const startedAt = snapshot.bootTime + (pinned.startTicks / snapshot.host.clockTicks) * 1000;
  const summary = [
    `PID ${pinned.pid} ${clip(pinned.name, 24)} · user ${clip(pinned.user, 16)} (${pinned.uid})`,
    `exe ${clip(pinned.exe ?? '(unreadable)', 80)}${pinned.exeDeleted ? ' (deleted)' : ''}`,
    `started ${new Date(startedAt).toISOString().replace('T', ' ').slice(0, 19)}`,
    a ? `flagged ${a.severity} (${a.score}): ${a.findings.map((f) => f.id).join(' ')}` : 'not flagged',
  ];
  const readOnly = deps.live
    ? null
    : `${sanitize(procRoot)} is not the live /proc of this system: read-only, nothing can be signalled or changed from here`;
  return {
    target: pinned,
    members,
    family,
    excluded,
    info: {
      pid: pinned.pid, name: pinned.name, user: pinned.user, uid: pinned.uid, exe: pinned.exe, exeDeleted: pinned.exeDeleted,
      startedAt, severity: a?.severity ?? null, score: a?.score ?? null, findings: a?.findings.map((f) => f.id) ?? [],
    },
    summary,
    memberLines,
    refusal: refused,
    readOnly,
    protectedPids: ancestors,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Still the pinned process (same start time, not a zombie)? */
function alive(t: PinnedTarget, procRoot: string): boolean {
  const st = readStat(procRoot, t.pid);
  return st !== null && st.startTicks === t.startTicks && st.state !== 'Z' && st.state !== 'X';
}

/**
 * Run the steps in order. Each member gets at most one SIGSTOP (the freeze step) and one of each
 * other signal; a member refused or gone at one step is left alone by the later ones.
 */
export async function runPlan(prep: ResponsePrep, steps: PlanStep[], deps: PlanDeps, onStep?: (o: StepOutcome) => void): Promise<PlanResult> {
  const audit = deps.audit;
  const procRoot = deps.procRoot;
  const kill = deps.kill ?? defaultSignalFn;
  const selfPid = deps.selfPid ?? process.pid;
  const outcomes: StepOutcome[] = [];
  const result = (stopped: string | null): PlanResult => {
    const lines: string[] = [];
    if (stopped) lines.push(stopped);
    for (const o of outcomes) {
      if (o.members.length === 0 || o.step.kind === 'evidence') lines.push(...(o.lines.length ? o.lines : [o.summary]));
      else lines.push(...o.members.map((m) => m.message));
    }
    lines.push(`audit log: ${audit.path}`);
    return { ok: stopped === null && outcomes.every((o) => o.status === 'ok' || o.status === 'skipped'), stopped, steps: outcomes, lines, auditPath: audit.path };
  };

  if (deps.readonly) return result('read-only mode (--readonly): nothing was done');
  if (prep.readOnly) return result(`${prep.readOnly}: nothing was done`);
  const targets = deps.scope === 'family' ? [prep.target, ...prep.members] : [prep.target];
  const signals = steps.filter((s) => s.kind === 'freeze' || s.kind === 'signal');
  if (prep.refusal && signals.length > 0) {
    try {
      audit.append({ action: 'refused', target: auditTarget(prep.target), result: 'refused', message: prep.refusal });
    } catch {
      /* refusing needs no record to be safe */
    }
    return result(`${prep.refusal}: nothing was done`);
  }

  // No audit record, no action: the plan is recorded before anything is done.
  try {
    audit.append({
      action: 'plan',
      target: auditTarget(prep.target),
      result: 'started',
      message: `plan for PID ${prep.target.pid}: ${steps.map(describeStep).join(', ')}`,
      details: { scope: deps.scope, members: targets.map(auditTarget), steps },
    });
  } catch (err) {
    return result(`${sanitize((err as Error).message)}: nothing was done`);
  }

  const gone = new Set<number>(); // refused or exited: no later step touches it
  const frozen = new Set<number>();
  const killed: PinnedTarget[] = [];
  const signalDeps = { kill, procRoot, selfPid, ancestorPids: prep.protectedPids };

  /** One verified, audited signal. Throws AuditError when its record cannot be written. */
  const signalOne = (t: PinnedTarget, sig: ResponseSignal): SignalResult => {
    const r = attemptSignal(t, sig, signalDeps);
    audit.append({
      action: r.outcome === 'refused' ? 'refused' : 'signal',
      target: auditTarget(t),
      result: r.outcome,
      message: r.message,
      details: { signal: sig, name: t.name, ...(r.code ? { code: r.code } : {}) },
    });
    return r;
  };

  for (const [index, step] of steps.entries()) {
    const running: StepOutcome = { index, step, status: 'running', summary: `${describeStep(step)}…`, lines: [], members: [] };
    onStep?.(running);
    let out: StepOutcome;
    try {
      out = await runStep(index, step);
    } catch (err) {
      if (err instanceof AuditError) {
        const o: StepOutcome = { ...running, status: 'failed', summary: `${sanitize(err.message)}: the plan stopped here`, lines: [] };
        outcomes.push(o);
        onStep?.(o);
        return result(`${sanitize(err.message)}: the plan stopped`);
      }
      out = { ...running, status: 'failed', summary: `${describeStep(step)} failed: ${sanitize((err as Error).message)}`, lines: [] };
    }
    outcomes.push(out);
    onStep?.(out);
  }
  return result(null);

  async function runStep(index: number, step: PlanStep): Promise<StepOutcome> {
    const base = { index, step, lines: [] as string[], members: [] as MemberOutcome[] };
    const statusOf = (ms: MemberOutcome[]): StepStatus =>
      ms.length === 0 ? 'skipped' : ms.every((m) => m.outcome === 'sent') ? 'ok' : ms.some((m) => m.outcome === 'sent') ? 'partial' : ms.every((m) => m.outcome === 'refused') ? 'refused' : 'failed';
    switch (step.kind) {
      case 'freeze': {
        for (const t of targets) {
          if (gone.has(t.pid) || frozen.has(t.pid)) continue;
          const r = signalOne(t, 'SIGSTOP');
          base.members.push({ pid: t.pid, signal: 'SIGSTOP', outcome: r.outcome, message: r.message });
          if (r.ok) frozen.add(t.pid);
          else gone.add(t.pid);
        }
        return { ...base, status: statusOf(base.members), summary: `froze ${frozen.size} of ${targets.length} process(es)` };
      }
      case 'signal': {
        const sig = step.signal;
        const sent: PinnedTarget[] = [];
        for (const t of targets) {
          if (gone.has(t.pid)) {
            base.members.push({ pid: t.pid, signal: sig, outcome: 'skipped', message: `PID ${t.pid} skipped: it was refused or gone at an earlier step` });
            continue;
          }
          if (sig === 'SIGSTOP' && frozen.has(t.pid)) continue; // freeze once
          const r = signalOne(t, sig);
          const m: MemberOutcome = { pid: t.pid, signal: sig, outcome: r.outcome, message: r.message };
          base.members.push(m);
          if (r.ok) sent.push(t);
          else {
            gone.add(t.pid);
            if (frozen.has(t.pid)) m.message += ` (PID ${t.pid} is still suspended; send SIGCONT to resume it)`;
          }
          if (sig === 'SIGCONT' && r.ok) frozen.delete(t.pid);
        }
        if (sig === 'SIGTERM') {
          // A stopped process acts on SIGTERM only once continued.
          for (const t of sent) {
            if (!frozen.has(t.pid)) continue;
            const r = signalOne(t, 'SIGCONT');
            const m = base.members.find((x) => x.pid === t.pid)!;
            m.message = r.ok ? `sent SIGTERM to PID ${t.pid} and resumed it so it can act on it` : `${m.message}; resuming it failed: ${r.message}`;
            if (r.ok) frozen.delete(t.pid);
          }
        }
        if (HEAVY.has(sig)) {
          await waitForExit(sent, base.members, sig);
          for (const t of sent) killed.push(t);
        }
        const n = base.members.filter((m) => m.outcome === 'sent').length;
        return { ...base, status: statusOf(base.members), summary: `${sig} sent to ${n} of ${base.members.length} process(es)` };
      }
      case 'evidence': {
        const live = targets.filter((t) => !gone.has(t.pid));
        if (live.length === 0) return { ...base, status: 'skipped', summary: 'no process left to keep evidence of' };
        try {
          const ev = await captureEvidence(live, { procRoot, dir: deps.evidenceDir, audit, extra: deps.evidenceExtra?.(live) });
          const lines = [`evidence kept in ${sanitize(ev.dir)} (${ev.files.length} files)`, ...ev.notes.map((n) => `  note: ${sanitize(n)}`)];
          return { ...base, status: 'ok', summary: lines[0], lines, evidence: ev };
        } catch (err) {
          if (err instanceof AuditError) throw err;
          const line = `evidence could not be captured: ${sanitize((err as Error).message)}`;
          return { ...base, status: 'failed', summary: line, lines: [line] };
        }
      }
      case 'disable': {
        if (!deps.disable) return { ...base, status: 'skipped', summary: 'disabling persistence is not available here' };
        const rs = deps.disable(step.action);
        const lines = rs.map((r) => r.message);
        const status: StepStatus = rs.length > 0 && rs.every((r) => r.ok) ? 'ok' : rs.some((r) => r.ok) ? 'partial' : 'refused';
        return { ...base, status, summary: lines[0] ?? 'nothing to disable', lines };
      }
      case 'watch': {
        if (!deps.respawn) return { ...base, status: 'skipped', summary: 'no respawn watch here' };
        for (const t of killed) deps.respawn.remember({ pid: t.pid, exe: t.exe, cmdline: t.cmdline, startTicks: t.startTicks });
        return { ...base, status: killed.length ? 'ok' : 'skipped', summary: `watching for ${killed.length} process(es) to come back (R1, ten minutes)` };
      }
    }
  }

  async function waitForExit(sent: PinnedTarget[], ms: MemberOutcome[], sig: ResponseSignal): Promise<void> {
    const wait = deps.exitWaitMs ?? 1000;
    if (wait <= 0 || sent.length === 0) return;
    const deadline = Date.now() + wait;
    let left = sent.filter((t) => alive(t, procRoot));
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(25);
      left = left.filter((t) => alive(t, procRoot));
    }
    for (const t of left) {
      const m = ms.find((x) => x.pid === t.pid);
      if (!m) continue;
      m.stillRunning = true;
      const why = t.nsInit
        ? 'it is the init of a PID namespace, which ignores signals it has no handler for'
        : sig === 'SIGTERM'
          ? 'it may be shutting down, or ignoring SIGTERM'
          : 'it may be in uninterruptible sleep';
      m.message = `${m.message}; but PID ${t.pid} is still running ${(wait / 1000).toFixed(1)} s later (${why})${sig === 'SIGTERM' ? ': SIGKILL stops it for sure' : ''}`;
    }
  }
}

export function describeStep(s: PlanStep): string {
  switch (s.kind) {
    case 'freeze':
      return 'freeze (SIGSTOP)';
    case 'evidence':
      return 'keep evidence';
    case 'signal':
      return `send ${s.signal}`;
    case 'disable':
      return `disable ${s.action.label}`;
    case 'watch':
      return 'watch for a respawn';
  }
}
