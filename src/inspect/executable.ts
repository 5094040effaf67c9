// The executable behind a process: link target, stat, file type from magic bytes (the `file` of a
// responder), and, asynchronously, sha256 + md5 in one streamed pass plus a bounded `strings` scan
// for miner indicators. Hashing reads /proc/PID/exe, so a deleted or memfd binary is still hashed.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openExe, readExe, statExe, type ExeLink } from '../procfs/pid';
import type { Executable, StringsHit } from './types';
import { KiB, MiB, procReason, SectionError } from './util';
import type { UserDb } from './users';
import { userName } from './users';

const MAGIC_BYTES = 8 * KiB;

const ELF_MACHINES: Record<number, string> = {
  3: 'Intel 80386',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'IBM S/390',
  40: 'ARM',
  62: 'x86-64',
  183: 'ARM aarch64',
  243: 'RISC-V',
};

const ELF_TYPES: Record<number, string> = {
  1: 'relocatable',
  2: 'executable',
  3: 'shared object / PIE executable',
  4: 'core file',
};

function hasUpxMarker(buf: Buffer): boolean {
  return buf.includes('UPX!') || buf.includes('This file is packed with the UPX');
}

/** Whether the ELF has a PT_INTERP program header (dynamically linked); null when not decidable. */
function elfInterp(buf: Buffer, is64: boolean, le: boolean): boolean | null {
  try {
    const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const phoff = is64 ? Number(le ? buf.readBigUInt64LE(0x20) : buf.readBigUInt64BE(0x20)) : u32(0x1c);
    const phentsize = u16(is64 ? 0x36 : 0x2a);
    const phnum = u16(is64 ? 0x38 : 0x2c);
    if (phnum === 0 || phentsize < 8 || phoff + phentsize * phnum > buf.length) return null;
    for (let i = 0; i < phnum; i++) if (u32(phoff + i * phentsize) === 3) return true;
    return false;
  } catch {
    return null;
  }
}

/** A `file`-like description from the first bytes of a file. */
export function fileTypeFromBytes(buf: Buffer): string {
  if (buf.length === 0) return 'empty';
  if (buf.length >= 20 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46) {
    const cls = buf[4] === 2 ? 64 : buf[4] === 1 ? 32 : null;
    const le = buf[5] !== 2;
    const type = le ? buf.readUInt16LE(16) : buf.readUInt16BE(16);
    const machine = le ? buf.readUInt16LE(18) : buf.readUInt16BE(18);
    let desc = `ELF ${cls ?? '?'}-bit ${le ? 'LSB' : 'MSB'} ${ELF_TYPES[type] ?? `type ${type}`}`;
    desc += `, ${ELF_MACHINES[machine] ?? `machine ${machine}`}`;
    if (cls !== null && (type === 2 || type === 3)) {
      const interp = elfInterp(buf, cls === 64, le);
      if (interp === true) desc += ', dynamically linked';
      else if (interp === false) desc += ', statically linked';
    }
    return hasUpxMarker(buf) ? `UPX-packed ${desc}` : desc;
  }
  if (buf[0] === 0x23 && buf[1] === 0x21) {
    const end = buf.indexOf(0x0a);
    const line = buf.subarray(2, end < 0 ? Math.min(buf.length, 256) : Math.min(end, 256)).toString('latin1').trim();
    return `script (${line || 'no interpreter'})`;
  }
  if (hasUpxMarker(buf)) return 'UPX-packed data';
  let printable = 0;
  const n = Math.min(buf.length, 4 * KiB);
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) printable++;
  }
  return printable / n > 0.95 ? 'text' : 'data';
}

/** Read the exe link and stat the file it points at (without hashing). */
export function readExecutable(procRoot: string, pid: number, db: UserDb): Executable {
  let link: ExeLink;
  try {
    link = readExe(procRoot, pid);
  } catch (err) {
    const reason = procReason(err, procRoot, pid);
    if (reason === 'no such file') throw new SectionError('no executable: kernel thread or zombie');
    throw new SectionError(reason);
  }
  const exe: Executable = {
    path: link.path,
    deleted: link.deleted,
    memfd: link.memfd,
    size: null,
    mode: null,
    owner: null,
    mtime: null,
    fileType: 'unknown',
    sha256: null,
    md5: null,
    stringsHits: [],
  };
  try {
    // stat through the link: works for deleted and memfd files on a real /proc.
    const st = statExe(procRoot, pid);
    exe.size = st.size;
    exe.mode = st.mode & 0o7777;
    exe.owner = userName(db, st.uid);
    exe.mtime = Math.round(st.mtimeMs);
  } catch {
    /* keep nulls */
  }
  try {
    const fd = openExe(procRoot, pid);
    try {
      const buf = Buffer.alloc(MAGIC_BYTES);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      exe.fileType = fileTypeFromBytes(buf.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    exe.fileType = `unknown (${procReason(err, procRoot, pid)})`;
  }
  return exe;
}

// ---- strings scan ----

const BASE58 = '1-9A-HJ-NP-Za-km-z';
const WALLET_RE = new RegExp(`(?<![${BASE58}])[48][0-9AB][${BASE58}]{93}(?:[${BASE58}]{11})?(?![${BASE58}])`, 'g');
const STRATUM_RE = /stratum\d?\+(?:tcp|ssl|tls|ws|wss):\/\/[A-Za-z0-9._\-:@/%]+/gi;
const POOL_WORDS =
  'pool|xmr|monero|nanopool|supportxmr|c3pool|moneroocean|minexmr|hashvault|herominers|2miners|f2pool|unmineable|nicehash|minergate|dwarfpool|crypto-pool|xmrpool';
const POOL_WORD_RE = new RegExp(POOL_WORDS, 'i');
const NOT_TLDS = new Set([
  'c', 'h', 'cc', 'cpp', 'hpp', 'cxx', 'py', 'pyc', 'so', 'go', 'rs', 'js', 'ts', 'mjs', 'json', 'txt', 'xml', 'log',
  'conf', 'cfg', 'sh', 'md', 'html', 'htm', 'ini', 'yaml', 'yml', 'toml', 'lock', 'tmp', 'bak', 'jar', 'class', 'java',
  'rb', 'pl', 'pm', 'lua', 'php', 'mo', 'pot', 'debug', 'map', 'gz', 'xz', 'zip', 'tar', 'png', 'svg', 'css',
]);
const MINER_RE = /xmrig|randomx|cryptonight|donate-level|cpuminer|minerd\b|ethminer|nbminer|t-rex|lolminer|--coin[ =]|\brx\/0\b/gi;

const MAX_HITS = 50;
const MAX_HIT_TEXT = 200;

/** "pool.example.com:3333" when a token looks like a mining-pool host, else null. */
export function poolHost(token: string): string | null {
  const [hostPart, portPart] = token.split(':');
  const host = hostPart!.replace(/\.$/, '');
  // Miner configs spell hosts in lower case; mixed case is code (ForkJoinPool.common) not a host.
  if (!/^[a-z0-9.-]+$/.test(host)) return null;
  const labels = host.split('.');
  if (labels.length < 2 || labels.some((l) => l === '' || l.length > 63)) return null;
  const tld = labels[labels.length - 1]!;
  if (!/^[a-z]{2,12}$/.test(tld) || NOT_TLDS.has(tld)) return null;
  if (!labels.slice(0, -1).some((l) => POOL_WORD_RE.test(l))) return null;
  return portPart && /^\d{2,5}$/.test(portPart) ? `${host}:${portPart}` : host;
}

const HOST_CHARS = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-') HOST_CHARS[c.charCodeAt(0)] = 1;
const isHostChar = (code: number) => code < 128 && HOST_CHARS[code] === 1;
const POOL_WORD_G = new RegExp(POOL_WORDS, 'gi');

/**
 * Classify a stretch of latin1 text (printable runs separated by anything else) and push unique hits.
 * Every pattern is linear in the text: pool hosts are found from their keyword outwards, so a
 * hostile binary full of dots and letters cannot make the scan quadratic.
 */
export function classifyString(text: string, hits: StringsHit[], seen: Set<string>): void {
  const add = (kind: StringsHit['kind'], t0: string) => {
    const t = t0.length > MAX_HIT_TEXT ? t0.slice(0, MAX_HIT_TEXT - 1) + '…' : t0;
    const key = kind + '\0' + t;
    if (seen.has(key) || hits.length >= MAX_HITS) return;
    seen.add(key);
    hits.push({ kind, text: t });
  };
  STRATUM_RE.lastIndex = 0;
  for (const m of text.matchAll(STRATUM_RE)) add('stratum', m[0]);
  POOL_WORD_G.lastIndex = 0;
  let m: RegExpExecArray | null;
  let lastEnd = 0;
  while ((m = POOL_WORD_G.exec(text)) !== null) {
    let start = m.index;
    let end = m.index + m[0].length;
    while (start > lastEnd && m.index - start < 300 && isHostChar(text.charCodeAt(start - 1))) start--;
    while (end < text.length && end - m.index < 300 && isHostChar(text.charCodeAt(end))) end++;
    lastEnd = end;
    POOL_WORD_G.lastIndex = Math.max(end, POOL_WORD_G.lastIndex);
    const token = text.slice(start, end).replace(/^[.:-]+/, '');
    const host = poolHost(token);
    if (!host) continue;
    const before = text.slice(Math.max(0, start - 24), start);
    if (/stratum\d?\+[a-z]+:\/\/$/i.test(before) || /:\/\/[^\s]*@$/.test(before)) continue; // already a stratum hit
    add('pool', host);
  }
  for (const w of text.matchAll(WALLET_RE)) add('wallet', w[0]);
  for (const x of text.matchAll(MINER_RE)) add('miner', x[0].toLowerCase());
}

const CARRY_MAX = 1024;

function printable(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/**
 * Incremental `strings` + classification over chunks. The trailing printable run of a chunk (up to
 * 1 KiB) is held back and joined with the next chunk, so an indicator split by a chunk boundary is found.
 */
export class StringsScanner {
  readonly hits: StringsHit[] = [];
  private readonly seen = new Set<string>();
  private carry = '';
  scanned = 0;

  push(chunk: Buffer): void {
    this.scanned += chunk.length;
    let cut = chunk.length;
    while (cut > 0 && chunk.length - cut < CARRY_MAX && printable(chunk[cut - 1]!)) cut--;
    if (chunk.length - cut >= CARRY_MAX) cut = chunk.length; // a huge run: scan it now
    const tail = chunk.toString('latin1', cut);
    if (cut === 0) {
      // The whole (small) chunk continues a printable run: keep accumulating, bounded.
      const joined = this.carry + tail;
      if (joined.length > 2 * CARRY_MAX) {
        classifyString(joined, this.hits, this.seen);
        this.carry = '';
      } else {
        this.carry = joined;
      }
      return;
    }
    classifyString(this.carry + chunk.toString('latin1', 0, cut), this.hits, this.seen);
    this.carry = tail;
  }

  finish(): StringsHit[] {
    if (this.carry) classifyString(this.carry, this.hits, this.seen);
    this.carry = '';
    return this.hits;
  }
}

// ---- hashing ----

export interface HashResult {
  sha256: string;
  md5: string;
  bytes: number;
  stringsHits: StringsHit[];
  stringsScanned: number;
}

export interface HashOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Bytes of the file the strings scan covers (default 32 MiB). */
  stringsLimit?: number;
  /** Total used for progress when the file size is known (defaults to fstat of the opened file). */
  total?: number;
}

export const STRINGS_LIMIT = 32 * MiB;
const CHUNK = 512 * KiB;

function abortError(): Error {
  const e = new Error('inspection aborted');
  e.name = 'AbortError';
  return e;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * sha256 + md5 of a file in one streamed pass, with the strings scan over its first `stringsLimit`
 * bytes. Yields to the event loop after every chunk so a UI keeps drawing; rejects with an
 * AbortError when `signal` fires. `file` is a path or a descriptor, which is closed when done.
 */
export async function hashFile(file: string | number, opts: HashOptions = {}): Promise<HashResult> {
  const { onProgress, signal } = opts;
  const stringsLimit = opts.stringsLimit ?? STRINGS_LIMIT;
  if (signal?.aborted) {
    if (typeof file === 'number') fs.closeSync(file);
    throw abortError();
  }
  let total = opts.total;
  if (total === undefined) {
    try {
      total = (typeof file === 'number' ? fs.fstatSync(file) : fs.statSync(file)).size;
    } catch {
      total = 0;
    }
  }
  const sha = crypto.createHash('sha256');
  const md5 = crypto.createHash('md5');
  const scanner = new StringsScanner();
  // A descriptor (from openExe) is read from offset 0 and closed with the stream.
  const stream = typeof file === 'number'
    ? fs.createReadStream('', { fd: file, start: 0, autoClose: true, highWaterMark: CHUNK })
    : fs.createReadStream(file, { highWaterMark: CHUNK });
  const onAbort = () => stream.destroy(abortError());
  signal?.addEventListener('abort', onAbort, { once: true });
  let bytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw abortError();
      sha.update(chunk);
      md5.update(chunk);
      if (scanner.scanned < stringsLimit) {
        const room = stringsLimit - scanner.scanned;
        scanner.push(room < chunk.length ? chunk.subarray(0, room) : chunk);
      }
      bytes += chunk.length;
      onProgress?.(bytes, Math.max(total, bytes));
      await yieldToLoop();
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
  if (signal?.aborted) throw abortError();
  return {
    sha256: sha.digest('hex'),
    md5: md5.digest('hex'),
    bytes,
    stringsHits: scanner.finish(),
    stringsScanned: scanner.scanned,
  };
}
