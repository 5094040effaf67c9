// Reading the identities a one-shot scan's stat-only sample left unread, on more than one core when the
// table is large. Each identity is several /proc reads (status, cmdline, environ, two links): at 20,000
// processes that is 2 s of one thread, most of it in the kernel, and it is what makes a scan of a large
// host slower than `ps`. Worker threads read it with the same code (identity.ts, bundled for them by
// scripts/workerSource.mjs), a chunk at a time from the list the main thread reads from too; what a
// worker fails to read (it could not start, it crashed, it took too long) the main thread reads after it.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Identity, IdentityJob } from './identity';
import type { ProcReader } from './reader';

/** Defined by the build (scripts/workerSource.mjs); absent when the source runs unbundled (tsx). */
declare const __IDENTITY_WORKER__: string | undefined;

/** The worker's bundled program, or null where there is none (then everything is read on this thread). */
export const IDENTITY_WORKER_SOURCE: string | null = typeof __IDENTITY_WORKER__ === 'string' ? __IDENTITY_WORKER__ : null;

/** Fewer unread identities than this per thread: a worker's start (20-40 ms) would cost more than it saves. */
export const PER_THREAD_MIN = 2500;
/** Workers at most: /proc reads of one host contend in the kernel beyond a few threads. */
export const MAX_WORKERS = 3;
/** A worker that has not answered by then is stopped and its share read here. */
const WORKER_TIMEOUT_MS = 30_000;

/** How many workers to start for `unread` identities on `cpus` cores (0: read them all on this thread). */
export function workersFor(unread: number, cpus: number): number {
  return Math.max(0, Math.min(cpus - 1, MAX_WORKERS, Math.floor(unread / PER_THREAD_MIN) - 1));
}

/** Identities handed to a worker at a time: 50-100 ms of reads, so the shares even out as they go. */
export const CHUNK = 1000;

/** A worker thread that reads jobs one after another; once it fails, it reads nothing more. */
export class IdentityWorker {
  private readonly worker: Worker | null;
  private failed: Error | null = null;
  private waiting: { resolve: (ids: Identity[]) => void; reject: (err: Error) => void; timer: NodeJS.Timeout; size: number } | null = null;

  constructor(source: string, private readonly timeoutMs = WORKER_TIMEOUT_MS) {
    let worker: Worker | null = null;
    try {
      // its own stdout and stderr (never read): nothing it might print lands in the scan's JSON or NDJSON
      worker = new Worker(source, { eval: true, stdout: true, stderr: true });
      worker.on('message', (ids: unknown) => {
        const w = this.waiting;
        if (!w) return;
        this.settle(Array.isArray(ids) && ids.length === w.size ? null : new Error('identity worker answered out of shape'), ids as Identity[]);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => this.fail(new Error(`identity worker exited (${code})`)));
    } catch (err) {
      this.failed = err as Error;
    }
    this.worker = worker;
  }

  /** Read one job; rejects when the worker fails or gives no answer in time (then it is stopped). */
  read(job: IdentityJob): Promise<Identity[]> {
    if (this.failed || !this.worker) return Promise.reject(this.failed ?? new Error('no identity worker'));
    if (this.waiting) return Promise.reject(new Error('identity worker busy'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`identity worker gave no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
      this.waiting = { resolve, reject, timer, size: job.inputs.length };
      this.worker!.postMessage(job);
    });
  }

  stop(): void {
    if (!this.worker) return;
    this.worker.removeAllListeners();
    this.worker.on('error', () => {}); // terminating may still report
    void this.worker.terminate();
  }

  private settle(err: Error | null, ids?: Identity[]): void {
    const w = this.waiting!;
    this.waiting = null;
    clearTimeout(w.timer);
    if (err) w.reject(err); else w.resolve(ids!);
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    if (this.waiting) this.settle(err);
    this.stop();
  }
}

export interface ReadUnreadOptions {
  /** Identities read on this thread between two turns of the event loop. */
  slice: number;
  /** Gives the event loop a turn (other work of the caller goes on meanwhile). */
  turn: () => Promise<void>;
  /** Workers to start (default: workersFor the unread count and the cores). */
  workers?: number;
  /** The worker's program (default: the bundled one; null: none). */
  source?: string | null;
  /** Identities a worker takes at a time (default CHUNK). */
  chunk?: number;
}

/**
 * Read every identity the reader's last stat-only sample left unread: shares on worker threads when
 * the table is large, the rest on this thread in slices. Resolves once all are read; `failures` says
 * why a worker read less than it was given (what it did not read was read here).
 */
export async function readUnreadIdentities(reader: ProcReader, opts: ReadUnreadOptions): Promise<{ workers: number; readByWorkers: number; failures: string[] }> {
  const source = opts.source === undefined ? IDENTITY_WORKER_SOURCE : opts.source;
  const failures = new Set<string>();
  if (!source && opts.workers) failures.add('this build has no worker program');
  const workers = source ? (opts.workers ?? workersFor(reader.unreadIdentities, availableParallelism())) : 0;
  let readByWorkers = 0;
  // Each worker takes a chunk at a time from the same list this thread reads from, until it is empty.
  const feed = async (w: IdentityWorker) => {
    try {
      for (;;) {
        const job = reader.takePending(opts.chunk ?? CHUNK);
        if (job.inputs.length === 0) return;
        try {
          readByWorkers += reader.putIdentities(job, await w.read(job));
        } catch (err) {
          failures.add((err as Error).message);
          reader.returnPending(job);
          return;
        }
      }
    } finally {
      w.stop();
    }
  };
  const running = Array.from({ length: workers }, () => feed(new IdentityWorker(source!)));
  while (reader.readIdentities(opts.slice) > 0) await opts.turn();
  await Promise.all(running);
  // what a worker could not read
  while (reader.readIdentities(opts.slice) > 0) await opts.turn();
  return { workers, readByWorkers, failures: [...failures] };
}
