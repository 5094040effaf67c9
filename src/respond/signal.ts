// Send one signal to one pinned process: refuse protected targets, re-verify identity, then signal,
// and record every attempt in the audit log.
import { sanitize } from '../text/sanitize';
import { AuditLog, auditTarget } from './audit';
import { ancestorsOf, refusal } from './guard';
import { PF_KTHREAD, readStat } from './procread';
import { PinnedTarget, verifyTarget } from './target';

export type SignalFn = (pid: number, signal: NodeJS.Signals) => void;

export const defaultSignalFn: SignalFn = (pid, signal) => {
  process.kill(pid, signal);
};

export type ResponseSignal = 'SIGTERM' | 'SIGKILL' | 'SIGSTOP' | 'SIGCONT';

export interface SignalDeps {
  /** Injected so unit tests never send real signals; use defaultSignalFn in the app. */
  kill: SignalFn;
  procRoot?: string;
  selfPid?: number;
  /** minewatch's ancestors; read from procRoot when omitted. */
  ancestorPids?: number[];
  audit?: AuditLog;
}

export type SignalOutcome = 'sent' | 'refused' | 'failed';

export interface SignalResult {
  ok: boolean;
  pid: number;
  signal: ResponseSignal;
  outcome: SignalOutcome;
  message: string;
  /** errno code when the kill call failed. */
  code?: string;
}

const WHAT: Record<ResponseSignal, string> = {
  SIGTERM: 'asked it to terminate',
  SIGKILL: 'killed it',
  SIGSTOP: 'suspended it',
  SIGCONT: 'resumed it',
};

function guardFor(pinned: PinnedTarget, deps: SignalDeps) {
  const procRoot = deps.procRoot ?? '/proc';
  const selfPid = deps.selfPid ?? process.pid;
  const ancestorPids = deps.ancestorPids ?? ancestorsOf(selfPid, procRoot);
  // Kernel-thread status is re-read, not only taken from the pinned copy.
  const now = readStat(procRoot, pinned.pid);
  const kernelThread = pinned.kernelThread || (now !== null && (now.flags & PF_KTHREAD) !== 0);
  return refusal(pinned, { selfPid, ancestorPids, kernelThread });
}

export function sendSignal(pinned: PinnedTarget, signal: ResponseSignal, deps: SignalDeps): SignalResult {
  const result = attemptSignal(pinned, signal, deps);
  if (deps.audit) {
    try {
      deps.audit.append({
        action: result.outcome === 'refused' ? 'refused' : 'signal',
        target: auditTarget(pinned),
        result: result.outcome,
        message: result.message,
        details: { signal, name: pinned.name, ...(result.code ? { code: result.code } : {}) },
      });
    } catch (err) {
      result.message += ` (the audit log could not be written: ${(err as Error).message})`;
    }
  }
  return result;
}

/** Guard, re-verify and signal one pinned process, without writing the audit record (the caller does). */
export function attemptSignal(pinned: PinnedTarget, signal: ResponseSignal, deps: SignalDeps): SignalResult {
  const pid = pinned.pid;
  const base = { pid, signal };
  const refused = guardFor(pinned, deps);
  if (refused) return { ...base, ok: false, outcome: 'refused', message: `${refused}: nothing was sent` };
  const verified = verifyTarget(pinned, { procRoot: deps.procRoot });
  if (!verified.ok) return { ...base, ok: false, outcome: 'refused', message: verified.reason };
  try {
    deps.kill(pid, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code ?? 'UNKNOWN';
    let message: string;
    if (code === 'EPERM') {
      message = `not permitted: PID ${pid} belongs to user ${sanitize(pinned.user)}; run minewatch as root`;
    } else if (code === 'ESRCH') {
      message = `process ${pid} has already exited`;
    } else {
      message = `could not send ${signal} to PID ${pid}: ${code} (${sanitize((err as Error)?.message ?? String(err))})`;
    }
    return { ...base, ok: false, outcome: 'failed', message, code };
  }
  return {
    ...base,
    ok: true,
    outcome: 'sent',
    message: `sent ${signal} to PID ${pid} "${sanitize(pinned.name)}": ${WHAT[signal]}`,
  };
}
