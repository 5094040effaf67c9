// The README's cost table, from the saved runs of `npm run bench:tui -- ... --save FILE`
// (scripts/bench-results/tui-*.json): minewatch next to btop, measured in the same runs, one cell per
// run, so the figures quoted are the benchmark's own output, never typed by hand.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface RunResult {
  name: string;
  cpuPercent: number | null;
  /** Runs with --later S: CPU over the S seconds after the first window. */
  laterCpuPercent?: number | null;
  /** Runs before the private part of RSS was read have none. */
  rssAnonMb?: number | null;
  firstFrameIdleMedian: number | null;
  firstFrameBusyMedian: number | null;
  rssMbOverTime: number[];
  hwmMb: number | null;
  keyMedian: number | null;
  keyP99: number | null;
  /** Runs before keys were also timed on a pegged host have none. */
  keyBusyMedian?: number | null;
  keyBusyP99?: number | null;
  /** Runs before the first key and the start-up keys were timed have none. */
  firstKeyIdleMedian?: number | null;
  firstKeyBusyMedian?: number | null;
  startKeyMedian?: number | null;
  startKeyMax?: number | null;
  outKbPerSecond: number | null;
  startupCpuMs: number | null;
}
export interface TuiRun {
  date: string;
  host: { cpus: number; load: [number, number] };
  procs: number;
  cols: number;
  rows: number;
  intervalMs: number;
  seconds: number;
  /** --later S (0 or absent: no second window). */
  later?: number;
  launches: number;
  /** --settle S in seconds (runs before it have none: 3). */
  settle?: number;
  command: string;
  results: RunResult[];
}

/** scripts/bench-results/ of the checkout (docs and tests run from the sources). */
export function resultsDir(): string {
  return fileURLToPath(new URL('../../scripts/bench-results/', import.meta.url));
}

/** The saved runs named PREFIX*.json: tui- for the cost table, scale- for the one at 20,000 processes. */
export function loadRuns(dir = resultsDir(), prefix = 'tui-'): TuiRun[] {
  let names: string[] = [];
  try { names = readdirSync(dir).filter((n) => n.startsWith(prefix) && n.endsWith('.json')).sort(); } catch { return []; }
  return names.map((n) => JSON.parse(readFileSync(dir + n, 'utf8')) as TuiRun);
}

const num = (n: number | null | undefined, d = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));

export function costSection(runs: TuiRun[] = loadRuns()): string {
  if (!runs.length) return '_No saved run: `npm run bench:tui -- --save scripts/bench-results/tui-1.json`._';
  const programs = [...new Set(runs.flatMap((r) => r.results.map((x) => x.name)))];
  const cell = (prog: string, get: (x: RunResult) => string) =>
    runs.map((r) => { const x = r.results.find((y) => y.name === prog); return x ? get(x) : '-'; }).join(' / ');
  const later = runs.every((r) => (r.later ?? 0) > 0) ? runs[0].later! : 0;
  const rows: [string, (x: RunResult) => string][] = [
    [later ? `CPU, % of one core, first ${runs[0].seconds} s` : 'CPU, % of one core', (x) => num(x.cpuPercent, 2)],
    ...(later ? [[`CPU, % of one core, the ${later} s after`, (x: RunResult) => num(x.laterCpuPercent, 2)] as [string, (x: RunResult) => string]] : []),
    [`first frame with the process table, idle host (median of ${runs[0].launches} starts), ms`, (x) => num(x.firstFrameIdleMedian)],
    ['first frame, a CPU burner on every core (median), ms', (x) => num(x.firstFrameBusyMedian)],
    ['resident memory at the window\'s start → end (peak), MB', (x) => `${num(x.rssMbOverTime[0])} → ${num(x.rssMbOverTime.at(-1))} (${num(x.hwmMb)})`],
    ...(runs.every((r) => r.results.every((x) => x.rssAnonMb != null))
      ? [['of which private (RssAnon) at the end, MB', (x: RunResult) => num(x.rssAnonMb)] as [string, (x: RunResult) => string]]
      : []),
    ...(runs.every((r) => r.results.every((x) => x.firstKeyIdleMedian !== undefined))
      ? [['a key pressed the moment the first frame is out (help), to its answer, idle, busy (medians), ms', (x: RunResult) => `${num(x.firstKeyIdleMedian)}, ${num(x.firstKeyBusyMedian)}`],
        [`keys while it settles (Down, Up from the first frame on, ${runs[0].settle ?? 3} s), median (slowest), ms`, (x: RunResult) => `${num(x.startKeyMedian, 1)} (${num(x.startKeyMax)})`]] as [string, (x: RunResult) => string][]
      : []),
    ['key to screen, median (99th percentile), ms', (x) => `${num(x.keyMedian, 1)} (${num(x.keyP99, 1)})`],
    ['key to screen, a CPU burner on every core, median (99th percentile), ms', (x) => `${num(x.keyBusyMedian, 1)} (${num(x.keyBusyP99, 1)})`],
    ['CPU spent before the window (start-up and settling), ms', (x) => num(x.startupCpuMs)],
    ['terminal output, KB/s', (x) => num(x.outKbPerSecond, 1)],
  ];
  const out = [
    `${runs.length} run${runs.length > 1 ? 's' : ''} (cells: ${runs.map((_, i) => `run ${i + 1}`).join(' / ')}), each with ${runs.map((r) => `${r.procs.toLocaleString('en')} processes`).join(' / ')} in the table, ${runs[0].cols}x${runs[0].rows}, a ${runs[0].intervalMs / 1000} s refresh, CPU over ${runs[0].seconds} s; ${runs[0].host.cpus} CPUs, 1-minute load ${runs.map((r) => `${r.host.load[0].toFixed(1)}→${r.host.load[1].toFixed(1)}`).join(' / ')}; ${runs.map((r) => r.date.slice(0, 16).replace('T', ' ')).join(' / ')} UTC.`,
    `Command: \`npm run bench:tui -- ${runs[0].command.replace(/--save \S+/, '--save FILE').trim()}\`.`,
    '',
    `| | ${programs.join(' | ')} |`,
    `| --- |${programs.map(() => ' --- |').join('')}`,
    ...rows.map(([label, get]) => `| ${label} | ${programs.map((p) => cell(p, get)).join(' | ')} |`),
  ];
  return out.join('\n');
}
