// Test helpers for the inspector: a private copy of the fixture trees (so tests can add exe links,
// wtmp files and the like without touching the repository) and a utmp record writer.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UT, UTMP_SIZE } from '../../src/inspect/logins';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/inspect');

export interface Fixture {
  dir: string;
  procRoot: string;
  root: string;
  cleanup: () => void;
}

export function makeFixture(): Fixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minewatch-inspect-'));
  fs.cpSync(FIXTURES, dir, { recursive: true, verbatimSymlinks: true });
  return {
    dir,
    procRoot: path.join(dir, 'proc'),
    root: path.join(dir, 'root'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A 64-bit little-endian ELF header (EXEC or DYN, x86-64) with one program header, optionally PT_INTERP. */
export function fakeElf(opts: { type?: 2 | 3; interp?: boolean; upx?: boolean; extra?: string } = {}): Buffer {
  const buf = Buffer.alloc(0x40 + 0x38);
  buf.write('\x7fELF', 0, 'latin1');
  buf[4] = 2; // ELFCLASS64
  buf[5] = 1; // little endian
  buf[6] = 1;
  buf.writeUInt16LE(opts.type ?? 2, 16);
  buf.writeUInt16LE(62, 18); // x86-64
  buf.writeUInt32LE(1, 20);
  buf.writeBigUInt64LE(0x40n, 0x20); // e_phoff
  buf.writeUInt16LE(0x40, 0x34); // e_ehsize
  buf.writeUInt16LE(0x38, 0x36); // e_phentsize
  buf.writeUInt16LE(1, 0x38); // e_phnum
  buf.writeUInt32LE(opts.interp ? 3 : 1, 0x40); // PT_INTERP or PT_LOAD
  const parts = [buf];
  if (opts.upx) parts.push(Buffer.from('\0\0UPX!\x0d\x0a', 'latin1'));
  if (opts.extra) parts.push(Buffer.from(opts.extra, 'latin1'));
  return Buffer.concat(parts);
}

export interface UtmpInput {
  type: number;
  pid?: number;
  line: string;
  user: string;
  host: string;
  sec: number;
}

export function utmpRecords(records: UtmpInput[]): Buffer {
  const out = Buffer.alloc(UTMP_SIZE * records.length);
  records.forEach((r, i) => {
    const o = i * UTMP_SIZE;
    out.writeInt16LE(r.type, o + UT.type);
    out.writeInt32LE(r.pid ?? 1000 + i, o + UT.pid);
    out.write(r.line, o + UT.line, 32, 'utf8');
    out.write(r.user, o + UT.user, 32, 'utf8');
    out.write(r.host, o + UT.host, 256, 'utf8');
    out.writeUInt32LE(r.sec, o + UT.tvSec);
  });
  return out;
}

/** A Monero-like address: 4 + [0-9AB] + 93 base58 characters (95 in all). */
export const WALLET = '4' + 'A' + '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'.repeat(2).slice(0, 93);
