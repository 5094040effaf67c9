// `minewatch scan`: detection without a UI, for scripts, cron and fleets.
// Exit codes: 0 nothing at or above --fail-on, 1 something found, 2 usage or runtime error.
import type { Severity } from '../model';
import { SEVERITIES, severityRank } from '../model';
import { formatScanText } from '../scan/format';
import { lookAtHost, type HostLook } from '../scan/context';
import { buildReport, toSafeJson, type ScanReport } from '../scan/report';
import { ecsEvents, ecsLine } from '../export/ecs';
import { readMachineId } from '../export/hostId';
import { appendLines, writeAtomic } from '../export/output';
import { prometheusText } from '../export/prometheus';
import { ExeHasher, type ExeHash } from '../procfs/exeHash';
import { VERSION } from '../version';
import { deepReportJson, formatDeep, runDeepScan, type DeepReport } from '../deep/index';
import { sanitize } from '../text/sanitize';
import { formatHelp, intFlag, parseArgs, SCAN, UsageError } from './args';

export const SCAN_FORMATS = ['text', 'json', 'ecs', 'prometheus'] as const;
export type ScanFormat = typeof SCAN_FORMATS[number];

/** The name node_exporter's textfile collector reads in --textfile-dir. */
export const TEXTFILE_NAME = 'minewatch.prom';

/** Hash the executables of flagged processes (only those: a scan must stay cheap on a big host). */
function hashFlagged(look: HostLook, report: ScanReport, procRoot: string): Map<number, ExeHash> {
  const hasher = new ExeHasher(procRoot);
  const out = new Map<number, ExeHash>();
  for (const p of report.processes) {
    if (p.severity === 'none' || p.kernelThread) continue;
    const info = look.snapshot.processes.get(p.pid);
    if (info) out.set(p.pid, hasher.hash(p.pid, info.startTicks));
  }
  return out;
}

export async function runScanCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { flags, positional } = parseArgs(argv, SCAN);
  if (flags.help) { out.write(formatHelp(SCAN)); return 0; }
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  const failOn = (flags['fail-on'] ?? 'high') as Severity;
  if (!SEVERITIES.includes(failOn) || failOn === 'none') {
    throw new UsageError('--fail-on must be one of low, medium, high, critical');
  }
  const format = (flags.format ?? (flags.json ? 'json' : 'text')) as ScanFormat;
  if (!SCAN_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${SCAN_FORMATS.join(', ')}`);
  if (flags.json && format !== 'json') throw new UsageError('--json and --format ' + format + ' contradict each other');
  const output = flags.output as string | undefined;
  const textfileDir = flags['textfile-dir'] as string | undefined;
  if (output === '') throw new UsageError('--output needs a file name');
  if (textfileDir === '') throw new UsageError('--textfile-dir needs a directory');
  const sampleMs = intFlag(flags, 'sample', 1000, 0, 60_000);
  const procRoot = (flags.proc as string) ?? '/proc';
  const root = (flags.root as string) ?? '/';
  const deepBudgetS = intFlag(flags, 'deep-budget', 120, 1, 3600);
  const threads = flags.threads === undefined ? undefined : intFlag(flags, 'threads', 0, 0, 16);

  const started = performance.now();
  let look: HostLook;
  let report: ScanReport;
  let deep: DeepReport | null;
  try {
    look = await lookAtHost({ procRoot, root, sampleMs, gpu: !flags['no-gpu'], threads });
    deep = flags.deep ? await runDeepScan({ procRoot, root, budgetMs: deepBudgetS * 1000 }) : null;
    report = buildReport(look, { procRoot, all: Boolean(flags.all), correlation: look.correlation, extraWarnings: look.persistence.warnings, container: flags.container as string | undefined });
  } catch (err) {
    // node_exporter must learn that the scan failed, not keep serving the last good figures.
    if (textfileDir) {
      writeAtomic(textfileDir, TEXTFILE_NAME, prometheusText({
        report: null, unreadableExecutables: 0, durationSeconds: (performance.now() - started) / 1000, finishedAt: Date.now(), version: VERSION,
      }));
    }
    throw err;
  }
  const hashes = format === 'ecs' ? hashFlagged(look, report, procRoot) : new Map<number, ExeHash>();
  const metrics = () => prometheusText({
    report, deep: deep?.findings, unreadableExecutables: look.snapshot.unreadableExe, durationSeconds: (performance.now() - started) / 1000,
    finishedAt: Date.now(), version: VERSION,
  });

  let lines: string[];
  switch (format) {
    case 'json': lines = [toSafeJson(deep ? { ...report, deep: deepReportJson(deep) } : report) + '\n']; break;
    case 'prometheus': lines = [metrics()]; break;
    case 'ecs': lines = ecsEvents({
      report, processes: look.snapshot.processes, connections: look.snapshot.connections, hostId: readMachineId(root),
      deep: deep?.findings, hashes, version: VERSION, now: new Date(),
    }).map(ecsLine); break;
    default:
      lines = [formatScanText(report, { width: (out as NodeJS.WriteStream).columns ?? 160, total: look.snapshot.processes.size })];
      if (deep) lines.push('\n' + formatDeep(deep).map(sanitize).join('\n') + '\n');
  }
  if (output) appendLines(output, lines);
  else for (const l of lines) out.write(l);
  if (textfileDir) writeAtomic(textfileDir, TEXTFILE_NAME, metrics());

  const worst = [...report.processes, ...report.persistence, ...(deep?.findings ?? [])].reduce((m, x) => Math.max(m, severityRank(x.severity)), 0);
  return worst >= severityRank(failOn) ? 1 : 0;
}
