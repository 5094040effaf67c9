// `minewatch inspect PID`: everything a responder gathered by hand about one process, already read
// and judged: identity, executable with hashes, files, sockets, environment, maps, logins, history,
// the rules it trips and the persistence that starts it.
import { inspectProcess } from '../inspect/index';
import { sharesMountNamespace } from '../procfs/pid';
import { detectionSection, inspectSections, joinSections, startedBySection } from '../inspect/format';
import { lookAtHost } from '../scan/context';
import { reportPersistence, reportProcess, toSafeJson } from '../scan/report';
import { blank, toText } from '../text/content';
import { formatHelp, INSPECT, parseArgs, UsageError } from './args';

export async function runInspectCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { flags, positional } = parseArgs(argv, INSPECT);
  if (flags.help) { out.write(formatHelp(INSPECT)); return 0; }
  if (positional.length !== 1 || !/^\d+$/.test(positional[0])) throw new UsageError('inspect needs one PID (minewatch inspect PID)');
  const pid = Number(positional[0]);
  const procRoot = (flags.proc as string) ?? '/proc';
  const root = (flags.root as string) ?? '/';
  const look = await lookAtHost({ procRoot, root, sampleMs: 0 });
  const p = look.snapshot.processes.get(pid);
  if (!p) throw new UsageError(`no process ${pid} (it may have exited)`);
  const inspect = await inspectProcess(pid, { procRoot, root });
  const startedBy = look.correlation.startedBy.get(pid) ?? [];
  const process_ = reportProcess(p, look.assessments.get(pid), startedBy);
  const entries = look.correlation.entries
    .filter((e) => startedBy.some((s) => s.entryId === e.id))
    .map((e) => reportPersistence(e, look.correlation.runningPids.get(e.id) ?? []));
  if (flags.json) {
    out.write(toSafeJson({ version: 1, inspectedAt: new Date(inspect.takenAt).toISOString(), process: process_, inspect, persistence: entries }) + '\n');
    return 0;
  }
  // the same sections, from the same formatters, as the dashboard's inspector pane
  const byId = new Map(look.correlation.entries.map((e) => [e.id, e]));
  const lines = [
    ...joinSections(inspectSections(inspect, look.packages, sharesMountNamespace(procRoot, pid))), blank(),
    ...detectionSection(look.assessments.get(pid) ?? null).lines, blank(),
    ...startedBySection(startedBy.map((x) => ({ label: x.label, via: x.via, entry: byId.get(x.entryId) ?? null }))).lines,
  ];
  out.write(toText(lines).join('\n') + '\n');
  return 0;
}
