// Socket attribution: which process holds a TCP connection to a watched (mining pool) port. The
// host's TCP tables (net.ts) name a socket inode; the owner is found by reading /proc/PID/fd links, one
// readlink per open descriptor, so it is done only for inodes not placed before, and the tables are
// re-read only when the socket counts in sockstat move (they cost ~1 ms each on a busy host), and at
// least every NET_REFRESH_MS.
import type { Connection, ProcessInfo } from '../model';
import { readText } from './files';
import { isLoopbackAddress, isPrivateAddress, readConnections } from './net';
import { forEachFd, socketInode } from './pid';

const NET_REFRESH_MS = 5_000;

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
export function findSocketOwners(procRoot: string, pids: Iterable<number>, inodes: Set<number>): Map<number, number> {
  const owners = new Map<number, number>();
  if (inodes.size === 0) return owners;
  for (const pid of pids) {
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

  /** Established or opening TCP connections to public addresses (or loopback proxies) on watched ports, by owning PID. */
  connectionsByPid(processes: Map<number, ProcessInfo>, now: number): Map<number, Connection[]> {
    const result = new Map<number, Connection[]>();
    if (this.watchPorts.size === 0) return result;
    const signature = socketSignature(this.procRoot);
    if (signature === null || signature !== this.signature || now - this.readAt >= NET_REFRESH_MS || now < this.readAt) {
      this.candidates = readConnections(this.procRoot).filter((c) =>
        (c.state === 'ESTABLISHED' || c.state === 'SYN_SENT') && this.watchPorts.has(c.remotePort) && c.inode > 0
        && (!isPrivateAddress(c.remoteAddress) || (isLoopbackAddress(c.remoteAddress) && this.loopbackPorts.has(c.remotePort))));
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
      const found = findSocketOwners(this.procRoot, userPids, unknown);
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
