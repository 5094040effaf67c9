// npm run profile: where the dashboard's time goes. Runs the built dashboard (dist/minewatch.js) under
// V8's CPU profiler in a pseudo-terminal, over a pool of idle processes of its own, for a fixed time,
// quits it with q, and prints self time by module and by function, for the start-up (launch to the
// first frame with a process table) and the steady state (after a settle, until q).
//   node dist/profile.js [--procs 2000] [--seconds 60] [--interval 1000] [--cols 120] [--rows 40]
//                        [--settle S] [--split S] [--busy] [--keep FILE.cpuprofile] [--top 25]
//                        [--analyze FILE.cpuprofile [--first-frame MS]]
// --split S reports the steady state twice: its first S seconds (warm-up: JIT, the package index and
// content evidence built in the background) and the rest.
// --busy adds one CPU burner per core (a pegged host). Everything it starts (idle pool, burners, the
// dashboard) is signalled by its own PID only, and stopped when done or interrupted.
//   node dist/profile.js --scan [--procs 20000] [--runs 3] [--baseline OLD/minewatch.js] [--keep FILE.cpuprofile]
// profiles one-shot `minewatch scan` instead (as the systemd unit runs it), next to `ps` in the same run:
// wall, CPU and peak RSS of each run (--baseline alternates with another build over the same table), and
// self time by module and function of the last run, from launch to exit.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IPty } from '@lydell/node-pty';
import { startIdle, type IdlePool } from './idleProcesses';
import { startBurners, type Burners } from './burners';
import { breakdown, formatBreakdown, type CpuProfile } from './profileReport';
import { runPsOnce, runScanOnce, type ScanRun } from './scanRun';
import { listPids, PROC_ROOT } from '../src/procfs/pid';
import { RUNTIME_FLAGS } from './runtime-flags.mjs';
import { arg, flag, numArg } from './args';

const req = createRequire(import.meta.url);

const N = numArg('procs', 2000);
const SECONDS = numArg('seconds', 60);
const INTERVAL = numArg('interval', 1000);
const COLS = numArg('cols', 120);
const ROWS = numArg('rows', 40);
const TOP = numArg('top', 25);
const KEEP = arg('keep', '');
const ANALYZE = arg('analyze', '');
const BUSY = flag('busy');
const SCAN = flag('scan');
const SETTLE_MS = numArg('settle', 3) * 1000;
const SPLIT_MS = numArg('split', 0) * 1000;
/** The header's process count: drawn once a snapshot is in, i.e. with the process table. */
const FIRST_FRAME = /[1-9]\d* processes · /;

const distDir = import.meta.dirname?.endsWith('dist') ? import.meta.dirname : join(process.cwd(), 'dist');
const bundle = join(distDir, 'minewatch.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function loadMap(): SourceMap | null {
  try { return new SourceMap(JSON.parse(readFileSync(bundle + '.map', 'utf8'))); } catch { return null; }
}

function report(profile: CpuProfile, firstFrameMs: number | null, windowTicks: number, endMs: number) {
  const map = loadMap();
  if (!map) console.log('(no dist/minewatch.js.map: run npm run build; functions are not mapped to sources)');
  const url = pathToFileURL(bundle).href;
  if (firstFrameMs !== null) {
    console.log(`\n== start-up: launch to the first frame with a process table (${firstFrameMs.toFixed(0)} ms wall) ==`);
    console.log(formatBreakdown(breakdown(profile, url, map, 0, firstFrameMs), 0, TOP));
  }
  const from = (firstFrameMs ?? 0) + SETTLE_MS;
  const split = SPLIT_MS > 0 && from + SPLIT_MS < endMs ? from + SPLIT_MS : null;
  const windows: [string, number, number][] = split === null
    ? [[`steady state: ${((endMs - from) / 1000).toFixed(0)} s after a ${SETTLE_MS / 1000} s settle`, from, endMs]]
    : [[`the first ${SPLIT_MS / 1000} s after a ${SETTLE_MS / 1000} s settle`, from, split], [`the ${((endMs - split) / 1000).toFixed(0)} s after that`, split, endMs]];
  for (const [title, a, b] of windows) {
    console.log(`\n== ${title} ==`);
    console.log(formatBreakdown(breakdown(profile, url, map, a, b), Math.round(windowTicks * (b - a) / (endMs - from)), TOP));
  }
}

if (ANALYZE) {
  const profile = JSON.parse(readFileSync(ANALYZE, 'utf8')) as CpuProfile;
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1000;
  const first = arg('first-frame', '');
  report(profile, first ? Number(first) : null, Math.round(total / INTERVAL), total);
  process.exit(0);
}

if (SCAN) {
  await profileScan();
  process.exit(0);
}

async function profileScan(): Promise<void> {
  const runs = numArg('runs', 3);
  const baseline = arg('baseline', '');
  const pool = await startIdle(N, 3600);
  const dir = mkdtempSync(join(tmpdir(), 'mw-profile-scan-'));
  const stop = () => { pool.stop(); rmSync(dir, { recursive: true, force: true }); };
  process.on('SIGINT', () => { stop(); process.exit(130); });
  process.on('exit', stop);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows: Record<string, ScanRun[]> = { scan: [] };
  if (baseline) rows.baseline = [];
  const ps: number[] = [];
  let profile: CpuProfile | null = null;
  let table = 0;
  for (let i = 0; i < runs; i++) {
    table = listPids(PROC_ROOT).length;
    ps.push(runPsOnce());
    if (baseline) rows.baseline.push(runScanOnce(baseline, dir));
    const profDir = join(dir, 'prof');
    rmSync(profDir, { recursive: true, force: true });
    // the profiled run is the last one; the others are timed without the profiler
    const last = i === runs - 1;
    rows.scan.push(runScanOnce(bundle, dir, last ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []));
    if (last) {
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        if (KEEP) copyFileSync(join(profDir, file), KEEP);
        profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
      }
    }
  }
  const f0 = (n: number) => n.toFixed(0);
  console.log(`\n${table} processes, ${runs} runs each, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} after`);
  console.log(`ps -eo pid,ppid,user,pcpu,args: wall ${ps.map(f0).join(', ')} ms (median ${f0(median(ps))})`);
  for (const [name, rs] of Object.entries(rows)) {
    console.log(`${name === 'scan' ? bundle : baseline} scan --format ecs --textfile-dir DIR: wall ${rs.map((r) => f0(r.wallMs)).join(', ')} ms (median ${f0(median(rs.map((r) => r.wallMs)))}`
      + `, ${name === 'scan' ? 'the last under --cpu-prof, ' : ''}1000 of it the CPU window), cpu median ${f0(median(rs.map((r) => r.cpuMs)))} ms`
      + ` (user ${f0(median(rs.map((r) => r.userMs)))}, system ${f0(median(rs.map((r) => r.systemMs)))}), peak RSS median ${f0(median(rs.map((r) => r.rssMb)))} MB, ${rs[0]?.events ?? 0} events`);
  }
  if (!profile) { console.log('no profile written'); return; }
  const map = loadMap();
  console.log(`\n== the profiled scan, launch to exit ==`);
  console.log(formatBreakdown(breakdown(profile, pathToFileURL(bundle).href, map), 0, TOP));
}

const pty = req('@lydell/node-pty') as typeof import('@lydell/node-pty');
let idle: IdlePool | null = null;
let burners: Burners | null = null;
let child: IPty | null = null;
let exited = false;
const profDir = mkdtempSync(join(tmpdir(), 'mw-profile-'));
function cleanup() {
  if (child && !exited) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
  burners?.stop();
  idle?.stop();
  rmSync(profDir, { recursive: true, force: true });
}
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });
process.on('exit', cleanup);

idle = await startIdle(N, 3600);
if (BUSY) burners = startBurners();
const env: Record<string, string> = { TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
process.stdout.write(`profiling the dashboard ${SECONDS} s at --interval ${INTERVAL}${BUSY ? ', with a CPU burner per core' : ''}... `);
const t0 = performance.now();
child = pty.spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, ...RUNTIME_FLAGS, bundle, '--interval', String(INTERVAL)], { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: process.cwd(), env });
let onExit: () => void = () => {};
const exitP = new Promise<void>((r) => { onExit = r; });
child.onExit(() => { exited = true; onExit(); });
let seen = '';
let firstFrameMs: number | null = null;
child.onData((d) => {
  if (firstFrameMs !== null) return;
  seen = (seen + d).slice(-64 * 1024);
  if (FIRST_FRAME.test(seen)) firstFrameMs = performance.now() - t0;
});
const deadline = Date.now() + 30_000;
while (firstFrameMs === null && !exited && Date.now() < deadline) await sleep(10);
if (firstFrameMs === null) { console.log('no first frame'); process.exit(1); }
await sleep(SETTLE_MS + SECONDS * 1000);
const endMs = performance.now() - t0;
child.write('q');
await Promise.race([exitP, sleep(10_000)]);
if (!exited) { console.log('did not quit on q'); process.exit(1); }
console.log('done');
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) { console.log('no profile written'); process.exit(1); }
if (KEEP) copyFileSync(join(profDir, file), KEEP);
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
console.log(`${idle.pids.length} idle processes of its own; ${COLS}x${ROWS}`);
report(profile, firstFrameMs, Math.round((SECONDS * 1000) / INTERVAL), endMs);
// The idle pool's shell keeps the event loop alive: exit, which runs cleanup (the pool is stopped by PID).
process.exit(0);
