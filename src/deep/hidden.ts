// Hidden processes: PIDs that answer when /proc/N is asked for by name but are missing from the
// directory listing of /proc. User-land rootkits (libprocesshider and kin) filter readdir/scandir;
// kernel rootkits (Diamorphine, Reptile) filter getdents. Neither makes /proc/N itself vanish unless
// it also hooks the lookup, so probing every N up to pid_max finds what the listing leaves out
// (Unhide's "brute" and "procfs" checks; sandfly-processdecloak). Threads answer too but are never
// listed: a probed N whose Tgid differs from N is a thread, and it only matters when its thread-group
// leader is itself missing from the listing. Every candidate is re-checked after a delay against a
// fresh listing, so a process born during the probe is not reported (YJesus/Unhide#15).
import {
  listPids, probePid, readPidBrief, readPidMax, readStatusIds, readTaskIds, type PidBrief,
} from '../procfs/kernel';

export interface HiddenProcess {
  pid: number;
  /** How it was found: its own /proc/N answered, or one of its threads did. */
  foundVia: 'probe' | 'thread';
  /** The thread that led to it, for foundVia 'thread'. */
  viaThread: number | null;
  brief: PidBrief;
}

export interface HiddenScan {
  pidMax: number;
  /** Highest N probed: pid_max - 1 when complete. */
  probedUpTo: number;
  complete: boolean;
  listed: number;
  /** Threads of listed processes (from their task/ directories): not probed. */
  knownThreads: number;
  /** PIDs that answered the probe and were not listed, before sorting out threads and re-checking. */
  candidates: number;
  hidden: HiddenProcess[];
  ms: number;
}

export interface HiddenOptions {
  procRoot?: string;
  /** Probe 1..limit-1 instead of 1..pid_max-1 (tests; timing a larger space). */
  limit?: number;
  /** Stop probing after this long (the result says how far it got). Default 120 s. */
  budgetMs?: number;
  /** Wait before the re-check against a fresh listing. Default 1000 ms. */
  verifyDelayMs?: number;
  /** PIDs probed between two yields to the event loop. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  /** Set to true to stop early (the result is then marked incomplete). */
  cancelled?: () => boolean;
  /** The directory listing to check against (default: readdir of the proc root). Tests pass one that leaves a PID out. */
  list?: (procRoot: string) => Set<number>;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function findHiddenProcesses(opts: HiddenOptions = {}): Promise<HiddenScan> {
  const procRoot = opts.procRoot ?? '/proc';
  const t0 = performance.now();
  const pidMax = readPidMax(procRoot);
  const limit = opts.limit ?? pidMax;
  const budget = opts.budgetMs ?? 120_000;
  const chunk = opts.chunk ?? 4096;
  const list = opts.list ?? listPids;
  const listed = list(procRoot);
  const known = new Set<number>();
  for (const pid of listed) for (const tid of readTaskIds(procRoot, pid)) if (tid !== pid) known.add(tid);

  const answered: number[] = [];
  let n = 1;
  let complete = true;
  while (n < limit) {
    const end = Math.min(limit, n + chunk);
    for (; n < end; n++) {
      if (listed.has(n) || known.has(n)) continue;
      if (probePid(procRoot, n)) answered.push(n);
    }
    opts.onProgress?.(n - 1, limit - 1);
    if (n < limit && (performance.now() - t0 > budget || opts.cancelled?.())) { complete = false; break; }
    await yieldToLoop();
  }
  const probedUpTo = n - 1;

  // Sort out threads: a thread counts through its leader, and only when the leader is not listed.
  const leaders = new Map<number, { via: 'probe' | 'thread'; thread: number | null; start: number | null }>();
  for (const pid of answered) {
    const ids = readStatusIds(procRoot, pid);
    if (!ids) continue; // gone meanwhile
    const leader = ids.tgid > 0 ? ids.tgid : pid;
    if (listed.has(leader) || leaders.has(leader)) continue;
    const first = readPidBrief(procRoot, leader);
    if (!first.ids) continue;
    leaders.set(leader, { via: leader === pid ? 'probe' : 'thread', thread: leader === pid ? null : pid, start: first.startTicks });
  }

  // Re-check against a fresh listing: a process that was starting (or exiting) while we probed is
  // listed by now (or gone); the same process, by start time, still unlisted is hidden.
  const hidden: HiddenProcess[] = [];
  if (leaders.size > 0) {
    await sleep(opts.verifyDelayMs ?? 1000);
    const again = list(procRoot);
    for (const [pid, c] of leaders) {
      if (again.has(pid)) continue;
      const brief = readPidBrief(procRoot, pid);
      if (!brief.ids || brief.startTicks !== c.start) continue;
      hidden.push({ pid, foundVia: c.via, viaThread: c.thread, brief });
    }
  }
  return {
    pidMax, probedUpTo, complete, listed: listed.size, knownThreads: known.size, candidates: answered.length,
    hidden, ms: performance.now() - t0,
  };
}
