// Just enough of Berkeley DB to read a hash database, for rpm's database on RHEL/CentOS 7 and 8
// (var/lib/rpm/Packages: key = the package's number, value = its header). No library, read-only.
// What it reads, from Berkeley DB 5.3's dbinc/db_page.h and hash/hash_page.c:
// - the metadata page (page 0): magic 0x061561 in the file's byte order, page size, last page number;
// - every hash page (P_HASH 13, or P_HASH_UNSORTED 2 before 4.6): a 26-byte header, then the offsets of
//   its items, in key/value pairs; an item stored on the page (H_KEYDATA) runs to the previous item's
//   offset, a large one (H_OFFPAGE) names the first of a chain of overflow pages (P_OVERFLOW 7), each
//   holding hf_offset bytes of it.
// Every offset, length and chain is bounds-checked: a damaged file is an error, never a hang.
import { closeSync, fstatSync } from 'node:fs';
import { openDbFile, readAt } from './dbFile';

export class BdbError extends Error {}

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

export class BdbHash {
  private readonly pageSize: number;
  private readonly lastPage: number;
  /** The file was written on a big-endian host: every number in it is big-endian. */
  readonly bigEndian: boolean;

  private constructor(private readonly fd: number) {
    const meta = this.read(0, 512);
    if (meta.length < 512) throw new BdbError('not a Berkeley DB file');
    const le = meta.readUInt32LE(12);
    const be = meta.readUInt32BE(12);
    if (le !== HASH_MAGIC && be !== HASH_MAGIC) throw new BdbError('not a Berkeley DB hash database');
    this.bigEndian = le !== HASH_MAGIC;
    this.pageSize = this.u32(meta, 20);
    if (this.pageSize < 512 || this.pageSize > 65536 || (this.pageSize & (this.pageSize - 1)) !== 0) throw new BdbError(`bad page size ${this.pageSize}`);
    if (meta[24] !== 0) throw new BdbError('an encrypted database');
    if (meta[25] !== P_HASHMETA) throw new BdbError('page 0 is not hash metadata');
    const pages = Math.floor(fstatSync(fd).size / this.pageSize);
    this.lastPage = Math.min(this.u32(meta, 32), pages - 1);
  }

  /** Open `path` (regular files only, no link followed), or null when there is none. */
  static open(path: string): BdbHash | null {
    const fd = openDbFile(path);
    if (fd === null) return null;
    try { return new BdbHash(fd); } catch (e) { closeSync(fd); throw e; }
  }

  close(): void {
    closeSync(this.fd);
  }

  private u32(buf: Buffer, at: number): number {
    return this.bigEndian ? buf.readUInt32BE(at) : buf.readUInt32LE(at);
  }

  private u16(buf: Buffer, at: number): number {
    return this.bigEndian ? buf.readUInt16BE(at) : buf.readUInt16LE(at);
  }

  /** A key or value as stored: its first 4 bytes as a number in the file's byte order (rpm's keys). */
  keyNumber(key: Buffer): number | null {
    return key.length === 4 ? this.u32(key, 0) : null;
  }

  private read(pos: number, len: number): Buffer {
    return readAt(this.fd, pos, len);
  }

  private page(n: number): Buffer {
    if (n < 1 || n > this.lastPage) throw new BdbError(`page ${n} is outside the database`);
    const buf = this.read(n * this.pageSize, this.pageSize);
    if (buf.length < this.pageSize) throw new BdbError(`page ${n} is cut short`);
    return buf;
  }

  /**
   * Every key/value pair, page by page (the order of the hash, not of the keys), with where it is:
   * `at`, for entryAt() to read it again without a scan.
   */
  *entries(): Generator<{ key: Buffer; value: Buffer; at: number }> {
    for (let n = 1; n <= this.lastPage; n++) {
      const buf = this.page(n);
      const count = this.itemCount(buf, n);
      for (let i = 0; i < count; i += 2) yield { key: this.item(buf, n, i), value: this.item(buf, n, i + 1), at: n * 65536 + i };
    }
  }

  /** The pair entries() found at `at`, or null when that page no longer holds it. */
  entryAt(at: number): { key: Buffer; value: Buffer } | null {
    const n = Math.floor(at / 65536);
    const i = at % 65536;
    const buf = this.page(n);
    if (i + 1 >= this.itemCount(buf, n)) return null;
    return { key: this.item(buf, n, i), value: this.item(buf, n, i + 1) };
  }

  /** How many items a hash page holds (0 for any other page). */
  private itemCount(buf: Buffer, n: number): number {
    const type = buf[25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) return 0;
    const count = this.u16(buf, 20);
    if (count % 2 !== 0) throw new BdbError(`page ${n} holds an odd number of items`);
    if (PAGE_HEADER + 2 * count > this.pageSize) throw new BdbError(`page ${n} has more items than room`);
    return count;
  }

  /** Item `i` of hash page `n`: on the page up to the previous item (or the page's end), or off it. */
  private item(buf: Buffer, n: number, i: number): Buffer {
    const at = this.u16(buf, PAGE_HEADER + 2 * i);
    const end = i === 0 ? this.pageSize : this.u16(buf, PAGE_HEADER + 2 * (i - 1));
    if (at < PAGE_HEADER + 2 || at >= end || end > this.pageSize) throw new BdbError(`item ${i} of page ${n} is outside it`);
    if (buf[at] === H_KEYDATA) return Buffer.from(buf.subarray(at + 1, end));
    if (buf[at] === H_OFFPAGE) {
      if (at + 12 > end) throw new BdbError(`item ${i} of page ${n} is cut short`);
      return this.overflow(this.u32(buf, at + 4), this.u32(buf, at + 8));
    }
    throw new BdbError(`item ${i} of page ${n} has type ${buf[at]}, which rpm does not write`);
  }

  /** A chain of overflow pages holding `length` bytes, from page `first`. */
  private overflow(first: number, length: number): Buffer {
    const room = this.pageSize - PAGE_HEADER;
    const limit = Math.ceil(length / room);
    if (length === 0 || limit > this.lastPage) throw new BdbError('an overflow item longer than the file');
    const out = Buffer.allocUnsafe(length);
    let got = 0;
    let n = first;
    for (let hops = 0; got < length; hops++) {
      if (n === 0 || hops >= limit) throw new BdbError('an overflow chain ends early or runs on');
      const page = this.page(n);
      if (page[25] !== P_OVERFLOW) throw new BdbError(`page ${n} is not an overflow page`);
      const len = this.u16(page, 22);
      if (len > room || got + len > length) throw new BdbError(`overflow page ${n} holds more than its item`);
      page.copy(out, got, PAGE_HEADER, PAGE_HEADER + len);
      got += len;
      n = this.u32(page, 16);
    }
    return out;
  }
}
