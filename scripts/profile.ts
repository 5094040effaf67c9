// npm run profile: where the dashboard's time goes. Runs the built dashboard (dist/minewatch.js) under
// V8's CPU profiler in a pseudo-terminal, over a pool of idle processes of its own, for a fixed time,
// quits it with q, and prints self time by module and by function, for the start-up (launch to the
// first frame with a process table) and the steady state (after a settle, until q).
//   node dist/profile.js [--procs 2000] [--seconds 60] [--interval 1000] [--cols 120] [--rows 40]
//                        [--settle S] [--busy] [--keep FILE.cpuprofile] [--top 25] [--analyze FILE.cpuprofile [--first-frame MS]]
// --busy adds one CPU burner per core (a pegged host). Everything it starts (idle pool, burners, the
// dashboard) is signalled by its own PID only, and stopped when done or interrupted.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IPty } from '@lydell/node-pty';
import { startIdle, type IdlePool } from './idleProcesses';
import { startBurners, type Burners } from './burners';
import { breakdown, formatBreakdown, type CpuProfile } from './profileReport';
import { RUNTIME_FLAGS } from './runtime-flags.mjs';

const req = createRequire(import.meta.url);

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const N = Number(arg('procs', '2000'));
const SECONDS = Number(arg('seconds', '60'));
const INTERVAL = Number(arg('interval', '1000'));
const COLS = Number(arg('cols', '120'));
const ROWS = Number(arg('rows', '40'));
const TOP = Number(arg('top', '25'));
const KEEP = arg('keep', '');
const ANALYZE = arg('analyze', '');
const BUSY = process.argv.includes('--busy');
const SETTLE_MS = Number(arg('settle', '3')) * 1000;
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
  console.log(`\n== steady state: ${((endMs - from) / 1000).toFixed(0)} s after a ${SETTLE_MS / 1000} s settle ==`);
  console.log(formatBreakdown(breakdown(profile, url, map, from, endMs), windowTicks, TOP));
}

if (ANALYZE) {
  const profile = JSON.parse(readFileSync(ANALYZE, 'utf8')) as CpuProfile;
  const total = profile.timeDeltas.reduce((a, b) => a + b, 0) / 1000;
  const first = arg('first-frame', '');
  report(profile, first ? Number(first) : null, Math.round(total / INTERVAL), total);
  process.exit(0);
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
