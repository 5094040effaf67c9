// The process table, straight from /proc. One ProcReader lives as long as the program and is sampled
// once per tick. Per tick it reads the /proc listing and each process's stat (CPU, state, name, ppid,
// threads, RSS). What cannot change for a (pid, start time) pair (uid, cmdline, exe, cwd, cgroup,
// environment) is read once and cached; it is re-read when the process renames itself (comm changed,
// which also happens on execve) and otherwise every REFRESH_MS, spread over ticks.
// The reader spawns no child process and never imports React.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection, HostContext, ProcessInfo, ReadFailure, Snapshot } from '../model';
import { readBytes, readLink, readSmall, readText, splitNul } from './files';
import { cpuCount, readAuxv, readBootTime, readLdSoPreload, readMountFacts } from './host';
import { findSocketOwners, isPrivateAddress, readConnections } from './net';
import { PF_KTHREAD, parseStat, type StatFields } from './stat';
import { readAccounts, userName, type Account } from './users';

const REFRESH_MS = 30_000;
const PRELOAD_VARS = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT'];

interface Identity {
  startTicks: number;
  comm: string;
  readAt: number;
  uid: number;
  cmdline: string[];
  exe: string | null;
  exeDeleted: boolean;
  exeMemfd: boolean;
  exeError: ReadFailure | null;
  exePathExists: boolean | null;
  cwd: string | null;
  cgroup: string | null;
  preloadEnv: Record<string, string> | null;
}

export interface ReaderOptions {
  procRoot?: string;
  root?: string;
  /** Remote ports whose connections are attributed to processes (socket inode → PID). */
  watchPorts?: ReadonlySet<number>;
  now?: () => number;
}

export function parseExeLink(target: string): { exe: string; deleted: boolean; memfd: boolean } {
  const deleted = target.endsWith(' (deleted)');
  const exe = deleted ? target.slice(0, -' (deleted)'.length) : target;
  return { exe, deleted, memfd: exe.startsWith('/memfd:') };
}

/** The unified cgroup (v2 "0::") path, or the name=systemd hierarchy on cgroup v1 hosts. */
export function parseCgroup(text: string): string | null {
  let v1: string | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) return line.slice(3);
    const m = /^\d+:name=systemd:(.*)$/.exec(line);
    if (m) v1 = m[1];
  }
  return v1;
}

export function parseStatusUid(text: string): number | null {
  const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(text);
  return m ? Number(m[2]) : null; // effective uid, as ps shows it
}

export class ProcReader {
  readonly procRoot: string;
  readonly root: string;
  private readonly now: () => number;
  private readonly watchPorts: ReadonlySet<number>;
  private readonly identities = new Map<number, Identity>();
  private readonly prevCpu = new Map<number, { startTicks: number; ticks: number }>();
  private readonly socketOwners = new Map<number, number>();
  private lastSample = 0;
  private accounts: Map<number, Account>;
  private accountsReadAt: number;
  private readonly auxv = readAuxv();
  private readonly bootTime: number;
  private readonly cpus: number;
  readonly isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  constructor(opts: ReaderOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.root = opts.root ?? '/';
    this.now = opts.now ?? Date.now;
    this.watchPorts = opts.watchPorts ?? new Set();
    this.bootTime = readBootTime(this.procRoot);
    this.cpus = cpuCount(this.procRoot);
    this.accounts = readAccounts(this.root);
    this.accountsReadAt = this.now();
  }

  get clockTicks(): number {
    return this.auxv.clockTicks;
  }

  /** Take one sample of the whole table. CPU % is computed against the previous sample. */
  sample(): Snapshot {
    const takenAt = this.now();
    const intervalMs = this.lastSample ? takenAt - this.lastSample : 0;
    this.lastSample = takenAt;
    if (takenAt - this.accountsReadAt > 60_000) {
      this.accounts = readAccounts(this.root);
      this.accountsReadAt = takenAt;
    }
    const warnings: string[] = [];
    const processes = new Map<number, ProcessInfo>();
    const procMismatches: { pid: number; reason: string }[] = [];
    const kernelThreadNames = new Set<string>();
    let unreadableExe = 0;

    let entries: string[];
    try {
      entries = readdirSync(this.procRoot);
    } catch (err) {
      throw new Error(`cannot list ${this.procRoot}: ${(err as Error).message}`);
    }
    const { clockTicks, pageSize } = this.auxv;
    for (const entry of entries) {
      const c = entry.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const dir = this.procRoot + '/' + entry;
      const statBuf = readSmall(dir + '/stat');
      if (statBuf === null) continue; // vanished between listing and reading
      const st = parseStat(statBuf.toString('utf8'));
      if (!st) continue;
      if (st.pid !== pid) {
        // Listed as N but describing another process: a bind mount over /proc/N (H42/H43). Keep N in the
        // table, so the impostor is shown under its own PID, and let detection explain the mismatch.
        procMismatches.push({ pid, reason: `/proc/${pid}/stat describes PID ${st.pid}` });
        st.pid = pid;
      }
      const kernelThread = (st.flags & PF_KTHREAD) !== 0;
      if (kernelThread) kernelThreadNames.add(st.comm);
      const id = this.identity(pid, dir, st, kernelThread, takenAt);
      if (id.exeError === 'EACCES') unreadableExe++;

      const ticks = st.utime + st.stime;
      const prev = this.prevCpu.get(pid);
      let cpuPercent = 0;
      if (prev && prev.startTicks === st.startTicks && intervalMs > 0) {
        cpuPercent = Math.max(0, ((ticks - prev.ticks) / clockTicks) / (intervalMs / 1000) * 100);
      }
      this.prevCpu.set(pid, { startTicks: st.startTicks, ticks });

      processes.set(pid, {
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
        user: userName(this.accounts, id.uid),
        startTicks: st.startTicks,
        startTime: this.bootTime + (st.startTicks / clockTicks) * 1000,
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
      });
    }
    this.forgetGone(processes);

    const mounts = readMountFacts(this.procRoot);
    for (const m of mounts.procPidMounts) {
      procMismatches.push({ pid: m.pid, reason: `something is mounted over ${m.mountPoint}` });
    }
    const kernelThreadsVisible = processes.get(2)?.kernelThread === true;
    if (!kernelThreadsVisible) {
      warnings.push('No kernel threads are visible (container or PID namespace): kernel-thread impostor rules are off.');
    }
    if (mounts.hidepid) {
      warnings.push(`/proc is mounted with hidepid: processes of other users may be invisible${this.isRoot ? '' : ' (run as root)'}.`);
    }
    if (!this.isRoot && unreadableExe > 0) {
      warnings.push(`Not root: the executables of ${unreadableExe} processes could not be read (run as root for a full view).`);
    }
    const host: HostContext = {
      kernelThreadsVisible,
      hidepid: mounts.hidepid,
      ldSoPreload: readLdSoPreload(this.root),
      procMismatches,
      cpuCount: this.cpus,
      clockTicks,
      kernelThreadNames,
    };
    return {
      takenAt,
      intervalMs,
      bootTime: this.bootTime,
      processes,
      connections: this.connectionsByPid(processes),
      host,
      root: this.isRoot,
      unreadableExe,
      warnings,
    };
  }

  private identity(pid: number, dir: string, st: StatFields, kernelThread: boolean, now: number): Identity {
    const cached = this.identities.get(pid);
    if (cached && cached.startTicks === st.startTicks && cached.comm === st.comm
      && now - cached.readAt < REFRESH_MS + (pid % 16) * 1000) {
      return cached;
    }
    const fresh = this.readIdentity(dir, st, kernelThread, now);
    this.identities.set(pid, fresh);
    return fresh;
  }

  private readIdentity(dir: string, st: StatFields, kernelThread: boolean, now: number): Identity {
    const status = readText(dir + '/status', 8192);
    const uid = (status ? parseStatusUid(status) : null) ?? 0; // unreadable status: the process is exiting
    const id: Identity = {
      startTicks: st.startTicks, comm: st.comm, readAt: now, uid,
      cmdline: [], exe: null, exeDeleted: false, exeMemfd: false, exeError: null, exePathExists: null,
      cwd: null, cgroup: null, preloadEnv: null,
    };
    const cgroup = readText(dir + '/cgroup', 16 * 1024);
    id.cgroup = cgroup === null ? null : parseCgroup(cgroup);
    if (kernelThread) return id;
    const cmd = readBytes(dir + '/cmdline', 32 * 1024);
    id.cmdline = cmd ? splitNul(cmd) : [];
    const exe = readLink(dir + '/exe');
    if (exe.ok) {
      const parsed = parseExeLink(exe.target);
      id.exe = parsed.exe;
      id.exeDeleted = parsed.deleted;
      id.exeMemfd = parsed.memfd;
      if (parsed.deleted && !parsed.memfd) id.exePathExists = existsSync(join(this.root, parsed.exe));
    } else {
      id.exeError = exe.failure;
    }
    const cwd = readLink(dir + '/cwd');
    id.cwd = cwd.ok ? cwd.target : null;
    const env = readBytes(dir + '/environ', 256 * 1024);
    if (env) {
      const found: Record<string, string> = {};
      for (const kv of splitNul(env)) {
        const eq = kv.indexOf('=');
        if (eq > 0 && PRELOAD_VARS.includes(kv.slice(0, eq))) found[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      id.preloadEnv = found;
    }
    return id;
  }

  private forgetGone(live: Map<number, ProcessInfo>): void {
    for (const pid of this.identities.keys()) if (!live.has(pid)) this.identities.delete(pid);
    for (const pid of this.prevCpu.keys()) if (!live.has(pid)) this.prevCpu.delete(pid);
  }

  /** Established or opening TCP connections to public addresses on watched ports, by owning PID. */
  private connectionsByPid(processes: Map<number, ProcessInfo>): Map<number, Connection[]> {
    const result = new Map<number, Connection[]>();
    if (this.watchPorts.size === 0) return result;
    const candidates = readConnections(this.procRoot).filter((c) =>
      (c.state === 'ESTABLISHED' || c.state === 'SYN_SENT') && this.watchPorts.has(c.remotePort)
      && !isPrivateAddress(c.remoteAddress) && c.inode > 0);
    const unknown = new Set<number>();
    for (const c of candidates) {
      const owner = this.socketOwners.get(c.inode);
      if (owner === undefined || !processes.has(owner)) unknown.add(c.inode);
    }
    if (unknown.size > 0) {
      const userPids = [...processes.values()].filter((p) => !p.kernelThread).map((p) => p.pid);
      for (const [inode, pid] of findSocketOwners(this.procRoot, userPids, unknown)) this.socketOwners.set(inode, pid);
    }
    const live = new Set(candidates.map((c) => c.inode));
    for (const inode of this.socketOwners.keys()) if (!live.has(inode)) this.socketOwners.delete(inode);
    for (const c of candidates) {
      const pid = this.socketOwners.get(c.inode);
      if (pid === undefined) continue;
      const list = result.get(pid) ?? [];
      list.push(c);
      result.set(pid, list);
    }
    return result;
  }
}
