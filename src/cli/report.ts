// `minewatch report [DIR]`: the incident report of a run, from the evidence directory and audit log it
// left, written as Markdown and JSON next to the evidence (or into --out DIR), ready for a ticket.
// Reads through the safe opener; writes new files only (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) in a private
// directory.
import os from 'node:os';
import path from 'node:path';
import { describeRefusal, privateDir, writeUnique } from '../fsafe/index';
import { safeJson } from '../respond/audit';
import { sanitize } from '../text/sanitize';
import { defaultEvidenceDir } from '../respond/index';
import { buildIncidentReport } from '../report/build';
import { loadRun } from '../report/load';
import { renderMarkdown } from '../report/markdown';
import { formatHelp, intFlag, parseArgs, REPORT, UsageError } from './args';

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
}

export async function runReportCommand(argv: string[], io: { out?: (s: string) => void; now?: () => number } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const now = io.now ?? Date.now;
  const { flags, positional } = parseArgs(argv, REPORT);
  if (flags.help) { out(formatHelp(REPORT).trimEnd()); return 0; }
  if (positional.length > 1) throw new UsageError(`unexpected argument ${positional[1]}`);
  const dir = path.resolve(positional[0] ?? defaultEvidenceDir({ uid: process.getuid?.() ?? 0, env: process.env }));
  const runPid = flags.run !== undefined ? intFlag(flags, 'run', 0, 1, 2 ** 22) : undefined;

  const input = loadRun(dir);
  if (input.audit.length === 0 && input.captures.length === 0) {
    throw new UsageError(`${dir} holds no audit record and no evidence${input.problems.length ? ` (${input.problems[0]})` : ''}`);
  }
  const report = buildIncidentReport(input, { all: Boolean(flags.all), runPid, now });
  if (!report.host.hostname) report.host.hostname = os.hostname();
  const target = path.resolve((flags.out as string | undefined) ?? dir);
  const pinned = privateDir(target, { create: flags.out !== undefined });
  if ('ok' in pinned) throw new Error(`cannot write the report: ${describeRefusal(pinned)}`);
  try {
    const base = `incident-report-${stamp(now())}`;
    const md = writeUnique(pinned, base, '.md', renderMarkdown(report));
    if (!md.ok) throw new Error(`cannot write the report: ${describeRefusal(md)}`);
    const js = writeUnique(pinned, md.name.replace(/\.md$/, ''), '.json', safeJson(report, 2) + '\n');
    if (!js.ok) throw new Error(`cannot write the report: ${describeRefusal(js)}`);
    out(`incident report (${report.processes.length} processes, ${report.persistence.length} persistence entries, ${report.actions.length} actions):`);
    out(`  ${path.join(pinned.hostPath, md.name)}`);
    out(`  ${path.join(pinned.hostPath, js.name)}`);
    for (const n of report.notes) out(`  note: ${sanitize(n)}`);
  } finally {
    pinned.close();
  }
  return 0;
}
