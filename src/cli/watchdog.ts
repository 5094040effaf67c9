// The dashboard's watchdog: whatever happens, the terminal comes back. The main thread stamps a
// shared heartbeat every 250 ms; a worker thread (which keeps running while the main thread is stuck
// in a synchronous call) checks it. When the main thread has not beaten for `stallMs`, the worker
// leaves the alternate screen, shows the cursor, puts the terminal back in cooked mode (stty sane on
// the same terminal) and ends the process: a hung dashboard can always be left, and a responder's
// terminal is never left raw and blank.
import { Worker } from 'node:worker_threads';

export const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

const WORKER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const beat = new BigInt64Array(workerData.buffer);
const stallMs = workerData.stallMs;
const timer = setInterval(() => {
  const last = Number(Atomics.load(beat, 0));
  if (last === -1) { clearInterval(timer); return; }
  if (Date.now() - last < stallMs) return;
  clearInterval(timer);
  try { fs.writeSync(1, workerData.leave); } catch {}
  try { spawnSync('stty', ['sane'], { stdio: ['inherit', 'ignore', 'ignore'], timeout: 2000 }); } catch {}
  try { fs.writeSync(2, '\\nminewatch: the dashboard stopped responding for ' + Math.round(stallMs / 1000) + ' s; the watchdog restored the terminal and ended it\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, Math.min(500, stallMs / 4));
`;

export interface Watchdog {
  /** Resolves once the watching thread runs (false when it could not start). */
  ready: Promise<boolean>;
  /** Stop watching (on a normal exit). */
  stop(): void;
}

export function startWatchdog(opts: { stallMs?: number } = {}): Watchdog {
  const stallMs = opts.stallMs ?? 15_000;
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
