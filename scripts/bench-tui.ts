// The live dashboard next to btop, on the same table, in the same run: time to the first frame (idle
// host, and with a CPU burner on every core), CPU over a window, RSS over time, key-to-screen latency.
//   npm run bench:tui -- [--procs N] [--seconds S] [--interval MS] [--only minewatch|btop] [--cols C]
//                        [--rows R] [--launches K] [--keys K] [--churn FORKS_PER_S] [--rss-every S]
//                        [--only minewatch|binary|btop] [--binary FILE] [--save FILE.json] [--cpu-prof DIR]
//                        [--memory] [--heap-snapshot FILE.heapsnapshot] [--heap-snapshot-at S1,S2,...]
//                        [--compare-renice] [--later S] [--settle S]
// First frames: K launches each, idle then busy, medians; in each launch the help key is pressed the
// moment the first frame is out and timed to the help screen (what start-up's work does to a key), then
// q. Keys: from the first frame on, while it settles (--settle S, 3 s), moves up and down, each given 10 s
// for its frame (start-up's work must let them through); then, after the CPU window,
// K key presses (down/up, and minewatch's s and t, btop's e) spaced 150-350 ms apart, each timed
// from the write to the end of the next synchronized-output frame, then K more with a CPU burner on every
// core. --compare-renice measures minewatch a second time with --no-renice (its priority as root). --churn starts that many short-lived
// processes of its own a second during the window. The single executable (--binary FILE, else
// $MINEWATCH_BINARY, else dist/minewatch-linux-x64 from `npm run package`) is measured the same way
// when it exists. --later S: a second CPU window of S seconds right after the first, for every program:
// a Node program compiles its hot code during its first minute (V8's optimizing compiler runs on a
// thread of its own), a native one has nothing to compile, so the first window alone overstates what a
// monitor left running costs. RSS is also read as its private part (RssAnon: the program's own heap and
// data) beside the whole (files mapped from disk, the executable's pages among them, count in RSS too).
// --save writes the results as JSON (npm run docs builds the README's cost table from it).
// --memory: at the end of the CPU window, where each program's resident memory goes (scripts/
// memoryBreakdown.ts: /proc/PID/smaps by kind; for the node-run bundle also V8's heap by space, through a
// probe it loads with --import, and with --heap-snapshot FILE a V8 heap snapshot taken at the same time).
// --heap-snapshot-at S1,S2: heap snapshots of the same run S1, S2... seconds into the window, written
// beside FILE (default ./minewatch.heapsnapshot) as FILE-S1s.heapsnapshot...; the window's end then gets
// one only when --heap-snapshot was given. Diff two with `node dist/heap-diff.js A B` (scripts/heapDiff.ts).
// It starts N idle `sleep` processes of its own (children of one shell it starts), then each program in a
// pseudo-terminal (cols x rows), waits for its first frame, lets it settle, and reads utime+stime from
// /proc/PID/stat of that program before and after the window, and VmHWM from /proc/PID/status. The
// programs are asked to quit with q; only if one does not, it is signalled by its own PID. Everything
// it started is killed by PID when it is done or interrupted. btop is optional: without it the table
// says "btop not installed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, getPriority, loadavg, setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPty } from '@lydell/node-pty';
import { spawn as spawnChild } from 'node:child_process';
import { startIdle, type IdlePool } from './idleProcesses';
import { startBurners, type Burners } from './burners';
import { RUNTIME_FLAGS } from './runtime-flags.mjs';
import { breakdownSmaps, formatBreakdown, formatCompact, formatHeapLine, HEAP_PROBE_IMPORT, parseSmaps, requestHeapFigures, type HeapFigures } from './memoryBreakdown';
import { clockTicks } from '../src/procfs/host';
import { attempt, listPids, PROC_ROOT, readExe, readIo, readSmaps, readStat, readStatus } from '../src/procfs/pid';
import { arg, flag, numArg } from './args';

const req = createRequire(import.meta.url);
// The harness itself must not be the one waiting behind the burners: as root it runs at nice -10, so a
// first frame or a key's frame is timed when the program drew it, not when the harness got the CPU back.
// What it starts (the programs, the burners) goes through nice(1) back to the value it had before.
const HARNESS_NICE = -10;
let lowered = 0;
try {
  if (process.getuid?.() === 0) {
    const before = getPriority(0);
    setPriority(0, HARNESS_NICE);
    lowered = before - getPriority(0);
  }
} catch { /* not permitted: measured at the same nice value as the programs */ }
function atStartNice(cmd: string, args: string[]): [string, string[]] {
  return lowered > 0 ? ['nice', ['-n', String(lowered), cmd, ...args]] : [cmd, args];
}

const pty = req('@lydell/node-pty') as typeof import('@lydell/node-pty');

const N = numArg('procs', 2000);
const SECONDS = numArg('seconds', 60);
const INTERVAL = numArg('interval', 1000);
const COLS = numArg('cols', 120);
const ROWS = numArg('rows', 40);
const ONLY = arg('only', '');
const CPU_PROF = arg('cpu-prof', '');
const LAUNCHES = numArg('launches', 5);
const KEYS = numArg('keys', 40);
const CHURN = numArg('churn', 0);
const COMPARE_RENICE = flag('compare-renice');
const LATER = numArg('later', 0);
const RSS_EVERY_S = numArg('rss-every', 10);
const SAVE = arg('save', '');
const HEAP_SNAPSHOT = arg('heap-snapshot', '');
const HEAP_SNAPSHOT_AT = arg('heap-snapshot-at', '').split(',').filter(Boolean).map(Number);
if (HEAP_SNAPSHOT_AT.some((t) => !(t >= 0))) throw new Error('--heap-snapshot-at takes seconds into the window, e.g. 180,900');
const MEMORY = flag('memory') || HEAP_SNAPSHOT !== '' || HEAP_SNAPSHOT_AT.length > 0;
/** Where the snapshot S seconds into the window goes: beside --heap-snapshot's file, with -Ss before the extension. */
function snapshotPathAt(seconds: number): string {
  const base = HEAP_SNAPSHOT || join(process.cwd(), 'minewatch.heapsnapshot');
  return base.replace(/(\.heapsnapshot)?$/, `-${seconds}s.heapsnapshot`);
}
const SETTLE_MS = numArg('settle', 3) * 1000;
const BSU = '\x1b[?2026h';
const ESU = '\x1b[?2026l';

const CLK_TCK = clockTicks();
const f = (n: number | null, d = 1) => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(d));

/** utime and stime of a process (all its threads), in clock ticks. */
function cpuTicks(pid: number): { user: number; system: number } | null {
  const st = attempt(() => readStat(PROC_ROOT, pid));
  return st ? { user: st.utime, system: st.stime } : null;
}

/** CPU time between two readings, user and system, in ms per second of the `secs` between them. */
function msPerSecond(a: { user: number; system: number }, b: { user: number; system: number }, secs: number): { user: number; system: number } {
  return { user: ((b.user - a.user) / CLK_TCK) * 1000 / secs, system: ((b.system - a.system) / CLK_TCK) * 1000 / secs };
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
  burners?.stop();
  if (churnTimer) clearInterval(churnTimer);
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
  /** --later: CPU % of a core over the second window (null without one). */
  laterCpuPercent: number | null;
  /** RssAnon at the end of the window: the private part of RSS (MB). */
  rssAnonMb: number | null;
  cpuMsPerSecond: number | null;
  userMsPerSecond: number | null;
  systemMsPerSecond: number | null;
  startupCpuMs: number | null;
  hwmMb: number | null;
  rssMb: number | null;
  outKbPerSecond: number | null;
  readsPerSecond: number | null;
  framesPerSecond: number | null;
  firstFrameIdle: number[];
  firstFrameBusy: number[];
  /** Each launch's first key (help, pressed the moment the first frame is out) to its answer on screen. */
  firstKeyIdle: number[];
  firstKeyBusy: number[];
  rssMbOverTime: number[];
  keyMs: number[];
  /** Keys pressed from the first frame on, while it settles (start-up's work must let them through). */
  startKeyMs: number[];
  /** The same keys again with a CPU burner on every core (a pegged host). */
  keyMsBusy: number[];
  /** --memory: where the resident memory went, every --rss-every seconds (lines of text). */
  memoryOverTime: string[];
  /** --memory: where the resident memory went at the end of the CPU window (lines of text). */
  memory: string[];
  note: string;
}

function emptyResult(name: string, note = ''): Result {
  return { name, firstFrameMs: null, cpuPercent: null, laterCpuPercent: null, rssAnonMb: null, cpuMsPerSecond: null, userMsPerSecond: null, systemMsPerSecond: null, startupCpuMs: null, hwmMb: null, rssMb: null, outKbPerSecond: null, readsPerSecond: null, framesPerSecond: null, firstFrameIdle: [], firstFrameBusy: [], firstKeyIdle: [], firstKeyBusy: [], rssMbOverTime: [], keyMs: [], startKeyMs: [], keyMsBusy: [], memoryOverTime: [], memory: [], note };
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Start a program in a COLS x ROWS pty as the one running now (signalled by PID if the bench is interrupted). */
function startInPty(cmd: string, args: string[], env: Record<string, string>): { child: IPty; exited: Promise<void> } {
  const [file, argv] = atStartNice(cmd, args);
  const child = pty.spawn(file, argv, { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd: process.cwd(), env });
  running = child;
  runningExited = false;
  const exited = new Promise<void>((r) => child.onExit(() => { runningExited = true; r(); }));
  return { child, exited };
}

/**
 * A key pressed the moment the first frame is out (the help screen: every program has one, and it must
 * change the screen), and what on screen says it was answered.
 */
interface FirstKey { key: string; marker: string }

/**
 * Launch, wait for the first frame (marker), press the first key at once when given and wait for its
 * answer (start-up's work must not hold keys back), quit with q: the times to the frame and to the
 * key's answer, or null.
 */
async function launchOnce(cmd: string, args: string[], env: Record<string, string>, marker: string | RegExp, first: FirstKey | null): Promise<{ frame: number | null; key: number | null }> {
  const t0 = performance.now();
  const { child, exited } = startInPty(cmd, args, env);
  let seen = '';
  let at: number | null = null;
  let keyAt: number | null = null;
  let keyWritten = 0;
  let frameResolve: () => void = () => {};
  let keyResolve: () => void = () => {};
  const framed = new Promise<void>((r) => { frameResolve = r; });
  const answered = new Promise<void>((r) => { keyResolve = r; });
  child.onData((d) => {
    if (at !== null && (!first || keyAt !== null)) return;
    seen = (seen + d).slice(-64 * 1024);
    if (at === null) {
      if (typeof marker === 'string' ? seen.includes(marker) : marker.test(seen)) {
        at = performance.now() - t0;
        frameResolve();
        if (first) { seen = ''; keyWritten = performance.now(); child.write(first.key); }
      }
    } else if (first && seen.includes(first.marker)) {
      keyAt = performance.now() - keyWritten;
      keyResolve();
    }
  });
  await Promise.race([framed, exited, sleep(20_000)]);
  if (first && at !== null) await Promise.race([answered, exited, sleep(20_000)]);
  if (!runningExited) {
    await sleep(300);
    // q closes a help screen first in some programs, and quits in the next
    for (let i = 0; i < 2 && !runningExited; i++) {
      child.write('q');
      await Promise.race([exited, sleep(i === 0 ? 700 : 3000)]);
    }
    if (!runningExited) try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    await Promise.race([exited, sleep(2000)]);
  }
  running = null;
  return { frame: at, key: keyAt };
}

let burners: Burners | null = null;
let churnTimer: NodeJS.Timeout | null = null;

async function firstFrames(res: Result, cmd: string, args: string[], env: Record<string, string>, marker: string | RegExp, first: FirstKey | null) {
  if (LAUNCHES <= 0) return;
  const launch = async (frames: number[], keys: number[]) => {
    for (let i = 0; i < LAUNCHES; i++) {
      const t = await launchOnce(cmd, args, env, marker, first);
      if (t.frame !== null) frames.push(t.frame);
      if (t.key !== null) keys.push(t.key);
      await sleep(500);
    }
  };
  process.stdout.write(`${res.name}: ${LAUNCHES} launches idle... `);
  await launch(res.firstFrameIdle, res.firstKeyIdle);
  process.stdout.write(`and ${LAUNCHES} with a burner on each of ${availableParallelism()} cores... `);
  burners = startBurners(availableParallelism(), atStartNice);
  await sleep(1000);
  await launch(res.firstFrameBusy, res.firstKeyBusy);
  burners.stop();
  burners = null;
  await sleep(1000);
  const keys = first ? `; first key (${JSON.stringify(first.key)} at the first frame) answered after ${f(median(res.firstKeyIdle), 0)} ms idle, ${f(median(res.firstKeyBusy), 0)} ms busy (medians)` : '';
  console.log(`median ${f(median(res.firstFrameIdle), 0)} ms idle, ${f(median(res.firstFrameBusy), 0)} ms busy${keys}`);
}

function installed(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** --memory: smaps by kind, and V8's figures when the program runs the heap probe (heapFile). */
async function memoryBreakdown(pid: number, heapFile: string | null): Promise<string[]> {
  // a heap snapshot of a busy process takes a while; no probe answer: smaps only
  const heap: HeapFigures | null = heapFile ? await requestHeapFigures(pid, heapFile, HEAP_SNAPSHOT, HEAP_SNAPSHOT ? 180_000 : 10_000) : null;
  try {
    const smaps = breakdownSmaps(parseSmaps(readSmaps(PROC_ROOT, pid)), readExe(PROC_ROOT, pid).path);
    return formatBreakdown(smaps, heap);
  } catch (e) {
    return [`no breakdown: ${(e as Error).message}`];
  }
}

/** A key to time, or [an untimed key that prepares it, the key to time]. */
type Key = string | [prepare: string, key: string];

async function measure(name: string, cmd: string, args: string[], env: Record<string, string>, marker: string | RegExp, keys: Key[], first: FirstKey | null, heapFile: string | null = null): Promise<Result> {
  const res = emptyResult(name);
  await firstFrames(res, cmd, args, env, marker, first);
  process.stdout.write(`${name}: starting in a ${COLS}x${ROWS} pty... `);
  const t0 = performance.now();
  let onFrameEnd: (() => void) | null = null;
  const { child, exited } = startInPty(cmd, args, env);
  let bytes = 0;
  // what it wrote last: when it exits during the window, its last words (a crash, the watchdog) go in the note
  let lastOutput = '';
  // Frames: both programs wrap each screen update in a synchronized-output block (DEC mode 2026).
  let frames = 0;
  let frameEnds = 0;
  let seen = '';
  let firstFrame: number | null = null;
  let frameResolve: () => void = () => {};
  const framed = new Promise<void>((r) => { frameResolve = r; });
  child.onData((d) => {
    bytes += Buffer.byteLength(d);
    lastOutput = (lastOutput + d).slice(-2048);
    for (let i = d.indexOf(BSU); i >= 0; i = d.indexOf(BSU, i + 1)) frames++;
    for (let i = d.indexOf(ESU); i >= 0; i = d.indexOf(ESU, i + 1)) { frameEnds++; onFrameEnd?.(); }
    if (firstFrame === null) {
      seen = (seen + d).slice(-64 * 1024);
      if (typeof marker === 'string' ? seen.includes(marker) : marker.test(seen)) { firstFrame = performance.now() - t0; frameResolve(); }
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
  // Key to screen: each key is timed from its write to the end of the next frame; during start-up (the
  // settle), then after the CPU window on a quiet host, then with a CPU burner on every core.
  // Write a key and resolve with the time to the end of the next frame, or null when no frame comes
  // within `wait` ms (the key did not change the screen; only this key's waiter is dropped).
  const frameAfter = (key: string, wait = 1000) => new Promise<number | null>((r) => {
    const t = performance.now();
    const mine = () => { onFrameEnd = null; clearTimeout(timer); r(performance.now() - t); };
    const timer = setTimeout(() => { if (onFrameEnd === mine) onFrameEnd = null; r(null); }, wait);
    onFrameEnd = mine;
    child.write(key);
  });
  // `count` keys, or as many as fit in `forMs`; a key waits `wait` ms at most for its frame
  const pressKeys = async (into: number[], count: number, forMs = Infinity, wait = 1000, list = keys) => {
    const until = performance.now() + forMs;
    for (let i = 0; i < count && !runningExited && performance.now() < until; i++) {
      const entry = list[i % list.length];
      const key = typeof entry === 'string' ? entry : entry[1];
      if (typeof entry !== 'string') {
        await frameAfter(entry[0], wait); // its frame is out (or it drew none) before the timed key
        await sleep(50);
        if (runningExited) break;
      }
      const ms = await frameAfter(key, wait);
      if (ms !== null) into.push(ms);
      await sleep(150 + Math.random() * 200);
    }
    console.log(`median ${f(median(into), 1)} ms, p99 ${f(percentile(into, 99), 1)} ms, max ${f(into.length ? Math.max(...into) : null, 1)} ms (${into.length} answered)`);
  };
  process.stdout.write(`first frame after ${(firstFrame as number).toFixed(0)} ms; keys while it settles ${SETTLE_MS / 1000} s (start-up's work must let them through)... `);
  const settled = performance.now() + SETTLE_MS;
  // Down and Up, each timed (a prepared key that draws nothing would sit out a stall untimed); moves
  // only, so the CPU window that follows measures the same view as without them
  if (KEYS > 0) await pressKeys(res.startKeyMs, Infinity, SETTLE_MS, 10_000, ['\x1b[B', '\x1b[A']);
  await sleep(settled - performance.now());
  process.stdout.write(`${name}: measuring ${SECONDS} s... `);
  const c0 = cpuTicks(child.pid);
  const io0 = ioCounters(child.pid);
  const b0 = bytes;
  const fr0 = frames;
  const w0 = performance.now();
  res.startupCpuMs = c0 === null ? null : ((c0.user + c0.system) / CLK_TCK) * 1000;
  if (CHURN > 0) {
    // short-lived processes of our own (each exits by itself at once): the table churns as on a busy host
    churnTimer = setInterval(() => { try { spawnChild('true', [], { stdio: 'ignore' }).on('error', () => {}); } catch { /* fork failed */ } }, 1000 / CHURN);
  }
  // the heap probe answers one question at a time (snapshots and the breakdown over time share its file)
  let probe: Promise<unknown> = Promise.resolve();
  const ask = (snapshot: string, waitMs: number) => {
    const answer = probe.then(() => requestHeapFigures(child.pid, heapFile!, snapshot, waitMs));
    probe = answer;
    return answer;
  };
  const rssTimer = setInterval(() => {
    const kb = statusKb(child.pid, 'VmRSS');
    if (kb !== null) res.rssMbOverTime.push(kb / 1024);
    // --memory: where it goes, every RSS_EVERY_S (smaps read from here; V8's figures from the probe, no snapshot)
    if (MEMORY && !runningExited) {
      const at = Math.round((performance.now() - w0) / 1000);
      const smaps = attempt(() => breakdownSmaps(parseSmaps(readSmaps(PROC_ROOT, child.pid)), readExe(PROC_ROOT, child.pid).path));
      const heap = heapFile ? ask('', 5000) : Promise.resolve(null);
      void heap.then((h) => { if (smaps) res.memoryOverTime.push(`${String(at).padStart(5)} s  ${formatCompact(smaps, h)}`); });
    }
  }, RSS_EVERY_S * 1000);
  const kb0 = statusKb(child.pid, 'VmRSS');
  if (kb0 !== null) res.rssMbOverTime.push(kb0 / 1024);
  // --heap-snapshot-at: snapshots during the window (the window's clock keeps running while one is taken)
  const snapshots = (async () => {
    if (!heapFile) return;
    for (const at of [...HEAP_SNAPSHOT_AT].sort((a, b) => a - b)) {
      if (at > SECONDS) break;
      await Promise.race([sleep(w0 + at * 1000 - performance.now()), exited]);
      if (runningExited) return;
      const file = snapshotPathAt(at);
      const h = await ask(file, 180_000);
      const line = `${name} at ${at} s: ${h ? `${formatHeapLine(h)}; snapshot ${file}` : 'no answer from the heap probe'}`;
      res.memory.push(line);
      process.stdout.write(`\n${line}\n`);
    }
  })();
  await Promise.race([sleep(SECONDS * 1000), exited]);
  await snapshots;
  clearInterval(rssTimer);
  await probe;
  if (churnTimer) { clearInterval(churnTimer); churnTimer = null; }
  const c1 = cpuTicks(child.pid);
  const io1 = ioCounters(child.pid);
  const w1 = performance.now();
  res.hwmMb = (statusKb(child.pid, 'VmHWM') ?? NaN) / 1024;
  res.rssMb = (statusKb(child.pid, 'VmRSS') ?? NaN) / 1024;
  res.rssAnonMb = (statusKb(child.pid, 'RssAnon') ?? NaN) / 1024;
  if (c0 !== null && c1 !== null && !runningExited) {
    const secs = (w1 - w0) / 1000;
    const ms = msPerSecond(c0, c1, secs);
    res.userMsPerSecond = ms.user;
    res.systemMsPerSecond = ms.system;
    res.cpuMsPerSecond = res.userMsPerSecond + res.systemMsPerSecond;
    res.cpuPercent = res.cpuMsPerSecond / 10;
    res.outKbPerSecond = (bytes - b0) / 1024 / ((w1 - w0) / 1000);
    res.framesPerSecond = (frames - fr0) / secs;
    if (io0 && io1) res.readsPerSecond = (io1.syscr - io0.syscr) / ((w1 - w0) / 1000);
  } else {
    const last = lastOutput.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>78]/g, '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean).at(-1);
    res.note = `exited during the window${last ? `: ${last.slice(0, 200)}` : ''}`;
  }
  console.log('done');
  if (LATER > 0 && !runningExited && res.cpuPercent !== null) {
    process.stdout.write(`${name}: the next ${LATER} s... `);
    const l0 = cpuTicks(child.pid);
    const t = performance.now();
    await Promise.race([sleep(LATER * 1000), exited]);
    const l1 = cpuTicks(child.pid);
    if (l0 && l1 && !runningExited) {
      const ms = msPerSecond(l0, l1, (performance.now() - t) / 1000);
      res.laterCpuPercent = (ms.user + ms.system) / 10;
      console.log(`${f(res.laterCpuPercent, 2)} % of a core`);
    } else console.log('exited');
  }
  if (MEMORY && !runningExited) res.memory.push(...await memoryBreakdown(child.pid, heapFile));
  if (!runningExited && KEYS > 0) {
    process.stdout.write(`${name}: ${KEYS} keys... `);
    await pressKeys(res.keyMs, KEYS);
    process.stdout.write(`${name}: ${KEYS} keys with a burner on each of ${availableParallelism()} cores... `);
    burners = startBurners(availableParallelism(), atStartNice);
    await sleep(1000);
    await pressKeys(res.keyMsBusy, KEYS);
    burners.stop();
    burners = null;
  }
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
  void frameEnds;
  return res;
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
// the first frame with the process table: the header's count is drawn with it
const MW_FRAME = /[1-9]\d* processes · /;
// Each timed key must change the screen: one that does not (Down on the last row) draws no frame, and the
// next tick's frame, up to a second later, would be timed as its answer (the 19th key of a run did that
// once the re-sorts left the selection on the last row: 220-712 ms). So a move is prepared, untimed: Home
// before Down, End before Up. Sort and tree/list always redraw.
// the help screen's title line
const MW_HELP: FirstKey = { key: '?', marker: 'minewatch keys · Esc' };
const MW_KEYS: Key[] = [['g', '\x1b[B'], ['G', '\x1b[A'], ['g', '\x1b[B'], 's', ['G', '\x1b[A'], 't'];
if (!ONLY || ONLY === 'minewatch') {
  // as users start it: the bundle through its shebang (node with the runtime flags); under --cpu-prof,
  // node with the same flags
  // (or with --memory, node with the same flags and the heap probe)
  const profiling = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const probing = MEMORY ? ['--import', HEAP_PROBE_IMPORT] : [];
  const [cmd, args] = CPU_PROF || MEMORY
    ? [process.execPath, [...profiling, ...probing, ...RUNTIME_FLAGS, bundle, '--interval', String(INTERVAL)]]
    : [bundle, ['--interval', String(INTERVAL)]];
  let heapFile: string | null = null;
  const env = baseEnv();
  if (MEMORY) {
    const dir = mkdtempSync(join(tmpdir(), 'mw-bench-heap-'));
    tempDirs.push(dir);
    heapFile = env.MINEWATCH_BENCH_HEAP = join(dir, 'heap.json');
    if (HEAP_SNAPSHOT) env.MINEWATCH_BENCH_SNAPSHOT = HEAP_SNAPSHOT;
  }
  results.push(await measure('minewatch', cmd, args, env, MW_FRAME, MW_KEYS, MW_HELP, heapFile));
  // --compare-renice: the same again at the nice value it was started with (as root the dashboard takes
  // nice -5 unless told --no-renice: src/cli/priority.ts), for the first frames and keys on a pegged host
  if (COMPARE_RENICE) results.push(await measure('minewatch --no-renice', cmd, [...args, '--no-renice'], env, MW_FRAME, MW_KEYS, MW_HELP, null));
}
if ((!ONLY || ONLY === 'binary') && hasBinary) {
  results.push(await measure('minewatch-linux-x64', binary, ['--interval', String(INTERVAL)], baseEnv(), MW_FRAME, MW_KEYS, MW_HELP));
} else if (ONLY === 'binary') {
  console.log(`${binary} is missing: run npm run package`);
}
if (!ONLY || ONLY === 'btop') {
  if (installed('btop')) {
    // btop takes its interval from its config file: a throw-away one, so the user's own is never touched.
    const home = mkdtempSync(join(tmpdir(), 'mw-bench-btop-'));
    tempDirs.push(home);
    mkdirSync(join(home, 'btop'), { recursive: true });
    writeFileSync(join(home, 'btop', 'btop.conf'), `update_ms = ${INTERVAL}\n`);
    results.push(await measure('btop', 'btop', ['--utf-force'], { ...baseEnv(), HOME: home, XDG_CONFIG_HOME: home }, 'proc', ['\x1b[B', '\x1b[A', '\x1b[B', 'e', '\x1b[A', 'e'], { key: '?', marker: 'Description:' }));
  } else {
    console.log('btop not installed: measuring minewatch alone');
    results.push(emptyResult('btop', 'btop not installed'));
  }
}
const load1 = loadavg();

console.log(`\n${tableSize} processes in the table, ${COLS}x${ROWS}, interval ${INTERVAL} ms, CPU over ${SECONDS} s after a ${SETTLE_MS / 1000} s settle`);
console.log(`load average (1 min) ${load0[0].toFixed(2)} before, ${load1[0].toFixed(2)} after, on ${availableParallelism()} CPUs`);
const head = ['program', 'first frame ms', 'idle (median)', 'busy (median)', 'first key ms idle', 'busy', 'start-up keys median', 'max', 'CPU % of a core', ...(LATER > 0 ? [`next ${LATER} s`] : []), 'CPU ms/s', 'user', 'system', 'start-up CPU ms', 'RSS MB start', 'end', 'peak', 'private', 'key ms median', 'p99', 'busy key median', 'p99', 'output KB/s', 'frames/s', 'reads/s', 'note'];
const rssStart = (r: Result) => r.rssMbOverTime[0] ?? null;
const rssEnd = (r: Result) => r.rssMbOverTime.at(-1) ?? null;
const rows = results.map((r) => [r.name, f(r.firstFrameMs, 0), f(median(r.firstFrameIdle), 0), f(median(r.firstFrameBusy), 0), f(median(r.firstKeyIdle), 0), f(median(r.firstKeyBusy), 0), f(median(r.startKeyMs), 1), f(r.startKeyMs.length ? Math.max(...r.startKeyMs) : null, 0), f(r.cpuPercent, 2), ...(LATER > 0 ? [f(r.laterCpuPercent, 2)] : []), f(r.cpuMsPerSecond, 1), f(r.userMsPerSecond, 1), f(r.systemMsPerSecond, 1), f(r.startupCpuMs, 0), f(rssStart(r), 1), f(rssEnd(r), 1), f(r.hwmMb, 1), f(r.rssAnonMb, 1), f(median(r.keyMs), 1), f(percentile(r.keyMs, 99), 1), f(median(r.keyMsBusy), 1), f(percentile(r.keyMsBusy, 99), 1), f(r.outKbPerSecond, 1), f(r.framesPerSecond, 2), f(r.readsPerSecond, 0), r.note]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd());
for (const r of results) if (r.rssMbOverTime.length > 1) console.log(`${r.name} RSS every ${RSS_EVERY_S} s (MB): ${r.rssMbOverTime.map((x) => x.toFixed(0)).join(' ')}`);
for (const r of results) if (r.memoryOverTime.length) console.log(`\n${r.name} memory every ${RSS_EVERY_S} s (MB):\n${r.memoryOverTime.join('\n')}`);
for (const r of results) if (r.memory.length) console.log(`\n${r.name} memory at the end of the window:\n${r.memory.join('\n')}`);

const mw = results.find((r) => r.name === 'minewatch') ?? results.find((r) => r.name.startsWith('minewatch'));
const bt = results.find((r) => r.name === 'btop');
if (mw && mw.firstFrameMs !== null) {
  const idle = median(mw.firstFrameIdle);
  const busy = median(mw.firstFrameBusy);
  const btBusy = bt ? median(bt.firstFrameBusy) : null;
  const rss = mw.rssMbOverTime;
  const flat = rss.length > 1 ? (Math.max(...rss) - Math.min(...rss)) / Math.min(...rss) * 100 : null;
  const keyMed = median(mw.keyMs);
  const keyP99 = percentile(mw.keyMs, 99);
  const checks = [
    bt?.cpuPercent != null && mw.cpuPercent !== null
      ? `CPU <= 0.5x btop's: ${mw.cpuPercent <= bt.cpuPercent / 2 ? 'MET' : 'NOT MET'} (${f(mw.cpuPercent, 2)} % vs ${f(bt.cpuPercent, 2)} %: ${f(mw.cpuPercent / bt.cpuPercent, 2)}x)`
      : 'CPU <= 0.5x btop\'s: not compared (btop not measured)',
    ...(LATER > 0 && bt?.laterCpuPercent != null && mw.laterCpuPercent !== null
      ? [`CPU <= 0.5x btop's over the next ${LATER} s: ${mw.laterCpuPercent <= bt.laterCpuPercent / 2 ? 'MET' : 'NOT MET'} (${f(mw.laterCpuPercent, 2)} % vs ${f(bt.laterCpuPercent, 2)} %: ${f(mw.laterCpuPercent / bt.laterCpuPercent, 2)}x)`]
      : []),
    `first frame idle <= 200 ms: ${idle !== null && idle <= 200 ? 'MET' : 'NOT MET'} (median ${f(idle, 0)} ms)`,
    btBusy !== null && busy !== null
      ? `first frame busy <= 2x btop's: ${busy <= 2 * btBusy ? 'MET' : 'NOT MET'} (median ${f(busy, 0)} ms vs ${f(btBusy, 0)} ms)`
      : `first frame busy: median ${f(busy, 0)} ms (btop not measured)`,
    `RSS <= 80 MB: ${mw.hwmMb !== null && mw.hwmMb <= 80 ? 'MET' : 'NOT MET'} (peak ${f(mw.hwmMb)} MB); flat within 5 %: ${flat !== null && flat <= 5 ? 'MET' : 'NOT MET'} (${f(flat)} % over ${SECONDS} s)`,
    `keys <= 30 ms median, <= 100 ms p99: ${keyMed !== null && keyP99 !== null && keyMed <= 30 && keyP99 <= 100 ? 'MET' : 'NOT MET'} (${f(keyMed)} ms, ${f(keyP99)} ms)`,
  ];
  console.log('\n' + checks.join('\n'));
}
if (SAVE) {
  const out = { date: new Date().toISOString(), host: { cpus: availableParallelism(), load: [load0[0], load1[0]] }, procs: tableSize, cols: COLS, rows: ROWS, intervalMs: INTERVAL, seconds: SECONDS, later: LATER, churn: CHURN, launches: LAUNCHES, settle: SETTLE_MS / 1000, command: process.argv.slice(2).join(' '),
    results: results.map((r) => ({ ...r, firstFrameIdleMedian: median(r.firstFrameIdle), firstFrameBusyMedian: median(r.firstFrameBusy), firstKeyIdleMedian: median(r.firstKeyIdle), firstKeyBusyMedian: median(r.firstKeyBusy), startKeyMedian: median(r.startKeyMs), startKeyMax: r.startKeyMs.length ? Math.max(...r.startKeyMs) : null, keyMedian: median(r.keyMs), keyP99: percentile(r.keyMs, 99), keyBusyMedian: median(r.keyMsBusy), keyBusyP99: percentile(r.keyMsBusy, 99) })) };
  writeFileSync(SAVE, JSON.stringify(out, null, 2) + '\n');
  console.log(`saved ${SAVE}`);
}

cleanup();
