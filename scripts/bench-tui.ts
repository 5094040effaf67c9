// The live dashboard next to btop, on the same table, in the same run: time to the first frame, CPU
// over a window, peak RSS.
//   node --import tsx scripts/bench-tui.ts [--procs N] [--seconds S] [--interval MS] [--only minewatch|binary|btop]
//                                          [--cols C] [--rows R] [--cpu-prof DIR] [--starts K] [--binary FILE]
// The single executable (--binary FILE, else $MINEWATCH_BINARY, else dist/minewatch-linux-x64 from
// `npm run package`) is measured too when it exists,
// and the first frame of `node dist/minewatch.js` and of the binary is then also taken over K
// alternating starts each (default 7), to quote medians on a noisy machine.
// It starts N idle `sleep` processes of its own (children of one shell it starts), then each program in a
// pseudo-terminal (cols x rows), waits for its first frame, lets it settle, and reads utime+stime from
// /proc/PID/stat of that program before and after the window, and VmHWM from /proc/PID/status. The
// programs are asked to quit with q; only if one does not, it is signalled by its own PID. Everything
// it started is killed by PID when it is done or interrupted. btop is optional: without it the table
// says "btop not installed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPty } from '@lydell/node-pty';
import { startIdle, type IdlePool } from './idleProcesses';
import { clockTicks } from '../src/procfs/host';
import { attempt, listPids, PROC_ROOT, readIo, readStat, readStatus } from '../src/procfs/pid';

const req = createRequire(import.meta.url);
const pty = req('@lydell/node-pty') as typeof import('@lydell/node-pty');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const N = Number(arg('procs', '2000'));
const SECONDS = Number(arg('seconds', '60'));
const INTERVAL = Number(arg('interval', '1000'));
const COLS = Number(arg('cols', '120'));
const ROWS = Number(arg('rows', '40'));
const ONLY = arg('only', '');
const CPU_PROF = arg('cpu-prof', '');
const STARTS = Number(arg('starts', '7'));
const SETTLE_MS = 3000;
const BSU = '\x1b[?2026h';

const CLK_TCK = clockTicks();

/** utime and stime of a process (all its threads), in clock ticks. */
function cpuTicks(pid: number): { user: number; system: number } | null {
  const st = attempt(() => readStat(PROC_ROOT, pid));
  return st ? { user: st.utime, system: st.stime } : null;
}

function statusKb(pid: number, key: string): number | null {
  const m = /^(\d+) kB$/.exec(attempt(() => readStatus(PROC_ROOT, pid))?.fields.get(key) ?? '');
  return m ? Number(m[1]) : null;
}

/** read(2)-family syscalls and bytes read so far (/proc/PID/io), or null when not allowed. */
function ioCounters(pid: number): { syscr: number; rchar: number } | null {
  const io = attempt(() => readIo(PROC_ROOT, pid));
  return io ? { syscr: io.get('syscr') ?? NaN, rchar: io.get('rchar') ?? NaN } : null;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Everything this script started, by PID, so that cleanup signals nothing else.
let idle: IdlePool | null = null;
let running: IPty | null = null;
let runningExited = false;
const tempDirs: string[] = [];
function cleanup() {
  if (running && !runningExited) try { process.kill(running.pid, 'SIGKILL'); } catch { /* gone */ }
  running = null;
  idle?.stop();
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
process.on('SIGINT', () => { cleanup(); process.exit(130); });
process.on('SIGTERM', () => { cleanup(); process.exit(143); });
process.on('exit', cleanup);

interface Result {
  name: string;
  firstFrameMs: number | null;
  cpuPercent: number | null;
  cpuMsPerSecond: number | null;
  userMsPerSecond: number | null;
  systemMsPerSecond: number | null;
  startupCpuMs: number | null;
  hwmMb: number | null;
  rssMb: number | null;
  outKbPerSecond: number | null;
  readsPerSecond: number | null;
  framesPerSecond: number | null;
  note: string;
}

function installed(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function measure(name: string, cmd: string, args: string[], env: Record<string, string>, marker: string): Promise<Result> {
  const res: Result = { name, firstFrameMs: null, cpuPercent: null, cpuMsPerSecond: null, userMsPerSecond: null, systemMsPerSecond: null, startupCpuMs: null, hwmMb: null, rssMb: null, outKbPerSecond: null, readsPerSecond: null, framesPerSecond: null, note: '' };
  process.stdout.write(`${name}: starting in a ${COLS}x${ROWS} pty... `);
  const t0 = performance.now();
  const child = pty.spawn(cmd, args, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: process.cwd(), env });
  running = child;
  runningExited = false;
  let exitedResolve: () => void = () => {};
  const exited = new Promise<void>((r) => { exitedResolve = r; });
  child.onExit(() => { runningExited = true; exitedResolve(); });
  let bytes = 0;
  // Frames: both programs wrap each screen update in a synchronized-output block (DEC mode 2026).
  let frames = 0;
  let seen = '';
  let firstFrame: number | null = null;
  let frameResolve: () => void = () => {};
  const framed = new Promise<void>((r) => { frameResolve = r; });
  child.onData((d) => {
    bytes += Buffer.byteLength(d);
    for (let i = d.indexOf(BSU); i >= 0; i = d.indexOf(BSU, i + 1)) frames++;
    if (firstFrame === null) {
      seen = (seen + d).slice(-64 * 1024);
      if (seen.includes(marker)) { firstFrame = performance.now() - t0; frameResolve(); }
    }
  });
  await Promise.race([framed, exited, sleep(20_000)]);
  if (firstFrame === null) {
    res.note = runningExited ? 'exited before its first frame' : 'no first frame within 20 s';
    console.log(res.note);
    if (!runningExited) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    await Promise.race([exited, sleep(2000)]);
    running = null;
    return res;
  }
  res.firstFrameMs = firstFrame;
  process.stdout.write(`first frame after ${(firstFrame as number).toFixed(0)} ms; settling ${SETTLE_MS / 1000} s, then measuring ${SECONDS} s... `);
  await sleep(SETTLE_MS);
  const c0 = cpuTicks(child.pid);
  const io0 = ioCounters(child.pid);
  const b0 = bytes;
  const fr0 = frames;
  const w0 = performance.now();
  res.startupCpuMs = c0 === null ? null : ((c0.user + c0.system) / CLK_TCK) * 1000;
  await Promise.race([sleep(SECONDS * 1000), exited]);
  const c1 = cpuTicks(child.pid);
  const io1 = ioCounters(child.pid);
  const w1 = performance.now();
  res.hwmMb = (statusKb(child.pid, 'VmHWM') ?? NaN) / 1024;
  res.rssMb = (statusKb(child.pid, 'VmRSS') ?? NaN) / 1024;
  if (c0 !== null && c1 !== null && !runningExited) {
    const secs = (w1 - w0) / 1000;
    res.userMsPerSecond = ((c1.user - c0.user) / CLK_TCK) * 1000 / secs;
    res.systemMsPerSecond = ((c1.system - c0.system) / CLK_TCK) * 1000 / secs;
    res.cpuMsPerSecond = res.userMsPerSecond + res.systemMsPerSecond;
    res.cpuPercent = res.cpuMsPerSecond / 10;
    res.outKbPerSecond = (bytes - b0) / 1024 / ((w1 - w0) / 1000);
    res.framesPerSecond = (frames - fr0) / secs;
    if (io0 && io1) res.readsPerSecond = (io1.syscr - io0.syscr) / ((w1 - w0) / 1000);
  } else {
    res.note = 'exited during the window';
  }
  console.log('done');
  // Ask it to quit like a user would; signal it (by its own PID) only if it does not.
  if (!runningExited) {
    child.write('q');
    await Promise.race([exited, sleep(3000)]);
    if (!runningExited) {
      try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
      await Promise.race([exited, sleep(2000)]);
      if (!runningExited) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
      await Promise.race([exited, sleep(2000)]);
      res.note ||= 'did not quit on q';
    }
  }
  running = null;
  return res;
}

/** Start, wait for the first frame, quit with q (signal by PID only if it does not): ms to the first frame. */
async function firstFrameOnly(cmd: string, args: string[], env: Record<string, string>, marker: string): Promise<number | null> {
  const t0 = performance.now();
  const child = pty.spawn(cmd, args, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: process.cwd(), env });
  running = child;
  runningExited = false;
  let exitedResolve: () => void = () => {};
  const exited = new Promise<void>((r) => { exitedResolve = r; });
  child.onExit(() => { runningExited = true; exitedResolve(); });
  let seen = '';
  let first: number | null = null;
  let frameResolve: () => void = () => {};
  const framed = new Promise<void>((r) => { frameResolve = r; });
  child.onData((d) => {
    if (first !== null) return;
    seen = (seen + d).slice(-64 * 1024);
    if (seen.includes(marker)) { first = performance.now() - t0; frameResolve(); }
  });
  await Promise.race([framed, exited, sleep(20_000)]);
  if (!runningExited) {
    child.write('q');
    await Promise.race([exited, sleep(3000)]);
    if (!runningExited) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    await Promise.race([exited, sleep(2000)]);
  }
  running = null;
  return first;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return env;
}

idle = await startIdle(N, 3600);
const tableSize = listPids(PROC_ROOT).length;
const load0 = loadavg();

const results: Result[] = [];
const distDir = join(import.meta.dirname ?? process.cwd(), import.meta.dirname?.endsWith('dist') ? '.' : '../dist');
const bundle = join(distDir, 'minewatch.js');
const binary = arg('binary', process.env.MINEWATCH_BINARY || join(distDir, 'minewatch-linux-x64'));
const hasBinary = existsSync(binary);
if (!ONLY || ONLY === 'minewatch') {
  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  results.push(await measure('minewatch', process.execPath, [...nodeArgs, bundle, '--interval', String(INTERVAL)], baseEnv(), 'minewatch ·'));
}
if ((!ONLY || ONLY === 'binary') && hasBinary) {
  results.push(await measure('minewatch-linux-x64', binary, ['--interval', String(INTERVAL)], baseEnv(), 'minewatch ·'));
} else if (ONLY === 'binary') {
  console.log(`${binary} is missing: run npm run package`);
}
// First frame only, alternating the two forms so that load changes hit both alike.
const starts: { script: number[]; binary: number[] } = { script: [], binary: [] };
if ((!ONLY || ONLY === 'minewatch' || ONLY === 'binary') && hasBinary && STARTS > 0) {
  process.stdout.write(`first frame over ${STARTS} alternating starts of node dist/minewatch.js and the binary... `);
  for (let i = 0; i < STARTS; i++) {
    const a = await firstFrameOnly(process.execPath, [bundle, '--interval', String(INTERVAL)], baseEnv(), 'minewatch ·');
    if (a !== null) starts.script.push(a);
    const b = await firstFrameOnly(binary, ['--interval', String(INTERVAL)], baseEnv(), 'minewatch ·');
    if (b !== null) starts.binary.push(b);
  }
  console.log('done');
}
if (!ONLY || ONLY === 'btop') {
  if (installed('btop')) {
    // btop takes its interval from its config file: a throw-away one, so the user's own is never touched.
    const home = mkdtempSync(join(tmpdir(), 'mw-bench-btop-'));
    tempDirs.push(home);
    mkdirSync(join(home, 'btop'), { recursive: true });
    writeFileSync(join(home, 'btop', 'btop.conf'), `update_ms = ${INTERVAL}\n`);
    results.push(await measure('btop', 'btop', ['--utf-force'], { ...baseEnv(), HOME: home, XDG_CONFIG_HOME: home }, 'proc'));
  } else {
    console.log('btop not installed: measuring minewatch alone');
    results.push({ name: 'btop', firstFrameMs: null, cpuPercent: null, cpuMsPerSecond: null, userMsPerSecond: null, systemMsPerSecond: null, startupCpuMs: null, hwmMb: null, rssMb: null, outKbPerSecond: null, readsPerSecond: null, framesPerSecond: null, note: 'btop not installed' });
  }
}
const load1 = loadavg();

const f = (n: number | null, d = 1) => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(d));
console.log(`\n${tableSize} processes in the table, ${COLS}x${ROWS}, interval ${INTERVAL} ms, CPU over ${SECONDS} s after a ${SETTLE_MS / 1000} s settle`);
console.log(`load average (1 min) ${load0[0].toFixed(2)} before, ${load1[0].toFixed(2)} after, on ${availableParallelism()} CPUs`);
const head = ['program', 'first frame ms', 'CPU % of a core', 'CPU ms/s', 'user', 'system', 'start-up CPU ms', 'peak RSS MB', 'RSS MB', 'output KB/s', 'frames/s', 'reads/s', 'note'];
const rows = results.map((r) => [r.name, f(r.firstFrameMs, 0), f(r.cpuPercent, 2), f(r.cpuMsPerSecond, 1), f(r.userMsPerSecond, 1), f(r.systemMsPerSecond, 1), f(r.startupCpuMs, 0), f(r.hwmMb, 1), f(r.rssMb, 1), f(r.outKbPerSecond, 1), f(r.framesPerSecond, 2), f(r.readsPerSecond, 0), r.note]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());

if (starts.script.length || starts.binary.length) {
  const range = (xs: number[]) => (xs.length ? `${f(Math.min(...xs), 0)}-${f(Math.max(...xs), 0)}` : '-');
  console.log(`\nfirst frame, median of ${STARTS} alternating starts (range):`);
  console.log(`  node dist/minewatch.js (Node ${process.version})      ${f(median(starts.script), 0)} ms (${range(starts.script)})`);
  console.log(`  ${binary} (single executable)  ${f(median(starts.binary), 0)} ms (${range(starts.binary)})`);
}

const mw = results.find((r) => r.name === 'minewatch');
const bt = results.find((r) => r.name === 'btop');
if (mw && mw.firstFrameMs !== null) {
  const checks = [
    `first frame < 400 ms: ${mw.firstFrameMs < 400 ? 'MET' : 'NOT MET'} (${f(mw.firstFrameMs, 0)} ms)`,
    `peak RSS < 150 MB: ${mw.hwmMb !== null && mw.hwmMb < 150 ? 'MET' : 'NOT MET'} (${f(mw.hwmMb)} MB)`,
    bt?.cpuPercent != null && mw.cpuPercent !== null
      ? `CPU below btop's: ${mw.cpuPercent < bt.cpuPercent ? 'MET' : 'NOT MET'} (${f(mw.cpuPercent, 2)} % vs ${f(bt.cpuPercent, 2)} %)`
      : 'CPU below btop\'s: not compared (btop not measured)',
  ];
  console.log('\n' + checks.join('\n'));
}
cleanup();
