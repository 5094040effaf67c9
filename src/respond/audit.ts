// Append-only audit trail: one JSON object per line for every response action, successful or not.
import os from 'node:os';
import path from 'node:path';
import { appendRecord, describeRefusal, privateDir } from '../fsafe/index';

export type AuditAction = 'plan' | 'signal' | 'refused' | 'evidence' | 'persistence-change' | 'note';

export interface AuditTarget {
  pid: number;
  startTicks: number;
  exe: string | null;
  uid: number;
}

export interface AuditInput {
  action: AuditAction;
  target?: AuditTarget | null;
  /** Short outcome, e.g. 'sent', 'refused', 'failed', 'ok'. */
  result: string;
  message: string;
  /** Anything else worth keeping (signal name, paths, hashes). */
  details?: Record<string, unknown>;
}

export interface AuditActor {
  uid: number;
  euid: number;
  user: string;
  pid: number;
}

export interface AuditRecord extends AuditInput {
  time: string;
  actor: AuditActor;
}

export function currentActor(): AuditActor {
  const uid = process.getuid?.() ?? -1;
  let user = process.env.USER ?? String(uid);
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry */
  }
  return { uid, euid: process.geteuid?.() ?? uid, user, pid: process.pid };
}

/**
 * JSON.stringify escapes C0 controls but leaves C1 controls and bidi overrides raw; escape those too so
 * `cat`-ing the log cannot drive a terminal. The result is still valid JSON that parses to the same value.
 */
export function safeJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** The audit record could not be written; the action it was for must not happen. */
export class AuditError extends Error {}

export class AuditLog {
  readonly path: string;
  private readonly actor: AuditActor;
  private readonly now: () => number;

  constructor(filePath: string, opts: { actor?: AuditActor; now?: () => number } = {}) {
    this.path = filePath;
    this.actor = opts.actor ?? currentActor();
    this.now = opts.now ?? Date.now;
  }

  /** Appends one line synchronously (so the log order is the order of actions). Throws on I/O failure. */
  append(input: AuditInput): AuditRecord {
    const record: AuditRecord = {
      time: new Date(this.now()).toISOString(),
      actor: this.actor,
      action: input.action,
      target: input.target ?? null,
      result: input.result,
      message: input.message,
      ...(input.details ? { details: input.details } : {}),
    };
    // The log lives in a private directory checked by descriptor; the file must be a regular file
    // of ours with one name (never a symlink planted in its place). Any doubt throws: the caller
    // then does not act (no audit record, no action).
    const dir = privateDir(path.dirname(this.path), { create: true });
    if ('ok' in dir) throw new AuditError(`the audit log cannot be written: ${describeRefusal(dir)}`);
    try {
      const r = appendRecord(dir, path.basename(this.path), safeJson(record));
      if (!r.ok) throw new AuditError(`the audit log cannot be written: ${describeRefusal(r)}`);
    } finally {
      dir.close();
    }
    return record;
  }
}

/** The audit log lives in the evidence directory, which is 0700. */
export function defaultAuditPath(evidenceDir: string): string {
  return path.join(evidenceDir, 'audit.jsonl');
}

export function auditTarget(t: { pid: number; startTicks: number; exe: string | null; uid: number }): AuditTarget {
  return { pid: t.pid, startTicks: t.startTicks, exe: t.exe, uid: t.uid };
}
