// The containment plan's steps carried out by the response engine: every member is pinned against the
// identity the user saw in the snapshot (start time, executable), re-verified before each signal by
// sendSignal, and every action goes into the audit log. If the plan's own audit record cannot be
// written, nothing runs.
import type { AuditLog, PinnedTarget, RespawnWatch, SignalFn } from '../respond/index';
import { auditTarget, captureEvidence, pinTarget, sendSignal } from '../respond/index';
import { readStat } from '../respond/procread';
import type { ContainmentPlan, PlanExecutor, StepLine, StepOutcome } from './containment';
import type { Incident, IncidentEntry, IncidentMember } from './incident';

export interface ExecutorDeps {
  procRoot: string;
  root: string;
  evidenceDir: string;
  audit: AuditLog;
  kill: SignalFn;
  selfPid?: number;
  respawn?: RespawnWatch;
  /** Disable one entry (comment out / remove wants links): backup first, audited by the callee. */
  disable(entry: IncidentEntry): StepLine[] | Promise<StepLine[]>;
  /** Extra context kept with the evidence (the inspector's view of each member). */
  evidenceExtra?(pids: number[]): unknown;
  /** How long kill waits for the processes to be gone before saying they still run (default 2 s). */
  killWaitMs?: number;
  now?: () => number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function outcome(lines: StepLine[], stop = false): StepOutcome {
  const bad = lines.filter((l) => l.status === 'failed').length;
  const good = lines.filter((l) => l.status === 'ok').length;
  return { status: bad === 0 ? 'ok' : good === 0 ? 'failed' : 'partial', lines, ...(stop ? { stop } : {}) };
}

export function createExecutor(incident: Incident, deps: ExecutorDeps): PlanExecutor {
  const pinned = new Map<number, PinnedTarget>();
  const lost = new Map<number, string>();
  const remembered = new Set<number>();
  const remember = (t: PinnedTarget) => {
    if (remembered.has(t.pid) || !deps.respawn) return;
    remembered.add(t.pid);
    deps.respawn.remember({ pid: t.pid, exe: t.exe, cmdline: t.cmdline, startTicks: t.startTicks });
  };
  const signalDeps = { kill: deps.kill, procRoot: deps.procRoot, selfPid: deps.selfPid, audit: deps.audit };

  /** Pin a member and check it is still the process the user saw. */
  const pin = (m: IncidentMember): PinnedTarget | string => {
    const t = pinTarget(m.pid, { procRoot: deps.procRoot, root: deps.root, now: deps.now });
    if ('error' in t) return t.error;
    if (t.startTicks !== m.startTicks) return `PID ${m.pid} now belongs to another process (start time changed since the incident was opened)`;
    if (m.exe !== null && t.exe !== m.exe) return `PID ${m.pid} now runs another program than when the incident was opened`;
    return t;
  };
  const targets = (pids: number[]): { list: PinnedTarget[]; lines: StepLine[] } => {
    const list: PinnedTarget[] = [];
    const lines: StepLine[] = [];
    for (const pid of pids) {
      const t = pinned.get(pid);
      if (t) list.push(t);
      else lines.push({ text: `PID ${pid} left alone: ${lost.get(pid) ?? 'not pinned'}`, status: 'failed' });
    }
    return { list, lines };
  };
  const gone = (t: PinnedTarget): boolean => {
    const st = readStat(deps.procRoot, t.pid);
    return !st || st.startTicks !== t.startTicks || st.state === 'Z' || st.state === 'X';
  };

  return {
    begin(plan: ContainmentPlan) {
      deps.audit.append({
        action: 'note', result: 'confirmed',
        message: `containment plan for PID ${incident.pid} confirmed: ${plan.steps.filter((s) => s.enabled).map((s) => `${s.n} ${s.kind}`).join(', ')}`,
        details: {
          steps: plan.steps.map((s) => ({ n: s.n, kind: s.kind, enabled: s.enabled, pids: s.pids, entry: s.entryId })),
          members: incident.members.map((m) => ({ pid: m.pid, startTicks: m.startTicks, exe: m.exe, uid: m.uid, role: m.role })),
        },
      });
      for (const m of incident.members) {
        const t = pin(m);
        if (typeof t === 'string') lost.set(m.pid, t);
        else pinned.set(m.pid, t);
      }
    },

    async freeze(pids) {
      const { list, lines } = targets(pids);
      for (const t of list) {
        if (gone(t)) { lines.push({ text: `PID ${t.pid} had already exited`, status: 'info' }); continue; }
        const r = sendSignal(t, 'SIGSTOP', signalDeps);
        lines.push({ text: r.message, status: r.ok ? 'ok' : 'failed' });
      }
      return outcome(lines);
    },

    async evidence(pids) {
      const { list, lines } = targets(pids);
      if (list.length === 0) return outcome([...lines, { text: 'no process left to capture', status: 'failed' }]);
      const ev = await captureEvidence(list, { procRoot: deps.procRoot, dir: deps.evidenceDir, audit: deps.audit, extra: deps.evidenceExtra?.(list.map((t) => t.pid)) });
      lines.push({ text: `evidence kept in ${ev.dir} (${ev.files.length} files, SHA256SUMS)`, status: 'ok' });
      for (const n of ev.notes) lines.push({ text: n, status: 'info' });
      return outcome(lines);
    },

    async disable(entry) {
      const lines = await deps.disable(entry);
      return outcome(lines.length ? lines : [{ text: 'nothing was changed', status: 'failed' }]);
    },

    async kill(pids) {
      const { list, lines } = targets(pids);
      const sent: PinnedTarget[] = [];
      for (const t of list) {
        if (gone(t)) { lines.push({ text: `PID ${t.pid} had already exited`, status: 'info' }); continue; }
        const r = sendSignal(t, 'SIGKILL', signalDeps);
        lines.push({ text: r.message, status: r.ok ? 'ok' : 'failed' });
        if (r.ok) sent.push(t);
      }
      // A signal that was sent is not a process that is gone: look again.
      const deadline = Date.now() + (deps.killWaitMs ?? 2000);
      while (sent.some((t) => !gone(t)) && Date.now() < deadline) await sleep(50);
      for (const t of sent) {
        if (!gone(t)) lines.push({ text: `PID ${t.pid} is still running after SIGKILL`, status: 'failed' });
        else remember(t);
      }
      return outcome(lines);
    },

    async watch(pids) {
      const watched = pids.filter((pid) => pinned.has(pid));
      if (!deps.respawn) return outcome([{ text: 'no respawn watch in this mode', status: 'failed' }]);
      for (const pid of watched) {
        const t = pinned.get(pid)!;
        if (gone(t)) remember(t);
      }
      deps.audit.append({
        action: 'note', result: 'ok', message: `watching for a respawn of ${watched.length} processes for 10 minutes`,
        details: { pids: watched, targets: watched.map((pid) => auditTarget(pinned.get(pid)!)) },
      });
      return outcome([{ text: `watching for 10 minutes: a new process with the executable, command line or hash of PID ${watched.join(', ')} is flagged R1 (respawned)`, status: 'ok' }]);
    },

    end(plan) {
      deps.audit.append({
        action: 'note', result: plan.steps.every((s) => s.status === 'ok' || s.status === 'skipped') ? 'ok' : 'partial',
        message: `containment plan for PID ${incident.pid} finished: ${plan.steps.map((s) => `${s.n} ${s.kind} ${s.status}`).join(', ')}`,
        details: { steps: plan.steps.map((s) => ({ n: s.n, kind: s.kind, status: s.status, lines: s.lines.map((l) => l.text) })) },
      });
    },
  };
}
