// `minewatch scan --format prometheus` and `--textfile-dir`: the scan as Prometheus text exposition
// (format 0.0.4) for node_exporter's textfile collector. No PID or path labels: the series are bounded
// by the severities and the rule catalogue, whatever the host runs.
import type { Severity } from '../model';
import { RULES as PROCESS_RULES } from '../detect/index';
import { DEEP_RULES, type DeepFinding } from '../deep/index';
import { RULES as PERSISTENCE_RULES } from '../persistence/rules';
import type { ScanReport } from '../scan/report';

const LEVELS: Severity[] = ['low', 'medium', 'high', 'critical'];

/** Every rule a scan can report, so each series exists (at 0) before its first hit. */
export const RULE_IDS: readonly string[] = [...PROCESS_RULES.map((r) => r.id), ...Object.values(DEEP_RULES).map((r) => r.id), ...Object.keys(PERSISTENCE_RULES)];

export interface ScanMetrics {
  /** Null when the scan failed: only the health series are written then. */
  report: ScanReport | null;
  /** Findings of `--deep`, when it ran (counted in minewatch_findings). */
  deep?: readonly DeepFinding[];
  /** Executables that could not be read (not root, or gone). */
  unreadableExecutables: number;
  durationSeconds: number;
  /** When the scan ran, milliseconds since the epoch. */
  finishedAt: number;
  version: string;
}

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
}

export function prometheusText(m: ScanMetrics): string {
  const out: string[] = [];
  const metric = (name: string, help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, v] of samples) out.push(`${name}${labels} ${num(v)}`);
  };
  const r = m.report;
  if (r) {
    metric('minewatch_flagged_processes', 'Processes flagged by the last scan, by severity.',
      LEVELS.map((s) => [`{severity="${s}"}`, r.processes.filter((p) => p.severity === s).length]));
    metric('minewatch_flagged_persistence_entries', 'Persistence entries (crontab lines, units, start-up files...) flagged by the last scan, by severity.',
      LEVELS.map((s) => [`{severity="${s}"}`, r.persistence.filter((e) => e.severity === s).length]));
    const counts = new Map<string, number>(RULE_IDS.map((id) => [id, 0]));
    for (const x of [...r.processes, ...r.persistence]) {
      if (x.severity === 'none') continue;
      for (const f of x.findings) counts.set(f.id, (counts.get(f.id) ?? 0) + 1);
    }
    for (const f of m.deep ?? []) if (f.severity !== 'none') counts.set(f.id, (counts.get(f.id) ?? 0) + 1);
    metric('minewatch_findings', 'Findings on flagged processes and persistence entries (and of --deep) in the last scan, by rule id.',
      [...counts].map(([id, n]) => [`{rule="${label(id)}"}`, n]));
    metric('minewatch_unreadable_executables', 'Processes whose executable the last scan could not read (not root, or gone).',
      [['', m.unreadableExecutables]]);
  }
  metric('minewatch_scan_duration_seconds', 'Wall-clock time the last scan took, in seconds.', [['', m.durationSeconds]]);
  metric('minewatch_last_scan_timestamp_seconds', 'When the last scan finished, in seconds since the epoch.', [['', m.finishedAt / 1000]]);
  metric('minewatch_scan_success', 'Whether the last scan completed (1) or failed (0).', [['', r ? 1 : 0]]);
  metric('minewatch_build_info', 'The minewatch version that ran the last scan (value is always 1).', [[`{version="${label(m.version)}"}`, 1]]);
  return out.join('\n') + '\n';
}
