// Socket attribution: which process holds a TCP connection to a watched (mining pool) port. The
// host's TCP tables (net.ts) name a socket inode; the owner is found by reading /proc/PID/fd links, one
// readlink per open descriptor, so it is done only for inodes not placed before, and the tables are
// re-read only when the socket counts in sockstat move (at most every NET_REREAD_MS) and at least every
// NET_REFRESH_MS.
import type { Connection, ProcessInfo } from '../model';
import { readText } from './files';
import { isLoopbackAddress, isPrivateAddress, parseProcNetTcp, readConnections } from './net';
import { attempt, forEachFd, readNamespace, readNetTable, socketInode } from './pid';
import type { Slicer } from '../slicer';

/**
 * Reading /proc/net/tcp (or tcp6, or a container's /proc/PID/net/tcp) walks the kernel's whole
 * established-connection hash table, which every network namespace shares and which is sized by the
 * host's memory, not by its connections: 4.5 ms per file on a 24 GB host with one socket open (262,144
 * buckets), more on bigger hosts, again for each container's namespace. A host whose socket counts move
 * every second would pay that every tick; these bound it. A pool connection that opens moves the counts
 * and is seen within NET_REREAD_MS; one that exactly replaces a closed socket, within NET_REFRESH_MS.
 */
const NET_REREAD_MS = 5_000;
const NET_REFRESH_MS = 30_000;
/**
 * How often the network namespace of a process that ran since its last lookup is looked up again (new
 * PIDs are looked up at once). One that has not run cannot have entered another (setns, unshare).
 */
const NS_REFRESH_MS = 30_000;

/** "inuse/alloc" of TCP and TCP6 from <proc>/net/sockstat{,6}: moves when sockets are opened or closed. */
function socketSignature(procRoot: string): string | null {
  const v4 = readText(procRoot + '/net/sockstat', 4096);
  const v6 = readText(procRoot + '/net/sockstat6', 4096);
  if (v4 === null) return null;
  const a = /^TCP: inuse (\d+) .*alloc (\d+)/m.exec(v4);
  const b = v6 === null ? null : /^TCP6: inuse (\d+)/m.exec(v6);
  if (!a) return null;
  return `${a[1]}/${a[2]}/${b ? b[1] : '-'}`;
}

/**
 * Find which processes hold the given socket inodes by reading /proc/PID/fd links. Costly (one readlink
 * per open fd), so callers ask only for inodes they do not already know, which is rare.
 */
function* findSocketOwners(procRoot: string, pids: Iterable<number>, inodes: Set<number>, slicer: Slicer): Generator<void, Map<number, number>, void> {
  const owners = new Map<number, number>();
  if (inodes.size === 0) return owners;
  for (const pid of pids) {
    if (slicer.due()) yield;
    try {
      forEachFd(procRoot, pid, (_fd, target) => {
        const inode = socketInode(target);
        if (inode === null || !inodes.has(inode)) return false;
        owners.set(inode, pid);
        return owners.size === inodes.size;
      });
    } catch {
      continue; // gone, or not ours to read
    }
    if (owners.size === inodes.size) return owners;
  }
  return owners;
}

/** Remembers socket owners between ticks; one per ProcReader. */
export class SocketAttribution {
  private readonly owners = new Map<number, number>();
  private signature: string | null = null;
  private readAt = 0;
  private candidates: Connection[] = [];
  /** Inodes looked for in /proc/PID/fd without finding an owner since the tables were last read. */
  private readonly ownerless = new Set<number>();
  /** Watched connections no visible process holds, at the last attribution: reported, never dropped. */
  unowned: Connection[] = [];

  /** `loopbackPorts`: ports watched on loopback too (a local stratum proxy listens there). */
  constructor(private readonly procRoot: string, private readonly watchPorts: ReadonlySet<number>,
    private readonly loopbackPorts: ReadonlySet<number> = new Set()) {}

  /** Network namespace per PID (with the start time and CPU time it was read at), and when all were last read. */
  private readonly netns = new Map<number, { startTicks: number; cpuTicks: number; ns: number | null }>();
  private nsReadAt = 0;

  private lookUp(p: ProcessInfo): { startTicks: number; cpuTicks: number; ns: number | null } {
    const e = { startTicks: p.startTicks, cpuTicks: p.cpuTicks, ns: readNamespace(this.procRoot, p.pid, 'net') };
    this.netns.set(p.pid, e);
    return e;
  }

  /**
   * Look up the network namespace of every process now, as the periodic lookup of the next attribution
   * would (within NS_REFRESH_MS it then looks up only new PIDs): a one-shot scan does it inside its CPU
   * window, where the main thread would otherwise wait, instead of in the sample that closes it (0.12 s
   * at 20,000 processes).
   */
  lookUpNamespaces(processes: Map<number, ProcessInfo>, now: number): void {
    if (this.watchPorts.size === 0) return;
    for (const p of processes.values()) if (!p.kernelThread) this.lookUp(p);
    this.nsReadAt = now;
  }

  private watched(c: Connection): boolean {
    return (c.state === 'ESTABLISHED' || c.state === 'SYN_SENT') && this.watchPorts.has(c.remotePort) && c.inode > 0
      && (!isPrivateAddress(c.remoteAddress) || (isLoopbackAddress(c.remoteAddress) && this.loopbackPorts.has(c.remotePort)));
  }

  /**
   * Connections of other network namespaces (containers): /proc/PID/net/tcp{,6} read once per distinct
   * namespace, through one of its processes. Namespaces are looked up for new PIDs at once and, every
   * NS_REFRESH_MS, for those that ran since their last lookup (a readlink each).
   */
  private *foreignConnections(processes: Map<number, ProcessInfo>, now: number, slicer: Slicer): Generator<void, Connection[], void> {
    const own = readNamespace(this.procRoot, process.pid, 'net');
    if (own === null) return [];
    const all = now - this.nsReadAt >= NS_REFRESH_MS || now < this.nsReadAt;
    if (all) this.nsReadAt = now;
    const holder = new Map<number, number>();
    for (const p of processes.values()) {
      if (p.kernelThread) continue;
      let e = this.netns.get(p.pid);
      if (!e || e.startTicks !== p.startTicks || (all && e.cpuTicks !== p.cpuTicks)) {
        e = this.lookUp(p);
        if (slicer.due()) yield;
      }
      if (e.ns !== null && e.ns !== own && !holder.has(e.ns)) holder.set(e.ns, p.pid);
    }
    if (this.netns.size > processes.size * 2) for (const pid of this.netns.keys()) if (!processes.has(pid)) this.netns.delete(pid);
    const out: Connection[] = [];
    for (const pid of holder.values()) {
      for (const table of ['tcp', 'tcp6'] as const) {
        const text = attempt(() => readNetTable(this.procRoot, pid, table));
        if (text) for (const c of parseProcNetTcp(text, table)) if (this.watched(c)) out.push(c);
      }
    }
    return out;
  }

  /**
   * Established or opening TCP connections to public addresses (or loopback proxies) on watched ports, by
   * owning PID. A pass of the reader's sample: it yields where `slicer` says (slicer.ts), since on a new
   * host every process's network namespace is looked up (a readlink each, 0.26 s at 20,000 processes).
   */
  *connectionSteps(processes: Map<number, ProcessInfo>, now: number, slicer: Slicer): Generator<void, Map<number, Connection[]>, void> {
    const result = new Map<number, Connection[]>();
    if (this.watchPorts.size === 0) return result;
    const signature = socketSignature(this.procRoot);
    const age = now - this.readAt;
    if (signature === null || age < 0 || age >= NET_REFRESH_MS || (signature !== this.signature && age >= NET_REREAD_MS)) {
      this.candidates = readConnections(this.procRoot).filter((c) => this.watched(c));
      const seen = new Set(this.candidates.map((c) => c.inode));
      for (const c of yield* this.foreignConnections(processes, now, slicer)) if (!seen.has(c.inode)) { seen.add(c.inode); this.candidates.push(c); }
      this.signature = signature;
      this.readAt = now;
      this.ownerless.clear();
    }
    const candidates = this.candidates;
    const unknown = new Set<number>();
    for (const c of candidates) {
      const owner = this.owners.get(c.inode);
      if ((owner === undefined || !processes.has(owner)) && !this.ownerless.has(c.inode)) unknown.add(c.inode);
    }
    if (unknown.size > 0) {
      // An inode we could not place (another user's, when not root) is looked for again only after the
      // tables are re-read.
      const userPids = [...processes.values()].filter((p) => !p.kernelThread).map((p) => p.pid);
      const found = yield* findSocketOwners(this.procRoot, userPids, unknown, slicer);
      for (const [inode, pid] of found) this.owners.set(inode, pid);
      for (const inode of unknown) if (!found.has(inode)) this.ownerless.add(inode);
    }
    const live = new Set(candidates.map((c) => c.inode));
    for (const inode of this.owners.keys()) if (!live.has(inode)) this.owners.delete(inode);
    this.unowned = [];
    for (const c of candidates) {
      const pid = this.owners.get(c.inode);
      if (pid === undefined || !processes.has(pid)) { this.unowned.push(c); continue; }
      const list = result.get(pid) ?? [];
      list.push(c);
      result.set(pid, list);
    }
    return result;
  }
}
