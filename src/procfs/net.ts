// TCP connections from <proc>/net/tcp and tcp6 (kernel Documentation/networking/proc_net_tcp.rst).
// Which process holds one is sockets.ts's job.
import { join } from 'node:path';
import type { Connection } from '../model';
import { readText } from './files';

export const TCP_STATES: Record<string, string> = {
  '01': 'ESTABLISHED', '02': 'SYN_SENT', '03': 'SYN_RECV', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2',
  '06': 'TIME_WAIT', '07': 'CLOSE', '08': 'CLOSE_WAIT', '09': 'LAST_ACK', '0A': 'LISTEN', '0B': 'CLOSING',
};

function hexIPv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function hexIPv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) {
    return bytes.slice(12).join('.');
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

export function parseProcNetTcp(text: string, protocol: 'tcp' | 'tcp6'): Connection[] {
  const out: Connection[] = [];
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10) continue;
    const [la, lp] = f[1].split(':');
    const [ra, rp] = f[2].split(':');
    if (!la || !lp || !ra || !rp) continue;
    const decode = protocol === 'tcp' ? hexIPv4 : hexIPv6;
    out.push({
      protocol,
      localAddress: decode(la),
      localPort: parseInt(lp, 16),
      remoteAddress: decode(ra),
      remotePort: parseInt(rp, 16),
      state: TCP_STATES[f[3].toUpperCase()] ?? f[3],
      inode: Number(f[9]),
    });
  }
  return out;
}

export function readConnections(procRoot: string): Connection[] {
  const out: Connection[] = [];
  for (const protocol of ['tcp', 'tcp6'] as const) {
    const text = readText(join(procRoot, 'net', protocol), 16 * 1024 * 1024);
    if (text) out.push(...parseProcNetTcp(text, protocol));
  }
  return out;
}

/** Loopback, private (RFC 1918, ULA), link-local and unspecified addresses: never a mining pool. */
/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: a local proxy. */
export function isLoopbackAddress(addr: string): boolean {
  return /^127\./.test(addr) || addr === '::1' || /^::ffff:127\./i.test(addr);
}

export function isPrivateAddress(addr: string): boolean {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) {
    const [a, b] = addr.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)
      || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  const lower = addr.toLowerCase();
  return lower === '::' || lower === '::1' || /^fe[89ab]/.test(lower) || /^f[cd]/.test(lower);
}
