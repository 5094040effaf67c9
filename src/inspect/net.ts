// The `ss -tulnp` / `lsof -i` of one process: its socket inodes matched against
// <procRoot>/PID/net/{tcp,tcp6,udp,udp6} (the tables of the process's own network namespace).

import type { InspectConnection } from './types';
import { readNetTable } from '../procfs/pid';
import { MiB } from './util';

/** Ports mining pools commonly listen on (stratum). A hint, not proof. */
export const POOL_PORTS: ReadonlySet<number> = new Set([
  3333, 3334, 3335, 3336, 3357, 4444, 5555, 5556, 6666, 7777, 9999, 10128, 10343, 13333, 14433, 14444, 20128, 45560,
  45700,
]);

const TCP_STATES: Record<number, string> = {
  0x01: 'ESTABLISHED',
  0x02: 'SYN_SENT',
  0x03: 'SYN_RECV',
  0x04: 'FIN_WAIT1',
  0x05: 'FIN_WAIT2',
  0x06: 'TIME_WAIT',
  0x07: 'CLOSE',
  0x08: 'CLOSE_WAIT',
  0x09: 'LAST_ACK',
  0x0a: 'LISTEN',
  0x0b: 'CLOSING',
  0x0c: 'NEW_SYN_RECV',
};

/** Kernel-formatted address (host byte order words, little-endian on x86/arm) to text. */
export function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    const b = Buffer.from(hex, 'hex');
    return `${b[3]}.${b[2]}.${b[1]}.${b[0]}`;
  }
  if (hex.length === 32) {
    const bytes = Buffer.alloc(16);
    for (let w = 0; w < 4; w++) {
      const word = Buffer.from(hex.slice(w * 8, w * 8 + 8), 'hex');
      for (let i = 0; i < 4; i++) bytes[w * 4 + i] = word[3 - i]!;
    }
    // IPv4-mapped (::ffff:a.b.c.d)
    if (bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
      return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
    }
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
    // Compress the longest run of zero groups (length >= 2), as inet_ntop does.
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < 8; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < 8 && groups[j] === 0) j++;
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hexes = groups.map((g) => g.toString(16));
    if (bestStart < 0) return hexes.join(':');
    return hexes.slice(0, bestStart).join(':') + '::' + hexes.slice(bestStart + bestLen).join(':');
  }
  return hex;
}

export interface NetEntry {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  stateCode: number;
  inode: number;
}

/** Parse the lines of a /proc/net/tcp-style table (header skipped), optionally only some inodes. */
export function parseNetTable(text: string, only?: ReadonlySet<number>): NetEntry[] {
  const out: NetEntry[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (only && !only.has(Number(f[9]))) continue; // a busy server has 100k rows: decode only ours
    const [la, lp] = f[1]!.split(':');
    const [ra, rp] = f[2]!.split(':');
    if (!la || !lp || !ra || !rp) continue;
    const inode = Number(f[9]);
    if (!Number.isInteger(inode)) continue;
    out.push({
      localAddress: decodeAddress(la),
      localPort: parseInt(lp, 16),
      remoteAddress: decodeAddress(ra),
      remotePort: parseInt(rp, 16),
      stateCode: parseInt(f[3]!, 16),
      inode,
    });
  }
  return out;
}

function stateName(protocol: InspectConnection['protocol'], code: number): string {
  if (protocol.startsWith('udp')) return code === 0x01 ? 'ESTABLISHED' : code === 0x07 ? 'UNCONN' : `0x${code.toString(16)}`;
  return TCP_STATES[code] ?? `0x${code.toString(16)}`;
}

const TABLE_CAP = 32 * MiB;

/**
 * Connections of `pid` whose inode is among `socketInodes`. Throws when no table was readable;
 * a missing table (no IPv6, say) is skipped.
 */
export function readConnections(procRoot: string, pid: number, socketInodes: readonly number[]): InspectConnection[] {
  const wanted = new Set(socketInodes);
  const out: InspectConnection[] = [];
  let readable = 0;
  let firstErr: unknown = null;
  for (const protocol of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let text: string;
    try {
      text = readNetTable(procRoot, pid, protocol, TABLE_CAP);
      readable++;
    } catch (err) {
      firstErr ??= err;
      continue;
    }
    if (wanted.size === 0) continue;
    for (const e of parseNetTable(text, wanted)) {
      const state = stateName(protocol, e.stateCode);
      const listening = state === 'LISTEN' || (state === 'UNCONN' && e.remotePort === 0);
      out.push({
        protocol,
        localAddress: e.localAddress,
        localPort: e.localPort,
        remoteAddress: e.remoteAddress,
        remotePort: e.remotePort,
        state,
        inode: e.inode,
        poolPort: listening ? POOL_PORTS.has(e.localPort) : POOL_PORTS.has(e.remotePort),
      });
    }
  }
  if (readable === 0 && firstErr) throw firstErr;
  return out;
}
