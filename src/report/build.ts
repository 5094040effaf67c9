// The incident report of one run of minewatch, from what that run left in the evidence directory: the
// audit log (every action and its outcome) and each evidence capture (context.json, process-PID.json,
// SHA256SUMS). Pure: the loader (load.ts) reads the files through the safe opener; this builds the
// typed report that both the JSON and the Markdown are written from.
import type { AuditRecord } from '../respond/audit';

/** One evidence capture directory as read (parsed JSON; hostile strings stay raw until rendered). */
export interface CaptureInput {
  /** Directory name inside the evidence directory ("2026-11-27T08-40-01.123Z-pid3002"). */
  name: string;
  context: Record<string, unknown> | null;
  /** process-PID.json, parsed. */
  processes: Record<string, unknown>[];
  /** SHA256SUMS: file name -> sha256. */
  sums: Map<string, string>;
  problems: string[];
}

export interface RunInput {
  evidenceDir: string;
  audit: AuditRecord[];
  captures: CaptureInput[];
  /** Files in persistence-backups/. */
  backups: string[];
  /** What could not be read, in words. */
  problems: string[];
}

export interface ReportFindingLine { id: string; severity: string; title: string; explanation: string }

export interface ReportProcessEntry {
  pid: number;
  startTicks: number | null;
  name: string;
  user: string;
  uid: number | null;
  exe: string | null;
  exeDeleted: boolean;
  cmdline: string[];
  /** SHA-256 of the executable as copied into the evidence (exe-PID.bin), when it was. */
  sha256: string | null;
  /** Evidence directory (inside the evidence dir) that holds its files. */
  evidence: string;
  role: string | null;
  severity: string | null;
  findings: ReportFindingLine[];
}

export interface ReportPersistenceEntry {
  label: string;
  path: string;
  line: number | null;
  raw: string;
  severity: string | null;
  findings: ReportFindingLine[];
  /** What minewatch did to it in this run, if anything. */
  change: { time: string; result: string; message: string; backup: string | null } | null;
}

export interface ReportLogin { user: string; tty: string; host: string; time: string | null }

export interface ReportAction {
  time: string;
  action: string;
  pid: number | null;
  result: string;
  message: string;
}

export interface IncidentReport {
  version: 1;
  generatedAt: string;
  evidenceDir: string;
  run: { minewatchPid: number | null; actor: string | null; from: string | null; to: string | null };
  host: { hostname: string | null; kernel: string | null; uptimeSeconds: number | null };
  timeline: { time: string; what: string }[];
  processes: ReportProcessEntry[];
  persistence: ReportPersistenceEntry[];
  logins: { user: string; source: string | null; last: ReportLogin[]; failed: ReportLogin[] }[];
  actions: ReportAction[];
  notes: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function findingLines(v: unknown): ReportFindingLine[] {
  return arr(v).map(obj).filter((f): f is Record<string, unknown> => f !== null).map((f) => ({
    id: str(f.id) ?? '?', severity: str(f.severity) ?? '', title: str(f.title) ?? '', explanation: str(f.explanation) ?? '',
  }));
}

/** The minewatch process (PID) whose run the report is about: the one that wrote the last audit record. */
export function latestRun(input: RunInput): number | null {
  for (let i = input.audit.length - 1; i >= 0; i--) {
    const pid = input.audit[i].actor?.pid;
    if (typeof pid === 'number') return pid;
  }
  const ctx = input.captures.map((c) => obj(c.context?.minewatch)).filter(Boolean).pop();
  return num(ctx?.pid);
}

function captureRunPid(c: CaptureInput): number | null {
  return num(obj(c.context?.minewatch)?.pid);
}

export function buildIncidentReport(input: RunInput, opts: { runPid?: number | null; all?: boolean; now?: () => number } = {}): IncidentReport {
  const now = opts.now ?? Date.now;
  const runPid = opts.all ? null : (opts.runPid !== undefined ? opts.runPid : latestRun(input));
  const inRun = (pid: number | null) => opts.all || runPid === null || pid === runPid;
  const audit = input.audit.filter((r) => inRun(r.actor?.pid ?? null)).sort((a, b) => a.time.localeCompare(b.time));
  const captures = input.captures.filter((c) => inRun(captureRunPid(c))).sort((a, b) => a.name.localeCompare(b.name));
  const notes = [...input.problems, ...captures.flatMap((c) => c.problems)];

  // Processes: every captured one, with the hash of its copied executable and what the incident said.
  const incidentMembers = new Map<number, Record<string, unknown>>();
  const entries = new Map<string, Record<string, unknown>>();
  const logins = new Map<string, IncidentReport['logins'][number]>();
  for (const c of captures) {
    const extra = obj(c.context?.extra);
    const inc = obj(extra?.incident);
    for (const m of arr(inc?.members).map(obj)) if (m && num(m.pid) !== null) incidentMembers.set(num(m.pid)!, m);
    for (const e of arr(inc?.persistence).map(obj)) if (e && str(e.entryId)) entries.set(str(e.entryId)!, e);
    for (const r of arr(extra?.inspect).map(obj)) {
      const ident = obj(obj(r?.identity)?.value);
      const lg = obj(obj(r?.logins)?.value);
      const user = str(ident?.user);
      if (!user || !lg || logins.has(user)) continue;
      const rec = (x: unknown): ReportLogin | null => {
        const o = obj(x);
        if (!o) return null;
        const t = num(o.time);
        return { user: str(o.user) ?? user, tty: str(o.tty) ?? '', host: str(o.host) ?? '', time: t === null ? null : new Date(t).toISOString() };
      };
      logins.set(user, {
        user, source: str(lg.source),
        last: arr(lg.last).map(rec).filter((x): x is ReportLogin => x !== null),
        failed: arr(lg.failed).map(rec).filter((x): x is ReportLogin => x !== null),
      });
    }
  }
  const processes: ReportProcessEntry[] = [];
  const seen = new Set<string>();
  for (const c of captures) {
    for (const p of c.processes) {
      const t = obj(p.pinned);
      const pid = num(t?.pid);
      if (!t || pid === null) continue;
      const key = `${pid}:${num(t.startTicks)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const m = incidentMembers.get(pid);
      processes.push({
        pid, startTicks: num(t.startTicks), name: str(t.name) ?? '?', user: str(t.user) ?? '?', uid: num(t.uid),
        exe: str(t.exe), exeDeleted: t.exeDeleted === true, cmdline: arr(t.cmdline).filter((a): a is string => typeof a === 'string'),
        sha256: c.sums.get(`exe-${pid}.bin`) ?? null, evidence: c.name,
        role: str(m?.role), severity: str(m?.severity), findings: findingLines(m?.findings),
      });
    }
  }

  // Persistence: the incident's entries, with what this run did to each.
  // the outcome of each change, not the intent record written before it (result 'started')
  const changes = audit.filter((r) => r.action === 'persistence-change' && r.result !== 'started');
  const persistence: ReportPersistenceEntry[] = [...entries.values()].map((e) => {
    const id = str(e.entryId)!;
    const ch = changes.filter((r) => obj(r.details)?.entry === id).pop();
    return {
      label: str(e.label) ?? id, path: str(e.path) ?? '', line: num(e.line), raw: str(e.raw) ?? '', severity: str(e.severity), findings: findingLines(e.findings),
      change: ch ? { time: ch.time, result: ch.result, message: ch.message, backup: str(obj(ch.details)?.backup) } : null,
    };
  });
  for (const ch of changes) {
    const id = str(obj(ch.details)?.entry);
    if (id && entries.has(id)) continue;
    persistence.push({ label: id ?? str(obj(ch.details)?.path) ?? '?', path: str(obj(ch.details)?.path) ?? '', line: null, raw: '', severity: null, findings: [],
      change: { time: ch.time, result: ch.result, message: ch.message, backup: str(obj(ch.details)?.backup) } });
  }

  const actions: ReportAction[] = audit.map((r) => ({ time: r.time, action: r.action, pid: r.target?.pid ?? null, result: r.result, message: r.message }));
  const timeline = [
    ...audit.map((r) => ({ time: r.time, what: `${r.action} ${r.result}: ${r.message}` })),
    ...captures.map((c) => ({ time: str(c.context?.capturedAt) ?? '', what: `evidence captured in ${c.name}` })).filter((x) => x.time),
  ].sort((a, b) => a.time.localeCompare(b.time));

  const ctx = captures[0]?.context ?? null;
  const actorRec = audit[0]?.actor;
  return {
    version: 1,
    generatedAt: new Date(now()).toISOString(),
    evidenceDir: input.evidenceDir,
    run: { minewatchPid: runPid, actor: actorRec ? `${actorRec.user} (uid ${actorRec.uid})` : null, from: timeline[0]?.time ?? null, to: timeline[timeline.length - 1]?.time ?? null },
    host: { hostname: str(ctx?.hostname), kernel: str(ctx?.kernel), uptimeSeconds: num(ctx?.uptimeSeconds) },
    timeline, processes, persistence, logins: [...logins.values()], actions, notes,
  };
}
