// The dashboard's watchdog: whatever happens, the terminal comes back. When the main thread has not
// beaten for `stallMs` (stuck in a synchronous call), the watchdog leaves the alternate screen, shows the
// cursor, puts the terminal back in cooked mode (stty sane on the same terminal) and ends the process: a
// hung dashboard can always be left, and a responder's terminal is never left raw and blank.
// The watcher is a bash child (a few hundred KB of its own memory; its program pages are shared with
// every bash on the host) that reads a heartbeat line from a pipe with a timeout: a thread of this
// process would carry a second V8 isolate and Node environment, 4-5 MB of the dashboard's resident
// memory (npm run bench:tui -- --memory). The main thread writes the beat asynchronously (a stuck bash
// cannot block it); when the dashboard ends, however it ends, the pipe closes and bash exits at once.
// bash is started by absolute path with a fixed environment (no BASH_ENV, no PATH from the user); without
// bash, a worker thread does the same from a shared heartbeat.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';

export const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

const WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const beat = new BigInt64Array(workerData.buffer);
const stallMs = workerData.stallMs;
const period = Math.min(500, stallMs / 4);
let checked = Date.now();
let resumed = 0;
const timer = setInterval(() => {
  const now = Date.now();
  // this thread did not run either for a while: the whole process was stopped (SIGSTOP, a debugger)
  // and has just been continued, not stuck: the main thread gets the stall time from now
  if (now - checked > period * 4) resumed = now;
  checked = now;
  const last = Number(Atomics.load(beat, 0));
  if (last === -1) { clearInterval(timer); return; }
  if (now - Math.max(last, resumed) < stallMs) return;
  clearInterval(timer);
  try { fs.writeSync(1, workerData.leave); } catch {}
  try { spawnSync('stty', ['sane'], { stdio: ['inherit', 'ignore', 'ignore'], timeout: 2000 }); } catch {}
  try { fs.writeSync(2, '\\nminewatch: the dashboard stopped responding for ' + Math.round(stallMs / 1000) + ' s; the watchdog restored the terminal and ended it\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, period);
`;

export interface Watchdog {
  /** Resolves once the watcher runs (false when it could not start). */
  ready: Promise<boolean>;
  /** Stop watching (on a normal exit). */
  stop(): void;
}

/** The bash the watcher runs with: a root-owned system path, never one found on the user's PATH. */
const BASH = ['/usr/bin/bash', '/bin/bash'].find((b) => existsSync(b)) ?? null;

// $1 the dashboard's PID, $2 the stall time in seconds, $3 the same rounded for the message; the
// heartbeat arrives on descriptor 3. read returns 1 at end of file (the
// dashboard ended: nothing to do) and more than 128 when no line came within the stall time. A
// dashboard that a signal stopped (SIGSTOP, a debugger: state T or t) is not stuck: wait on, as the
// thread, stopped with it, would.
const BASH_WATCHER = `trap '' INT QUIT TSTP
while :; do
  IFS= read -r -t "$2" -u 3 _; s=$?
  [ $s -eq 0 ] && continue
  [ $s -gt 128 ] || exit 0
  { st=$(< "/proc/$1/stat"); } 2>/dev/null || exit 0
  st=\${st##*) }
  case "\${st%% *}" in T|t) continue ;; esac
  break
done
printf '${LEAVE_ALT.replaceAll('\x1b', '\\033')}'
stty sane 2>/dev/null
printf '\\nminewatch: the dashboard stopped responding for %s s; the watchdog restored the terminal and ended it\\n' "$3" >&2
kill -KILL "$1"`;

export interface WatchdogOptions {
  stallMs?: number;
  /** 'process' (bash; a thread when bash is missing) or 'thread' (for tests of the fallback). */
  kind?: 'process' | 'thread';
}

export function startWatchdog(opts: WatchdogOptions = {}): Watchdog {
  const stallMs = opts.stallMs ?? 15_000;
  if ((opts.kind ?? 'process') === 'process' && BASH) {
    const w = processWatchdog(BASH, stallMs);
    if (w) return w;
  }
  return threadWatchdog(stallMs);
}

function processWatchdog(bash: string, stallMs: number): Watchdog | null {
  let child: ChildProcess;
  try {
    child = spawn(bash, ['--noprofile', '--norc', '-c', BASH_WATCHER, 'minewatch-watchdog', String(process.pid), (stallMs / 1000).toFixed(3),
      String(Math.round(stallMs / 1000))], { stdio: ['inherit', 'inherit', 'inherit', 'pipe'], env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' } });
  } catch {
    return null;
  }
  const beat = child.stdio[3] as Writable & { unref?: () => void };
  // neither the child nor its pipe keeps the dashboard's event loop alive
  child.unref();
  beat.unref?.();
  beat.on('error', () => { /* the watcher is gone: the dashboard goes on without it */ });
  const ready = new Promise<boolean>((resolve) => {
    child.once('spawn', () => resolve(true));
    child.once('error', () => resolve(false));
  });
  const interval = setInterval(() => { if (beat.writable) beat.write('\n'); }, Math.min(1000, stallMs / 4));
  interval.unref();
  return {
    ready,
    stop() {
      clearInterval(interval);
      beat.end(); // end of file: the watcher exits
    },
  };
}

function threadWatchdog(stallMs: number): Watchdog {
  const buffer = new SharedArrayBuffer(8);
  const beat = new BigInt64Array(buffer);
  Atomics.store(beat, 0, BigInt(Date.now()));
  const interval = setInterval(() => Atomics.store(beat, 0, BigInt(Date.now())), 250);
  interval.unref();
  let worker: Worker | null = null;
  let ready: Promise<boolean> = Promise.resolve(false);
  try {
    // execArgv: [] so the watcher is plain CommonJS whatever flags started minewatch (--input-type, --import).
    const w = new Worker(WORKER, { eval: true, execArgv: [], workerData: { buffer, stallMs, leave: LEAVE_ALT } });
    worker = w;
    w.unref();
    ready = new Promise((resolve) => {
      w.once('online', () => resolve(true));
      // A watchdog that cannot run must not take the dashboard down.
      w.once('error', () => resolve(false));
    });
  } catch {
    worker = null;
  }
  return {
    ready,
    stop() {
      clearInterval(interval);
      Atomics.store(beat, 0, -1n);
      void worker?.terminate().catch(() => {});
      worker = null;
    },
  };
}
