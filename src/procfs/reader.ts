// The process table, straight from /proc. One ProcReader lives as long as the program and is sampled
// once per tick. Per tick it reads each process's stat (CPU, state, name, ppid, threads, RSS), or only
// its schedstat run time when that shows it stayed idle; long-idle processes rest between checks while
// the kernel's CPU total says nobody unread ran (restGate.ts). What cannot change for a (pid, start time) pair (uid, cmdline, exe, cwd, cgroup,
// environment) is read once and cached; it is re-read when a user process renames itself (comm changed,
// which also happens on execve; a kernel thread cannot exec, its renames are kept) and otherwise every
// REFRESH_MS, spread over ticks.
// On a real procfs each process's stat file is opened once and re-read with pread(2) at offset 0 every
// tick (one syscall instead of open/read/close); the descriptor dies with the process (reads fail with
// ESRCH, even if the PID is reused) and all are dropped when the mount table changes (a bind mount over
// /proc/N must be seen through a fresh open: H43). The TCP tables cost milliseconds each to generate
// (the kernel walks its whole established-connection hash table), so they are re-read only when the
// socket counts in sockstat move, and then at most every NET_REREAD_MS, and at least every
// NET_REFRESH_MS (sockets.ts).
// The reader spawns no child process and never imports React.
import { realpathSync, statfsSync } from 'node:fs';
import type { Connection, HostContext, ProcessInfo, ReadFailure, Snapshot } from '../model';
import { closeFd, failureOf, openFd, preadStart, readBytes, readLink, readText } from './files';
import { cgroup2MountPoint, readCgroupTree } from './cgroupTree';
import { cpuCount, hidepidWarning, NO_MOUNT_FACTS, parseMountinfo, readAuxv, readBootTime, readLdSoPreload, readViewer, startTimeMs, type MountFacts, type Viewer } from './host';
import { identityInput, readIdentity, sameIdentity, unreadIdentity, type Identity, type IdentityInput, type IdentityJob, type IdentitySource } from './identity';
import { attempt, listPids, openPidFile, readCgroup, readCmdline, readOwner, readStatusBrief } from './pid';
import { runSliced, runToEnd, Slicer, UNSLICED } from '../slicer';
import { SocketAttribution } from './sockets';
import { PF_KTHREAD, parseStatBytes, type StatFields } from './stat';
import { readAccounts, userName, type Account } from './users';
import { REST_TICKS, RestGate } from './restGate';

/** A process that ran since its identity was read has it read again this often (argv rewrites). */
const REFRESH_MS = 30_000;
/**
 * One that has not run keeps it longer: its command line, executable, cwd, environment and uid can only
 * change by its own doing (or a debugger's); its cgroup, by another process moving it.
 */
const IDLE_REFRESH_MS = 300_000;
/** A process that has not run since its last stat read is read again at least this often (RSS, tty). */
const STAT_REFRESH_MS = 30_000;
/** Idle checks in a row after which a process rests (see restGate.ts). */
const IDLE_RUNS_BEFORE_RESTING = 3;
const PROC_SUPER_MAGIC = 0x9fa0;
/** /proc is listed at least every this many ticks even when no PID was allocated (belt and braces). */
const RELIST_TICKS = 10;

/** What the reader remembers about one PID between ticks. */
interface Tracked {
  /** Open descriptor on /proc/PID/stat, or -1. */
  fd: number;
  /** Open descriptor on /proc/PID/schedstat (single-threaded processes only), or -1. */
  schedFd: number;
  /** Run time (ns) from schedstat, read just before the last full stat read; -1 when unknown. */
  runtime: number;
  /** The last stat read in full, and when. */
  st: StatFields | null;
  statAt: number;
  /** When the CPU time last read was last confirmed (full read, or run time unchanged), for CPU %. */
  confirmedAt: number;
  /** Consecutive checks that found it idle: a long-idle process rests (restGate.ts). */
  idleRuns: number;
  /** /proc/PID/stat described another PID: read in full every tick. */
  mismatch: boolean;
  startTicks: number;
  /** utime + stime at the last sample, for CPU %. */
  ticks: number;
  /** cutime + cstime (children reaped) at the last sample, for the kernel-total check (restGate.ts). */
  reaped: number;
  /** Tick number when last listed: entries not seen this tick are gone. */
  seen: number;
  id: Identity | null;
  /** The ProcessInfo handed out last, reused while nothing in it changed. */
  info: ProcessInfo | null;
}

function newTracked(): Tracked {
  return { fd: -1, schedFd: -1, runtime: -1, st: null, statAt: 0, confirmedAt: 0, idleRuns: 0, mismatch: false, startTicks: -1, ticks: 0, reaped: 0, seen: 0, id: null, info: null };
}

/** The first number of a schedstat line (time spent on the CPU, ns), or -1. */
function leadingNumber(buf: Uint8Array, len: number): number {
  let v = 0;
  let i = 0;
  for (; i < len; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  return i === 0 ? -1 : v;
}

/** The last PID the kernel allocated in our PID namespace (/proc/loadavg, 5th field), or null. */
function lastAllocatedPid(procRoot: string): number | null {
  const text = readText(procRoot + '/loadavg', 256);
  const m = text ? /\s(\d+)\s*$/.exec(text) : null;
  return m ? Number(m[1]) : null;
}

/** user + nice + system of the first ("cpu ") line of /proc/stat bytes: the kernel's task time, or null. */
export function taskTicksOf(buf: Uint8Array, len: number): number | null {
  if (len < 5 || buf[0] !== 0x63 || buf[1] !== 0x70 || buf[2] !== 0x75 || buf[3] !== 0x20) return null; // "cpu "
  let sum = 0;
  let field = 0;
  let i = 4;
  while (field < 3) {
    while (i < len && buf[i] === 0x20) i++;
    let digits = 0;
    let v = 0;
    for (; i < len; i++, digits++) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (digits === 0) return null;
    sum += v;
    field++;
  }
  return sum;
}

/** Soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start-up). */
function openFileLimit(): number {
  const text = readText('/proc/self/limits') ?? '';
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!m) return 1024;
  return m[1] === 'unlimited' ? 1 << 20 : Number(m[1]);
}

function isProcfs(path: string): boolean {
  try {
    return statfsSync(path).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}

export interface ReaderOptions {
  procRoot?: string;
  root?: string;
  /** Remote ports whose connections are attributed to processes (socket inode → PID). */
  watchPorts?: ReadonlySet<number>;
  /** What this process may see under hidepid (tests); read from /proc/self/status by default. */
  viewer?: Viewer;
  /** Ports watched on loopback too (a local stratum proxy listens there); others count only to public addresses. */
  loopbackPorts?: ReadonlySet<number>;
  now?: () => number;
  /**
   * List /proc only when the kernel allocated a PID since the last sample (see sample). Default: on a
   * live procfs only (a fixture tree's loadavg means nothing); tests turn it on with a loadavg of theirs.
   */
  listOnNewPidOnly?: boolean;
  /**
   * Keep each process's stat (and schedstat) open between samples (default: on a live procfs). A
   * one-shot scan turns it off: two samples gain nothing from thousands of kept descriptors.
   */
  keepDescriptors?: boolean;
}

export class ProcReader {
  readonly procRoot: string;
  readonly root: string;
  private readonly now: () => number;
  private readonly tracked = new Map<number, Tracked>();
  private readonly statBuf = Buffer.allocUnsafe(4096);
  private lastSample = 0;
  private tick = 0;
  private accounts: Map<number, Account>;
  private accountsReadAt: number;
  private readonly auxv = readAuxv();
  private readonly bootTime: number;
  private readonly cpus: number;
  /** How many stat descriptors may stay open (0: open/read/close every tick, e.g. on a fixture tree). */
  private readonly maxOpenStat: number;
  private openStat = 0;
  private mountText: string | null = null;
  private mounts: MountFacts = NO_MOUNT_FACTS;
  /** Where the proc root is mounted, as mountinfo names it ('/proc' for a fixture tree). */
  private readonly procMount: string;
  private readonly viewer: Viewer;
  private readonly sockets: SocketAttribution;
  readonly isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  /** The sample in progress is a stat-only one (see sample). */
  private quick = false;
  /** PIDs whose identity the last stat-only sample left unread (see readIdentities). */
  private pending: number[] = [];
  /** Cgroups of the processes read in one walk (prefetchCgroups), until the next sample. */
  private cgroupMap: Map<number, string> | null = null;
  /** Where identity.ts reads identities from (the cgroup walk's answers, while they hold, included). */
  private readonly source: IdentitySource;
  /** The last sample was a quick or stat-only one: the next full one reads nearly every identity. */
  private identitiesDue = false;
  /** The proc root is a real procfs (not a fixture tree, whose directory owners mean nothing). */
  private readonly live: boolean;
  /** The kernel's last allocated PID at the last sample, and the PIDs then present (see sample). */
  private lastPid: number | null = null;
  private lastPids: number[] | null = null;
  /** Per-tick lists kept between ticks (refilled, never reallocated: 2,000-entry arrays each tick are garbage to collect). */
  private readonly idleBuf: number[] = [];
  private readonly restingBuf: number[] = [];
  private readonly pidBufs: [number[], number[]] = [[], []];
  private listedAt = 0;
  private readonly listOnNewPidOnly: boolean;
  /** How many times /proc was listed (for tests and the benchmark). */
  listings = 0;
  /** Which long-idle processes may go unread this tick (see restGate.ts). */
  private readonly gate: RestGate;
  /** Kept descriptor on the proc root's stat (live procfs only), or -1. */
  private hostStatFd = -1;
  /** Processes checked (schedstat or stat read) in the last sample, for tests and the benchmark. */
  checked = 0;

  constructor(opts: ReaderOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.root = opts.root ?? '/';
    this.now = opts.now ?? Date.now;
    this.sockets = new SocketAttribution(this.procRoot, opts.watchPorts ?? new Set(), opts.loopbackPorts ?? new Set());
    this.bootTime = readBootTime(this.procRoot);
    this.cpus = cpuCount(this.procRoot);
    this.accounts = readAccounts(this.root);
    this.accountsReadAt = this.now();
    const live = isProcfs(this.procRoot);
    this.live = live;
    this.source = { procRoot: this.procRoot, root: this.root, live, cgroupOf: (pid) => this.cgroupMap?.get(pid) };
    this.listOnNewPidOnly = opts.listOnNewPidOnly ?? live;
    this.procMount = live ? attempt(() => realpathSync(this.procRoot)) ?? this.procRoot : '/proc';
    this.viewer = opts.viewer ?? readViewer();
    this.maxOpenStat = live && opts.keepDescriptors !== false ? Math.max(0, Math.min(16_384, Math.floor(openFileLimit() / 2) - 256)) : 0;
    this.gate = new RestGate(this.auxv.clockTicks);
  }

  /** How many ticks checked every resting process because the kernel's CPU total said someone unread ran. */
  get sweeps(): number {
    return this.gate.sweeps;
  }

  /** The kernel's task time now (user + nice + system of /proc/stat, clock ticks), or null. */
  private readTaskTicks(): number | null {
    const buf = this.statBuf;
    if (this.maxOpenStat > 0) { // kept descriptors (a live procfs, not a one-shot reader)
      if (this.hostStatFd < 0) this.hostStatFd = openFd(this.procRoot + '/stat');
      const n = this.hostStatFd >= 0 ? preadStart(this.hostStatFd, buf) : -1;
      return n > 0 ? taskTicksOf(buf, n) : null;
    }
    const b = readBytes(this.procRoot + '/stat', 4096);
    return b ? taskTicksOf(b, b.length) : null;
  }

  get clockTicks(): number {
    return this.auxv.clockTicks;
  }

  /** Close every cached descriptor (the reader stays usable: they are reopened on the next sample). */
  close(): void {
    for (const t of this.tracked.values()) { this.dropFd(t); this.dropSchedFd(t); }
    if (this.hostStatFd >= 0) { closeFd(this.hostStatFd); this.hostStatFd = -1; }
  }

  /**
   * Take one sample of the whole table. CPU % is computed against the previous sample.
   * `statOnly`: for processes seen for the first time, read only stat (the dashboard's first frame: the
   * tree; a one-shot scan's first sample, which opens the CPU window at once). Their identity
   * (command line, owner, executable, cwd, cgroup, environment) is left unread: readIdentities() (or
   * identityPool.ts) reads it before the next sample, else the next full sample does; the rows the first
   * frame shows get their command line and owner from completeQuick. The snapshot says `partial`.
   */
  sample(opts: { statOnly?: boolean } = {}): Snapshot {
    return runToEnd(this.sampleSteps(opts, UNSLICED));
  }

  /**
   * The same sample, with a turn of the event loop (`turn`) whenever `sliceMs` of it have run (slicer.ts):
   * the dashboard answers keys during a sample of a large table (at 20,000 processes the first full
   * sample, or one that checks every resting process, takes hundreds of ms). Nothing else may use the
   * reader until it resolves. CPU % is per process, over the time between its own reads, so the turns
   * do not bend it.
   */
  sampleSliced(turn: () => Promise<unknown>, sliceMs: number, opts: { statOnly?: boolean } = {}): Promise<Snapshot> {
    const slicer = new Slicer(sliceMs);
    return runSliced(this.sampleSteps(opts, slicer), slicer, turn);
  }

  /** sample() as a pass that yields wherever `slicer` says a slice is over. */
  private *sampleSteps(opts: { statOnly?: boolean }, slicer: Slicer): Generator<void, Snapshot, void> {
    this.quick = opts.statOnly === true;
    this.pending = [];
    this.cgroupMap = null;
    const takenAt = this.now();
    const intervalMs = this.lastSample ? takenAt - this.lastSample : 0;
    this.lastSample = takenAt;
    const tick = ++this.tick;
    if (takenAt - this.accountsReadAt > 60_000) {
      this.accounts = readAccounts(this.root);
      this.accountsReadAt = takenAt;
    }
    const warnings: string[] = [];
    const processes = new Map<number, ProcessInfo>();
    const procMismatches: { pid: number; reason: string }[] = [];
    const kernelThreadNames = new Set<string>();
    const acc: TickState = { takenAt, intervalMs, processes, procMismatches, kernelThreadNames, unreadableExe: 0 };

    // The mount table first: when it changed, cached descriptors may predate a mount over /proc/N.
    const mountText = readText(this.procRoot + '/self/mountinfo', 1024 * 1024);
    if (mountText !== this.mountText) {
      this.mountText = mountText;
      this.mounts = mountText ? parseMountinfo(mountText, this.procMount) : NO_MOUNT_FACTS;
      if (tick > 1) this.close();
    }
    const mounts = this.mounts;
    // A full sample after a quick one reads the identity of (nearly) every process: their cgroups come
    // from one walk of the cgroup2 mount (15 ms instead of 170 at 4,000 processes), as for a scan.
    if (!this.quick && this.identitiesDue && this.maxOpenStat > 0) this.prefetchCgroups();
    this.identitiesDue = this.quick;

    // The listing of /proc (thousands of entries) is needed only when a task was created since the last
    // one: the kernel's last allocated PID (/proc/loadavg's last field, in our PID namespace; threads and
    // processes of nested namespaces advance it too) says whether one was. Gone processes are found by
    // their kept descriptors failing. Only on a live procfs: a fixture tree's loadavg means nothing.
    const lastPid = this.listOnNewPidOnly ? lastAllocatedPid(this.procRoot) : null;
    let pids: number[];
    if (lastPid !== null && lastPid === this.lastPid && this.lastPids && tick - this.listedAt < RELIST_TICKS) {
      pids = this.lastPids;
    } else {
      try {
        pids = listPids(this.procRoot);
      } catch (err) {
        throw new Error(`cannot list ${this.procRoot}: ${(err as Error).message}`);
      }
      this.listedAt = tick;
      this.listings++;
    }
    this.lastPid = lastPid;
    // The kernel's CPU total first: what the processes read this tick do not account for decides
    // whether the resting ones are checked too (restGate.ts).
    const gate = this.gate;
    const taskTicks = this.readTaskTicks();
    gate.begin(taskTicks);
    const restAllowed = gate.active;
    this.checked = 0;
    // Processes that did not run since their last full read: stat is skipped, checked after the listing.
    const idle = this.idleBuf;
    const resting = this.restingBuf;
    idle.length = 0;
    resting.length = 0;
    for (let i = 0; i < pids.length; i++) {
      const pid = pids[i];
      const t = this.tracked.get(pid);
      // A process idle for several checks in a row rests: checked on one tick in REST_TICKS (a share of
      // them each tick) unless the kernel's total says someone unread ran. It is listed, so it exists;
      // if it ran meanwhile, the next check sees it, and its CPU % is the CPU time since the last
      // confirmation over the time since then.
      if (restAllowed && t && (tick + pid) % REST_TICKS !== 0 && canRest(t, pid, takenAt)) {
        resting.push(pid);
        continue;
      }
      this.visit(pid, t, acc, idle);
      if (slicer.due()) yield;
    }
    const swept = resting.length > 0 && gate.mustSweep(takenAt);
    for (let i = 0; i < resting.length; i++) {
      const pid = resting[i];
      const t = this.tracked.get(pid)!;
      if (swept) {
        this.visit(pid, t, acc, idle);
        if (slicer.due()) yield;
      } else this.keepIdle(pid, t, acc, idle);
    }
    // A parent that died (gone, zombie, or its PID reused) re-parents its children without them running.
    for (let i = 0; i < idle.length; i++) {
      const pid = idle[i];
      const p = processes.get(pid)!;
      if (p.ppid === 0) continue;
      const parent = processes.get(p.ppid);
      if (parent && parent.startTicks <= p.startTicks && parent.state !== 'Z' && parent.state !== 'X') continue;
      const t = this.tracked.get(pid)!;
      if (!this.readFull(pid, t, acc)) { processes.delete(pid); t.seen = 0; }
      if (slicer.due()) yield;
    }
    this.forgetGone(tick);
    gate.end(takenAt, resting.length === 0 || swept);
    // the next unlisted tick starts from what is known to be there now
    const kept = this.pidBufs[0] === pids ? this.pidBufs[1] : this.pidBufs[0];
    kept.length = 0;
    for (let i = 0; i < pids.length; i++) { const pid = pids[i]; if (this.tracked.get(pid)?.seen === tick) kept.push(pid); }
    this.lastPids = kept;

    for (const m of mounts.procPidMounts) {
      procMismatches.push({ pid: m.pid, reason: `something is mounted over ${m.mountPoint}` });
      // The mount may hide the entry's stat entirely: keep PID N in the table so the finding names it.
      if (!processes.has(m.pid)) processes.set(m.pid, coveredEntry(m.pid, takenAt));
    }
    const kernelThreadsVisible = processes.get(2)?.kernelThread === true;
    if (!kernelThreadsVisible) {
      warnings.push('No kernel threads are visible (container or PID namespace): kernel-thread impostor rules are off.');
    }
    const hidden = hidepidWarning(mounts, this.viewer);
    if (hidden) warnings.push(hidden);
    const unreadableExe = acc.unreadableExe;
    if (!this.isRoot && unreadableExe > 0) {
      warnings.push(`Not root: the executables of ${unreadableExe} processes could not be read (run as root for a full view).`);
    }
    const host: HostContext = {
      kernelThreadsVisible,
      hidepid: mounts.hidepid,
      ldSoPreload: readLdSoPreload(this.root),
      procMismatches,
      cpuCount: this.cpus,
      clockTicks: this.auxv.clockTicks,
      kernelThreadNames,
    };
    // The quick pass feeds no detection: which process holds which connection waits for the full sample.
    const connections = this.quick ? new Map<number, Connection[]>() : yield* this.sockets.connectionSteps(processes, takenAt, slicer);
    for (const c of this.sockets.unowned.slice(0, 5)) {
      warnings.push(`A connection to ${c.remoteAddress}:${c.remotePort} (a mining-pool port, ${c.state}) belongs to no process this reader can see${this.isRoot ? ' (a hidden process, or one in another PID namespace)' : ' (run as root)'}: socket inode ${c.inode}.`);
    }
    return {
      ...(this.quick ? { partial: true } : {}),
      takenAt,
      ...(taskTicks !== null ? { taskTicks } : {}),
      ...(gate.residualPct !== null ? { unaccountedPct: gate.residualPct } : {}),
      intervalMs,
      bootTime: this.bootTime,
      processes,
      connections,
      host,
      root: this.isRoot,
      unreadableExe,
      warnings,
    };
  }

  /**
   * A single-threaded process whose CPU time (schedstat) has not moved has not run: nothing in its
   * stat can have changed but its RSS and, when its session's terminal hangs up, its tty (both caught
   * by the periodic read), and its parent when that one dies (checked after the listing). Multi-threaded
   * processes are always read in full: schedstat counts the main thread only.
   */
  private statUnchangedIfIdle(t: Tracked, pid: number, takenAt: number): boolean {
    return t.schedFd >= 0 && t.st !== null && t.st.numThreads === 1 && t.info !== null && !t.mismatch
      && takenAt - t.statAt < STAT_REFRESH_MS + (pid % 16) * 1000;
  }

  /** Check one listed process: its run time when that says it stayed idle, else its stat in full. */
  private visit(pid: number, t: Tracked | undefined, acc: TickState, idle: number[]): void {
    const buf = this.statBuf;
    this.checked++;
    if (t && this.statUnchangedIfIdle(t, pid, acc.takenAt)) {
      const n = preadStart(t.schedFd, buf);
      const runtime = n > 0 ? leadingNumber(buf, n) : -1;
      if (runtime > 0 && runtime === t.runtime) {
        t.idleRuns++;
        t.confirmedAt = acc.takenAt;
        this.keepIdle(pid, t, acc, idle);
        return;
      }
      t.idleRuns = 0;
      if (n <= 0) this.dropSchedFd(t);
      else t.runtime = runtime;
    } else if (t && t.schedFd < 0 && t.st?.numThreads === 1 && (this.openStat < this.maxOpenStat || t.fd >= 0)) {
      // Second full read of a single-threaded process: start watching its run time (read before stat).
      // With every descriptor in use, its stat descriptor makes room: the run time is what is read every
      // check, stat only when it ran (then opened, read and closed).
      if (this.openStat >= this.maxOpenStat) this.dropFd(t);
      const fd = openPidFile(this.procRoot, pid, 'schedstat');
      if (fd >= 0) {
        const n = preadStart(fd, buf);
        if (n > 0) { t.schedFd = fd; this.openStat++; t.runtime = leadingNumber(buf, n); } else closeFd(fd);
      }
    }
    if (!t) { t = newTracked(); this.tracked.set(pid, t); }
    if (this.readFull(pid, t, acc)) t.seen = this.tick;
  }

  /** An idle process stays in the table as last read, at 0 % CPU. */
  private keepIdle(pid: number, t: Tracked, acc: TickState, idle: number[]): void {
    t.seen = this.tick;
    const info = t.info!.cpuPercent === 0 ? t.info! : { ...t.info!, cpuPercent: 0 };
    t.info = info;
    acc.processes.set(pid, info);
    if (info.kernelThread) acc.kernelThreadNames.add(info.name);
    if (info.exeError === 'EACCES') acc.unreadableExe++;
    idle.push(pid);
  }

  /**
   * Read /proc/PID/stat (through the kept descriptor when there is one), the identity when due, and put
   * the process in the table. False when the process is gone or its stat unreadable.
   */
  private readFull(pid: number, t: Tracked, acc: TickState): boolean {
    const buf = this.statBuf;
    let n = -1;
    if (t.fd >= 0) {
      n = preadStart(t.fd, buf);
      if (n <= 0) { this.dropFd(t); this.dropSchedFd(t); n = -1; } // that process is gone; a new one may hold the PID
    }
    if (n < 0) {
      const fd = openPidFile(this.procRoot, pid, 'stat');
      if (fd < 0) return false; // vanished between listing and reading
      n = preadStart(fd, buf);
      // The quick pass keeps none: each doubling of the descriptor table (64, 128, ... entries) waits for
      // an RCU grace period when threads share it (Node's always do), 30-60 ms in all for 2,000 kept
      // descriptors, on the first frame's path. The first full sample opens them again, in its slices.
      if (n > 0 && !this.quick && this.openStat < this.maxOpenStat) {
        t.fd = fd;
        this.openStat++;
      } else {
        closeFd(fd);
      }
      if (n <= 0) return false;
    }
    const st = parseStatBytes(buf, n, t.id?.comm);
    if (!st) return false;
    t.mismatch = st.pid !== pid;
    if (t.mismatch) {
      // Listed as N but describing another process: a bind mount over /proc/N (H42/H43). Keep N in the
      // table, so the impostor is shown under its own PID, and let detection explain the mismatch.
      acc.procMismatches.push({ pid, reason: `/proc/${pid}/stat describes PID ${st.pid}` });
      st.pid = pid;
    }
    const { clockTicks, pageSize } = this.auxv;
    const kernelThread = (st.flags & PF_KTHREAD) !== 0;
    if (kernelThread) acc.kernelThreadNames.add(st.comm);
    const id = this.identity(t, pid, st, kernelThread, acc.takenAt);
    if (id.exeError === 'EACCES') acc.unreadableExe++;

    const ticks = st.utime + st.stime;
    const reaped = st.cutime + st.cstime;
    // What it ran (and reaped) since it was last read, against the kernel's total (restGate.ts): a process
    // seen for the first time started since the last listing, so all of its time is new.
    if (t.startTicks === st.startTicks) this.gate.charge(ticks - t.ticks + reaped - t.reaped);
    else {
      if (t.startTicks >= 0) this.gate.charge(-(t.ticks + t.reaped)); // the PID's previous holder is gone
      if (this.tick > 1) this.gate.charge(ticks + reaped);
    }
    let cpuPercent = 0;
    // CPU % over the time between this read and the last one, not between the samples' starts: a sample
    // that reads thousands of processes reads this one tens of ms after it began, and not always as late.
    const readAt = this.live ? this.now() : acc.takenAt;
    const since = readAt - t.confirmedAt; // = the tick interval, unless it rested
    if (t.startTicks === st.startTicks && t.confirmedAt > 0 && since > 0) {
      cpuPercent = Math.max(0, ((ticks - t.ticks) / clockTicks) / (since / 1000) * 100);
    }
    // Idle checks in a row (a process watched through schedstat counts them there)
    if (ticks !== t.ticks || t.startTicks !== st.startTicks) t.idleRuns = 0;
    else if (t.schedFd < 0) t.idleRuns++;
    t.confirmedAt = readAt;
    if (t.startTicks !== st.startTicks) t.runtime = -1; // another process under this PID: no run time known
    t.startTicks = st.startTicks;
    t.ticks = ticks;
    t.reaped = reaped;
    t.st = st;
    t.statAt = acc.takenAt;
    const user = userName(this.accounts, id.uid);
    const prev = t.info;
    const info: ProcessInfo = prev && cpuPercent === 0 && prev.cpuPercent === 0 && sameStat(prev, st, id, user, pageSize)
      ? prev
      : {
        pid,
        ppid: st.ppid,
        name: st.comm,
        state: st.state,
        pgrp: st.pgrp,
        session: st.session,
        ttyNr: st.ttyNr,
        flags: st.flags,
        kernelThread,
        uid: id.uid,
        user,
        startTicks: st.startTicks,
        startTime: startTimeMs(this.bootTime, st.startTicks, clockTicks),
        cmdline: id.cmdline,
        exe: id.exe,
        exeDeleted: id.exeDeleted,
        exeMemfd: id.exeMemfd,
        exeError: id.exeError,
        exePathExists: id.exePathExists,
        cwd: id.cwd,
        cgroup: id.cgroup,
        threads: st.numThreads,
        rssBytes: st.rssPages * pageSize,
        cpuTicks: ticks,
        cpuPercent,
        preloadEnv: id.preloadEnv,
        ...(id.pidNsDepth !== null ? { pidNsDepth: id.pidNsDepth } : {}),
      };
    t.info = info;
    acc.processes.set(pid, info);
    return true;
  }

  private dropFd(t: Tracked): void {
    if (t.fd < 0) return;
    closeFd(t.fd);
    t.fd = -1;
    this.openStat--;
  }

  private dropSchedFd(t: Tracked): void {
    if (t.schedFd < 0) return;
    closeFd(t.schedFd);
    t.schedFd = -1;
    t.runtime = -1;
    this.openStat--;
  }

  private identity(t: Tracked, pid: number, st: StatFields, kernelThread: boolean, now: number): Identity {
    const cached = t.id;
    const ranTicks = st.utime + st.stime;
    // A kernel thread cannot execve: its renames (a kworker's name says which work queue it last served,
    // and changes all the time) change nothing read here. Its identity stays, under the new name.
    if (kernelThread && cached && cached.startTicks === st.startTicks && cached.comm !== st.comm) cached.comm = st.comm;
    if (cached && cached.startTicks === st.startTicks && cached.comm === st.comm && !cached.partial
      && now - cached.readAt < (cached.ranTicks === ranTicks ? IDLE_REFRESH_MS : REFRESH_MS) + (pid % 16) * 1000) {
      return cached;
    }
    if (this.quick && !cached) {
      t.id = unreadIdentity(st, now);
      this.pending.push(pid);
      return t.id;
    }
    if (this.quick && cached?.partial) {
      this.pending.push(pid);
      return cached;
    }
    const fresh = readIdentity(this.source, identityInput(pid, st, kernelThread), now);
    // A periodic re-read that found nothing new keeps the old object (and its cmdline array), so that
    // consumers can tell "unchanged" by reference.
    if (cached && !cached.partial && cached.startTicks === fresh.startTicks && cached.comm === fresh.comm && sameIdentity(cached, fresh)) {
      cached.readAt = now;
      cached.ranTicks = ranTicks;
      return cached;
    }
    t.id = fresh;
    return fresh;
  }

  /**
   * Read the identity of at most `max` processes that the last stat-only sample left unread; returns how
   * many are still unread. A process gone meanwhile is left to the next sample.
   */
  readIdentities(max = Infinity): number {
    const now = this.now();
    let n = 0;
    while (this.pending.length > 0 && n < max) {
      const pid = this.pending.pop()!;
      const t = this.stillUnread(pid);
      if (!t) continue;
      t.id = readIdentity(this.source, identityInput(pid, t.st, (t.st.flags & PF_KTHREAD) !== 0), now);
      n++;
    }
    return this.pending.length;
  }

  /** The tracked process of a PID a stat-only sample left unread, while it is still that process and unread. */
  private stillUnread(pid: number): (Tracked & { st: StatFields; id: Identity }) | null {
    const t = this.tracked.get(pid);
    return t?.st && t.id?.partial && t.id.startTicks === t.st.startTicks ? t as Tracked & { st: StatFields; id: Identity } : null;
  }

  /** How many identities the last stat-only sample left unread (at most: some may have gone). */
  get unreadIdentities(): number {
    return this.pending.length;
  }

  /**
   * Take up to `n` of the identities the last stat-only sample left unread, as a job another thread can
   * read (identityPool.ts), with the cgroups the walk answered for them. Hand the result to putIdentities;
   * should the job fail, hand its inputs back with returnPending.
   */
  takePending(n: number): IdentityJob {
    const inputs: IdentityInput[] = [];
    const cgroups: [number, string][] = [];
    while (inputs.length < n && this.pending.length > 0) {
      const pid = this.pending.pop()!;
      const t = this.stillUnread(pid);
      if (!t) continue;
      inputs.push(identityInput(pid, t.st, (t.st.flags & PF_KTHREAD) !== 0));
      const cgroup = this.cgroupMap?.get(pid);
      if (cgroup !== undefined) cgroups.push([pid, cgroup]);
    }
    return { procRoot: this.procRoot, root: this.root, live: this.live, now: this.now(), inputs, cgroups };
  }

  /**
   * Identities read elsewhere for a job of takePending, in its order. Each is kept only if its process is
   * still the one it was read for and still unread. Returns how many were kept.
   */
  putIdentities(job: IdentityJob, ids: readonly Identity[]): number {
    let kept = 0;
    job.inputs.forEach((input, i) => {
      const t = this.stillUnread(input.pid);
      const id = ids[i];
      if (!id || !t || t.st.startTicks !== input.startTicks || id.startTicks !== input.startTicks) return;
      t.id = id;
      kept++;
    });
    return kept;
  }

  /** A job that could not be read elsewhere: its identities are left to readIdentities again. */
  returnPending(job: IdentityJob): void {
    for (const input of job.inputs) this.pending.push(input.pid);
  }

  /**
   * Read every process's cgroup in one walk of the cgroup2 mount (cgroupTree.ts) for the identities read
   * until the next sample (readIdentities): a few hundred reads instead of one per process. A process the
   * walk does not answer for reads /proc/PID/cgroup as before. Only on a live procfs of this process's
   * own PID namespace, and only when the walk agrees with /proc/self/cgroup. Returns how many it answered.
   */
  prefetchCgroups(): number {
    this.cgroupMap = null;
    // the walk is done: the next full sample need not do it again for what is left
    this.identitiesDue = false;
    if (!this.live || !this.mountText) return 0;
    const self = readLink(this.procRoot + '/self');
    if (!self.ok || self.target !== String(process.pid)) return 0;
    const mount = cgroup2MountPoint(this.mountText);
    const map = mount ? readCgroupTree(mount) : null;
    if (!map || map.get(process.pid) !== attempt(() => readCgroup(this.procRoot, process.pid))) return 0;
    this.cgroupMap = map;
    return map.size;
  }

  /**
   * Look up the network namespace of every process of `snapshot` now, for the socket attribution of the
   * next full sample (SocketAttribution.lookUpNamespaces): a one-shot scan does it inside its CPU window.
   */
  prefetchNamespaces(snapshot: Snapshot): void {
    this.sockets.lookUpNamespaces(snapshot.processes, this.now());
  }

  /**
   * The quick pass's processes among `pids` (the rows the first frame shows) get their command line and
   * owner; the others stay as the quick pass left them. A new snapshot; the quick one is not changed.
   */
  completeQuick(snapshot: Snapshot, pids: Iterable<number>): Snapshot {
    const processes = new Map(snapshot.processes);
    for (const pid of pids) {
      const t = this.tracked.get(pid);
      const id = t?.id;
      const p = processes.get(pid);
      if (!t || !id || !p || !id.partial || id.named || p.startTicks !== id.startTicks) continue;
      id.uid = this.live ? attempt(() => readOwner(this.procRoot, pid)) : attempt(() => readStatusBrief(this.procRoot, pid))?.effectiveUid ?? null;
      id.cmdline = p.kernelThread ? [] : attempt(() => readCmdline(this.procRoot, pid).argv) ?? [];
      id.named = true;
      const info = { ...p, uid: id.uid, user: userName(this.accounts, id.uid), cmdline: id.cmdline };
      t.info = info;
      processes.set(pid, info);
    }
    return { ...snapshot, processes };
  }



  private forgetGone(tick: number): void {
    this.tracked.forEach((t, pid) => {
      if (t.seen === tick) return;
      // Its parent's reaped time now holds its whole life: take back what was charged for it already,
      // and wake the parent (no rest until it is idle again), so that the next tick reads that reaped
      // time back instead of finding it unexplained and checking every resting process.
      if (t.startTicks >= 0) this.gate.charge(-(t.ticks + t.reaped));
      const parent = t.info ? this.tracked.get(t.info.ppid) : undefined;
      if (parent) parent.idleRuns = 0;
      this.dropFd(t);
      this.dropSchedFd(t);
      this.tracked.delete(pid);
    });
  }

}

/**
 * A process idle for several checks in a row, whose stat is not due for its periodic read, may rest
 * (restGate.ts). Its check, when it comes, is a schedstat read or, without that descriptor, stat.
 */
function canRest(t: Tracked, pid: number, takenAt: number): boolean {
  return t.info !== null && !t.mismatch && t.idleRuns >= IDLE_RUNS_BEFORE_RESTING
    && takenAt - t.statAt < STAT_REFRESH_MS + (pid % 16) * 1000;
}

interface TickState {
  takenAt: number;
  intervalMs: number;
  processes: Map<number, ProcessInfo>;
  procMismatches: { pid: number; reason: string }[];
  kernelThreadNames: Set<string>;
  unreadableExe: number;
}

/** A PID whose /proc entry is covered by a mount and unreadable: what is known is its number. */
function coveredEntry(pid: number, now: number): ProcessInfo {
  return {
    pid, ppid: 0, name: '?', state: '?', pgrp: 0, session: 0, ttyNr: 0, flags: 0, kernelThread: false, uid: -1, user: '?',
    startTicks: 0, startTime: now, cmdline: [], exe: null, exeDeleted: false, exeMemfd: false, exeError: 'EOTHER',
    exePathExists: null, cwd: null, cgroup: null, threads: 0, rssBytes: 0, cpuTicks: 0, cpuPercent: 0, preloadEnv: null,
  };
}

/** Whether a ProcessInfo still says everything this stat and identity say (CPU % aside). */
function sameStat(p: ProcessInfo, st: StatFields, id: Identity, user: string, pageSize: number): boolean {
  return p.ppid === st.ppid && p.name === st.comm && p.state === st.state && p.pgrp === st.pgrp
    && p.session === st.session && p.ttyNr === st.ttyNr && p.flags === st.flags && p.startTicks === st.startTicks
    && p.threads === st.numThreads && p.rssBytes === st.rssPages * pageSize && p.cpuTicks === st.utime + st.stime
    && p.uid === id.uid && p.user === user && p.cmdline === id.cmdline && p.exe === id.exe
    && p.exeDeleted === id.exeDeleted && p.exeMemfd === id.exeMemfd && p.exeError === id.exeError
    && p.exePathExists === id.exePathExists && p.cwd === id.cwd && p.cgroup === id.cgroup && p.preloadEnv === id.preloadEnv
    && (p.pidNsDepth ?? null) === id.pidNsDepth;
}
