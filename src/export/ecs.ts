// `minewatch scan --format ecs`: one Elastic Common Schema 9.4.0 alert per (process, finding) and per
// (persistence entry, finding), because ECS `rule.id` holds one rule. Events are nested objects (ECS
// documents), written one per line (NDJSON). Everything minewatch knows that ECS has no field for sits
// under `minewatch.*`; the free-form evidence goes there as a JSON string, so an index never meets two
// types for one field.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Connection, ProcessInfo, Severity } from '../model';
import { severityRank } from '../model';
import { RULES as PROCESS_RULES } from '../detect/index';
import { DEEP_RULES, type DeepFinding } from '../deep/index';
import { RULES as PERSISTENCE_RULES } from '../persistence/rules';
import type { PersistenceKind } from '../persistence/types';
import { entryLabel } from '../scan/correlate';
import type { ReportFinding, ReportPersistence, ReportProcess, ScanReport } from '../scan/report';
import { escapeJsonControls } from '../scan/report';
import { sanitize } from '../text/sanitize';
import type { ExeHash } from '../procfs/exeHash';
import { threatOf } from './attack';

export const ECS_VERSION = '9.4.0';

/** ECS event.severity (a number that sorts) and event.risk_score (Elastic's detection-rule scale). */
export const SEVERITY_NUMBER: Record<Severity, number> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };
export const RISK_SCORE: Record<Severity, number> = { none: 0, low: 21, medium: 47, high: 73, critical: 99 };

interface RuleInfo { name: string; description: string; miner: boolean }

const RULE_INFO: ReadonlyMap<string, RuleInfo> = new Map<string, RuleInfo>([
  ...PROCESS_RULES.map((r): [string, RuleInfo] => [r.id, {
    name: r.title, description: r.describes,
    // Miner rules proper; "burning CPU" (an amplifier) is no sign of malware on its own.
    miner: !r.amplifier && r.attack.some((a) => a.startsWith('T1496')),
  }]),
  ...Object.values(DEEP_RULES).map((r): [string, RuleInfo] => [r.id, { name: r.title, description: r.describes, miner: false }]),
  ...Object.values(PERSISTENCE_RULES).map((r): [string, RuleInfo] => [r.id, {
    name: r.title, description: r.title, miner: r.attack.some((a) => a.startsWith('T1496')),
  }]),
]);

function ruleInfo(f: ReportFinding | DeepFinding): RuleInfo {
  return RULE_INFO.get(f.id) ?? { name: f.title, description: f.title, miner: false };
}

/** Configuration (schedulers, units, init scripts) or file (start-up files, keys, preload). */
const PERSISTENCE_CATEGORY: Record<PersistenceKind, 'configuration' | 'file'> = {
  'user-crontab': 'configuration', 'system-crontab': 'configuration', 'cron-script': 'configuration',
  anacrontab: 'configuration', 'at-job': 'configuration', 'systemd-unit': 'configuration',
  'systemd-timer': 'configuration', 'rc-script': 'configuration', 'shell-startup': 'file',
  'authorized-keys': 'file', 'ld-preload': 'file', 'udev-rule': 'configuration', pam: 'configuration',
  'xdg-autostart': 'configuration', 'systemd-generator': 'file', 'kernel-module': 'configuration', environment: 'configuration',
};

export interface EcsInput {
  report: ScanReport;
  /** The snapshot's processes: parents, start ticks (for stable ids). */
  processes: ReadonlyMap<number, ProcessInfo>;
  connections: ReadonlyMap<number, Connection[]>;
  /** /etc/machine-id, or null when there is none. */
  hostId: string | null;
  /** Findings of `--deep` (hidden processes, CPU gap, kernel), when it ran. */
  deep?: readonly DeepFinding[];
  /** Hashes of flagged processes' executables, by PID. */
  hashes: ReadonlyMap<number, ExeHash>;
  version: string;
  /** When the events are written (event.created). */
  now: Date;
}

export type EcsEvent = Record<string, unknown>;

function digest(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/** Drop undefined, null, empty arrays and empty objects, so every emitted key carries a value. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v === null ? undefined : v;
}

/** An explanation as the end of a sentence: hostile characters escaped, one final full stop. */
function sentence(text: string): string {
  const t = sanitize(text).trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function listOf(xs: string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

const uniq = <T>(xs: (T | null | undefined)[]): T[] => [...new Set(xs.filter((x): x is T => x !== null && x !== undefined && x !== ''))];

/** A pool connection in ECS terms: the first strong candidate the reader attributed to the process. */
function poolConnection(conns: Connection[] | undefined): { dst: string; dport: number; src: string; sport: number; type: 'ipv4' | 'ipv6' } | null {
  for (const c of conns ?? []) {
    const dst = c.remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const src = c.localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const v = isIP(dst);
    if (v === 0 || isIP(src) === 0) continue;
    return { dst, dport: c.remotePort, src, sport: c.localPort, type: v === 4 ? 'ipv4' : 'ipv6' };
  }
  return null;
}

function base(input: EcsInput, f: ReportFinding | DeepFinding, severity: Severity, score: number, dataset: string, categories: string[], idParts: (string | number)[]): EcsEvent {
  const { report } = input;
  const info = ruleInfo(f);
  const threat = threatOf(f.attack);
  const hostKey = input.hostId ?? report.host.hostname;
  return {
    '@timestamp': report.scannedAt,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'alert',
      category: categories,
      type: ['info'],
      module: 'minewatch',
      dataset,
      severity: SEVERITY_NUMBER[severity],
      risk_score: RISK_SCORE[severity],
      reason: f.explanation,
      created: input.now.toISOString(),
      id: digest(hostKey, ...idParts, f.id),
    },
    rule: {
      id: f.id,
      name: info.name,
      description: info.description,
      ruleset: 'minewatch',
      version: input.version,
    },
    threat: threat.techniqueIds.length ? {
      framework: 'MITRE ATT&CK',
      technique: {
        id: threat.techniqueIds,
        name: threat.techniqueNames,
        subtechnique: threat.subtechniqueIds.length ? { id: threat.subtechniqueIds, name: threat.subtechniqueNames } : undefined,
      },
    } : undefined,
    host: {
      name: report.host.hostname,
      hostname: report.host.hostname,
      id: input.hostId ?? undefined,
      os: { type: 'linux', kernel: report.host.kernel },
    },
    minewatch: {
      severity,
      score,
      finding: { severity: f.severity, evidence: JSON.stringify(f.evidence) },
    },
  };
}

function processEvent(input: EcsInput, p: ReportProcess, f: ReportFinding): EcsEvent {
  const info = input.processes.get(p.pid);
  const startTicks = info?.startTicks ?? p.startTime;
  const parent = input.processes.get(p.ppid);
  const hash = input.hashes.get(p.pid);
  const sha256 = hash?.ok ? hash.sha256 : undefined;
  const conn = poolConnection(input.connections.get(p.pid));
  const hostKey = input.hostId ?? input.report.host.hostname;
  const categories = ruleInfo(f).miner ? ['process', 'malware'] : ['process'];
  const ev = base(input, f, p.severity, p.score, 'minewatch.process', categories, [p.pid, startTicks]);
  const who = `${sanitize(p.name)} (PID ${p.pid}, user ${sanitize(p.user)})`;
  const where = p.exe ? `, running ${sanitize(p.exe)}${p.exeDeleted ? ' (deleted)' : ''}` : '';
  const startedBy = p.startedBy.length ? ` Started by ${p.startedBy.map((s) => sanitize(s.label)).join('; ')}.` : '';
  ev.message = `minewatch on ${sanitize(input.report.host.hostname)}: process ${who}${where}: ${f.title} - ${sentence(f.explanation)}`
    + ` The process is ${p.severity} (score ${p.score}, ${p.findings.length} finding${p.findings.length === 1 ? '' : 's'}: ${p.findings.map((x) => x.id).join(', ')}).${startedBy}`;
  ev.process = {
    pid: p.pid,
    name: p.name,
    executable: p.exe ?? undefined,
    command_line: p.cmdline.length ? p.cmdline.join(' ') : undefined,
    args: p.cmdline,
    args_count: p.cmdline.length,
    working_directory: p.cwd ?? undefined,
    start: p.startTime,
    entity_id: digest(hostKey, p.pid, startTicks),
    hash: sha256 ? { sha256 } : undefined,
    parent: {
      pid: p.ppid,
      name: parent?.name,
      executable: parent?.exe ?? undefined,
      entity_id: parent ? digest(hostKey, parent.pid, parent.startTicks) : undefined,
    },
    user: { id: String(p.uid), name: p.user },
  };
  ev.user = { id: String(p.uid), name: p.user };
  if (conn) {
    ev.destination = { ip: conn.dst, port: conn.dport };
    ev.source = { ip: conn.src, port: conn.sport };
    ev.network = { transport: 'tcp', type: conn.type };
  }
  ev.related = { user: uniq([p.user]), hash: uniq([sha256]), ip: uniq([conn?.dst]) };
  const mw = ev.minewatch as Record<string, unknown>;
  mw.process = {
    cpu_percent: p.cpuPercent,
    rss_bytes: p.rssBytes,
    exe_deleted: p.exeDeleted,
    kernel_thread: p.kernelThread,
    findings: p.findings.map((x) => x.id),
    hash_error: hash && !hash.ok ? hash.reason : undefined,
  };
  mw.started_by = p.startedBy.map((s) => s.label);
  return ev;
}

function persistenceEvent(input: EcsInput, e: ReportPersistence, f: ReportFinding): EcsEvent {
  const ev = base(input, f, e.severity, e.score, 'minewatch.persistence', [PERSISTENCE_CATEGORY[e.kind]], [e.id, e.raw]);
  const label = entryLabel({ ...e, findings: [], references: [] });
  const runs = e.runsAs ? ` (runs as ${sanitize(e.runsAs)})` : '';
  const starts = e.runningPids.length ? ` It starts ${e.runningPids.length === 1 ? 'PID' : 'PIDs'} ${listOf(e.runningPids.map(String))}, running now.` : '';
  const cmd = e.command ?? e.raw;
  ev.message = `minewatch on ${sanitize(input.report.host.hostname)}: ${sanitize(label)}${runs} runs \`${sanitize(cmd.length > 200 ? cmd.slice(0, 199) + '…' : cmd)}\`: ${f.title} - ${sentence(f.explanation)}`
    + ` The entry is ${e.severity} (score ${e.score}, ${e.findings.length} finding${e.findings.length === 1 ? '' : 's'}: ${e.findings.map((x) => x.id).join(', ')}).${starts}`;
  ev.file = {
    path: e.path,
    name: e.path.slice(e.path.lastIndexOf('/') + 1) || undefined,
    directory: e.path.slice(0, Math.max(1, e.path.lastIndexOf('/'))) || undefined,
    owner: e.file?.owner,
    uid: e.file ? String(e.file.uid) : undefined,
    mode: e.file ? e.file.mode.toString(8).padStart(4, '0') : undefined,
    mtime: e.file ? new Date(e.file.mtime).toISOString() : undefined,
    size: e.file?.size,
    type: 'file',
  };
  if (e.runsAs) ev.user = { name: e.runsAs };
  ev.related = { user: uniq([e.runsAs, e.file?.owner]) };
  const mw = ev.minewatch as Record<string, unknown>;
  mw.persistence = {
    kind: e.kind,
    line: e.line ?? undefined,
    schedule: e.schedule ?? undefined,
    command: e.command ?? undefined,
    raw: e.raw,
    label,
    recently_changed: e.recentlyChanged,
    running_pids: e.runningPids,
    findings: e.findings.map((x) => x.id),
  };
  return ev;
}

/** A deep-scan finding: about a hidden PID (process category) or the host and its kernel (host category). */
function deepEvent(input: EcsInput, f: DeepFinding): EcsEvent {
  const ev = base(input, f, f.severity, f.weight, 'minewatch.deep', [f.pid !== null ? 'process' : 'host'],
    ['deep', f.pid ?? '', String(f.evidence.module ?? f.evidence.exe ?? '')]);
  ev.message = `minewatch on ${sanitize(input.report.host.hostname)}: deep scan: ${f.title} - ${sentence(f.explanation)}`
    + ` This finding is ${f.severity} (weight ${f.weight}).`;
  if (f.pid !== null) {
    const exe = typeof f.evidence.exe === 'string' ? f.evidence.exe : undefined;
    const name = typeof f.evidence.name === 'string' ? f.evidence.name : undefined;
    ev.process = { pid: f.pid, executable: exe, name };
  }
  return ev;
}

/** Every alert of a report: flagged processes' findings, then flagged persistence entries' findings. */
export function ecsEvents(input: EcsInput): EcsEvent[] {
  const out: EcsEvent[] = [];
  for (const p of input.report.processes) {
    if (severityRank(p.severity) < severityRank('low')) continue;
    for (const f of p.findings) out.push(prune(processEvent(input, p, f)) as EcsEvent);
  }
  for (const e of input.report.persistence) {
    if (severityRank(e.severity) < severityRank('low')) continue;
    for (const f of e.findings) out.push(prune(persistenceEvent(input, e, f)) as EcsEvent);
  }
  for (const f of input.deep ?? []) {
    if (severityRank(f.severity) >= severityRank('low')) out.push(prune(deepEvent(input, f)) as EcsEvent);
  }
  return out;
}

/** One event as one NDJSON line (with its newline); control characters escaped as in the JSON report. */
export function ecsLine(ev: EcsEvent): string {
  return escapeJsonControls(JSON.stringify(ev)) + '\n';
}
