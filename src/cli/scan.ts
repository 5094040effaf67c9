// `minewatch scan`: detection without a UI, for scripts, cron and fleets.
// Exit codes: 0 nothing at or above --fail-on, 1 something found, 2 usage or runtime error.
import type { Severity } from '../model';
import { SEVERITIES, severityRank } from '../model';
import { formatScanText } from '../scan/format';
import { lookAtHost } from '../scan/context';
import { buildReport, toSafeJson } from '../scan/report';
import { deepReportJson, formatDeep, runDeepScan } from '../deep/index';
import { sanitize } from '../text/sanitize';
import { intFlag, parseArgs, UsageError } from './args';

export const SCAN_HELP = `Usage: minewatch scan [options]

Samples the process table twice, runs every detection rule, reads every persistence
location (crontabs, systemd units, rc scripts, shell start-up files, SSH keys,
ld.so.preload) and prints the flagged processes and entries, worst first, each with
its reasons, linked both ways ("started by: crontab of abc, line 3").

Options:
  --json             print the JSON report (version 1) instead of the table
  --all              include processes and persistence entries that were not flagged
  --fail-on LEVEL    exit 1 when something is at or above LEVEL: low, medium, high (default), critical
  --sample MS        time between the two samples, for CPU % (default 1000; 0 = one sample, no CPU %)
  --deep             also look for what hides: PIDs missing from the /proc listing
                     (probes every PID up to pid_max), CPU time no visible process
                     accounts for, kernel taint and modules no package ships
  --deep-budget S    stop probing PIDs after S seconds (default 120; the report says how far it got)
  --container NAME   only processes in that container: a runtime (docker, podman, k8s,
                     lxc, nspawn...), any part of its id or name, or "host" for none
  --no-gpu           do not look for GPU use (no fd scan, no nvidia-smi)
  --proc DIR         proc file system to read (default /proc)
  --root DIR         file system root for /etc/passwd, crontabs... (default /)
  -h, --help         this help

Exit status: 0 nothing at or above --fail-on, 1 something found, 2 usage or runtime error.
`;

export async function runScanCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { flags, positional } = parseArgs(argv, {
    json: 'boolean', all: 'boolean', deep: 'boolean', 'deep-budget': 'string', container: 'string', 'no-gpu': 'boolean', 'fail-on': 'string', sample: 'string', proc: 'string', root: 'string', help: 'boolean', h: 'boolean',
  });
  if (flags.help || flags.h) { out.write(SCAN_HELP); return 0; }
  if (positional.length > 0) throw new UsageError(`unexpected argument ${positional[0]}`);
  const failOn = (flags['fail-on'] ?? 'high') as Severity;
  if (!SEVERITIES.includes(failOn) || failOn === 'none') {
    throw new UsageError('--fail-on must be one of low, medium, high, critical');
  }
  const sampleMs = intFlag(flags, 'sample', 1000, 0, 60_000);
  const procRoot = (flags.proc as string) ?? '/proc';
  const root = (flags.root as string) ?? '/';
  const deepBudgetS = intFlag(flags, 'deep-budget', 120, 1, 3600);
  const look = await lookAtHost({ procRoot, root, sampleMs, gpu: !flags['no-gpu'] });
  const deep = flags.deep ? await runDeepScan({ procRoot, root, budgetMs: deepBudgetS * 1000 }) : null;
  const report = buildReport(look, { procRoot, all: Boolean(flags.all), correlation: look.correlation, extraWarnings: look.persistence.warnings, container: flags.container as string | undefined });
  const full = deep ? { ...report, deep: deepReportJson(deep) } : report;
  if (flags.json) out.write(toSafeJson(full) + '\n');
  else {
    out.write(formatScanText(report, { width: (out as NodeJS.WriteStream).columns ?? 160, total: look.snapshot.processes.size }));
    if (deep) out.write('\n' + formatDeep(deep).map(sanitize).join('\n') + '\n');
  }
  const worst = [...report.processes, ...report.persistence, ...(deep?.findings ?? [])].reduce((m, x) => Math.max(m, severityRank(x.severity)), 0);
  return worst >= severityRank(failOn) ? 1 : 0;
}
