// The JSON report of `minewatch scan --json` (version 1) and the scan itself: two samples, one assessment.
import type { Assessment, ContainerInfo, Finding, ProcessInfo, ProcGpu, Severity, Snapshot } from '../model';
import type { PersistenceEntry } from '../persistence/index';
import type { Correlation, StartedBy } from './correlate';
import { severityRank } from '../model';
import { Detector, hostWarnings } from '../detect/index';
import { POOL_PORTS, STRONG_POOL_PORTS } from '../detect/poolPorts';
import { readHostIdentity } from '../procfs/host';
import { ProcReader } from '../procfs/reader';
import { readUnreadIdentities } from '../procfs/identityPool';
import { Enricher } from '../deep/enrich';
import { matchesContainer } from '../procfs/container';
import { ContentCollector } from '../content/collector';
import { hostKnowledge } from '../host/knowledge';
import type { PackageLookup } from '../pkg/packages';

export interface ReportFinding {
  id: string;
  severity: Severity;
  title: string;
  explanation: string;
  attack: string[];
  evidence: Record<string, unknown>;
}

export interface ReportProcess {
  pid: number;
  ppid: number;
  name: string;
  user: string;
  /** null when the owner could not be read (never guessed as root). */
  uid: number | null;
  startTime: string;
  exe: string | null;
  exeDeleted: boolean;
  cwd: string | null;
  cmdline: string[];
  cpuPercent: number;
  rssBytes: number;
  kernelThread: boolean;
  score: number;
  severity: Severity;
  findings: ReportFinding[];
  /** Persistence entries that start this process ("started by: crontab of abc, line 3"). */
  startedBy: StartedBy[];
  /** The GPU it holds and uses, or null. */
  gpu: ProcGpu | null;
  /** The container it runs in, or null on the host. */
  container: ContainerInfo | null;
}

/** A persistence entry as reported: the entry, its findings in report form, and the PIDs it starts. */
export type ReportPersistence = Omit<PersistenceEntry, 'findings' | 'references'> & {
  findings: ReportFinding[];
  /** Running processes this entry starts. */
  runningPids: number[];
};

export interface ScanReport {
  version: 1;
  scannedAt: string;
  host: { hostname: string; kernel: string; root: boolean };
  processes: ReportProcess[];
  persistence: ReportPersistence[];
  warnings: string[];
  /** The host's GPUs and the per-process NVIDIA source; null when GPU reading was off. */
  gpu?: { present: boolean; devices: string[]; nvidia: { state: string; message: string } | null; holders: number } | null;
}

export interface ScanResult {
  snapshot: Snapshot;
  assessments: Map<number, Assessment>;
  /** The package index the verdicts used (for the inspector's package lines). */
  packages: PackageLookup;
}

export interface ScanOptions {
  procRoot: string;
  root: string;
  sampleMs: number;
  /** GPU reading (default on). */
  gpu?: boolean;
  /** Worker threads for the identities (default: identityPool.ts's choice for the table and the cores). */
  threads?: number;
  /** Work that needs no process table (persistence, allow list), done inside the CPU window. */
  whileSampling?: () => void;
}

/** Identities read between two turns of the event loop, so the package index (async) loads meanwhile. */
const IDENTITY_SLICE = 256;

export async function runScan(opts: ScanOptions): Promise<ScanResult> {
  // One-shot: no descriptor is kept between the two samples.
  const reader = new ProcReader({ procRoot: opts.procRoot, root: opts.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, keepDescriptors: false });
  // The package index is built while the two samples are taken apart (no child process: the database's files).
  const knowledge = hostKnowledge(opts.root, { lazy: true });
  const packages = knowledge.packages.loadAsync();
  const enricher = new Enricher({ procRoot: opts.procRoot, root: opts.root, gpu: opts.gpu });
  enricher.start();
  let snapshot: Snapshot;
  const workerWarnings: string[] = [];
  try {
    if (opts.sampleMs > 0) {
      // The CPU window opens with a stat-only sample; the identity of every process (command line,
      // executable, cwd, cgroup, environment, owner), the package index and whatever the caller needs
      // besides are read inside it, and the window closes with stat again (identity read only for
      // processes that started or exec'd meanwhile). The window opens as the first sample starts: each
      // process's CPU % is over the time between its own two reads, and the second pass reads them in the
      // same order at about the same pace, so each one's window is about sampleMs (0.26 s of stat reads at
      // 20,000 processes, no longer added to it).
      const opensAt = performance.now();
      const first = reader.sample({ statOnly: true });
      enricher.enrich(first, { containers: false });
      // every process's cgroup from one walk of the cgroup2 mount, not one /proc/PID/cgroup each
      reader.prefetchCgroups();
      const closesAt = opensAt + opts.sampleMs;
      // (on worker threads too when the table is large: identityPool.ts)
      const read = await readUnreadIdentities(reader, { slice: IDENTITY_SLICE, turn: () => new Promise((r) => setImmediate(r)), workers: opts.threads });
      for (const f of read.failures) workerWarnings.push(`a worker thread did not read its share of the processes (${f}); the main thread read it`);
      opts.whileSampling?.();
      // what the closing sample's socket attribution would look up, while the window is still open
      reader.prefetchNamespaces(first);
      const left = closesAt - performance.now();
      if (left > 0) await new Promise((r) => setTimeout(r, left));
    } else {
      opts.whileSampling?.();
    }
    snapshot = enricher.enrich(reader.sample());
    if (workerWarnings.length > 0) snapshot = { ...snapshot, warnings: [...snapshot.warnings, ...workerWarnings] };
  } finally {
    enricher.stop();
  }
  await packages;
  const unread = knowledge.packages.unreadWhy();
  if (unread) snapshot = { ...snapshot, warnings: [...snapshot.warnings, `who installed a file is unknown here: ${unread}; the rules that weigh "no package installed it" (H01, H02, H20, H44) are weaker and executables are not compared with their packages (H49)`] };
  const detector = new Detector(knowledge);
  let assessments = detector.assess(snapshot);
  // Content evidence (miner config, executable strings, packaged and replaced images) for what already
  // shows a sign, bounded: executables of at most 8 processes read, within a second of CPU time.
  const content = new ContentCollector({ procRoot: opts.procRoot, root: opts.root, perUpdate: 8, budgetMs: 1000, packaged: (exe) => knowledge.packages.digest(exe) !== null });
  await content.update(snapshot, assessments);
  const facts = content.facts(snapshot);
  if (facts.size > 0) {
    snapshot.content = facts;
    assessments = detector.assess(snapshot);
  }
  return { snapshot, assessments, packages: knowledge.packages };
}

function reportFinding(f: Finding): ReportFinding {
  return { id: f.id, severity: f.severity, title: f.title, explanation: f.explanation, attack: f.attack, evidence: f.evidence };
}

export function reportPersistence(e: PersistenceEntry, runningPids: number[]): ReportPersistence {
  const { references: _references, findings, ...rest } = e;
  return { ...rest, findings: findings.map(reportFinding), runningPids };
}

export function reportProcess(p: ProcessInfo, a: Assessment | undefined, startedBy: StartedBy[] = [], extras: { gpu?: ProcGpu; container?: ContainerInfo } = {}): ReportProcess {
  return {
    pid: p.pid,
    ppid: p.ppid,
    name: p.name,
    user: p.user,
    uid: p.uid,
    startTime: new Date(p.startTime).toISOString(),
    exe: p.exe,
    exeDeleted: p.exeDeleted,
    cwd: p.cwd,
    cmdline: p.cmdline,
    cpuPercent: Math.round(p.cpuPercent * 10) / 10,
    rssBytes: p.rssBytes,
    kernelThread: p.kernelThread,
    score: a?.score ?? 0,
    severity: a?.severity ?? 'none',
    findings: (a?.findings ?? []).map(reportFinding),
    startedBy,
    gpu: extras.gpu ?? null,
    container: extras.container ?? null,
  };
}

/** Worst first, then by score, then by PID. */
export function byConcern(a: ReportProcess, b: ReportProcess): number {
  return severityRank(b.severity) - severityRank(a.severity) || b.score - a.score || a.pid - b.pid;
}

export function buildReport(result: ScanResult, opts: { procRoot: string; all: boolean; correlation?: Correlation; extraWarnings?: string[]; container?: string }): ScanReport {
  const { snapshot, assessments } = result;
  const c = opts.correlation;
  const processes: ReportProcess[] = [];
  for (const p of snapshot.processes.values()) {
    const a = assessments.get(p.pid);
    const startedBy = c?.startedBy.get(p.pid) ?? [];
    if (!opts.all && !a && startedBy.length === 0) continue;
    if (opts.container !== undefined && !matchesContainer(snapshot.containers?.get(p.pid) ?? null, opts.container)) continue;
    processes.push(reportProcess(p, a, startedBy, { gpu: snapshot.gpu?.processes.get(p.pid), container: snapshot.containers?.get(p.pid) }));
  }
  // Without --all: entries with a finding above info, or that start a running process.
  const persistence = (c?.entries ?? [])
    .filter((e) => opts.all || e.severity !== 'none' || (c?.runningPids.get(e.id)?.length ?? 0) > 0)
    .map((e) => reportPersistence(e, c?.runningPids.get(e.id) ?? []));
  processes.sort(byConcern);
  const id = readHostIdentity(opts.procRoot);
  return {
    version: 1,
    scannedAt: new Date(snapshot.takenAt).toISOString(),
    host: { hostname: id.hostname, kernel: id.kernel, root: snapshot.root },
    processes,
    persistence,
    warnings: [...snapshot.warnings, ...hostWarnings(snapshot), ...(opts.extraWarnings ?? [])],
    gpu: snapshot.gpu ? { present: snapshot.gpu.present, devices: snapshot.gpu.devices, nvidia: snapshot.gpu.nvidia, holders: snapshot.gpu.processes.size } : null,
  };
}

/**
 * JSON with every control character escaped. JSON.stringify already escapes C0; DEL, C1 (0x9b is an
 * 8-bit CSI) and bidi overrides are escaped here too, so the JSON is safe to cat to a terminal.
 */
export function toSafeJson(value: unknown): string {
  return escapeJsonControls(JSON.stringify(value, null, 2));
}

/** Escape DEL, C1 controls and bidi overrides inside JSON text (JSON.stringify leaves them raw). */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
