// Just enough of Berkeley DB to read a hash database, for rpm's database on RHEL/CentOS 7 and 8
// (var/lib/rpm/Packages: key = the package's number, value = its header). No library, read-only.
// What it reads, from Berkeley DB 5.3's dbinc/db_page.h, dbinc/hash.h and hash/hash_page.c:
// - the metadata page (page 0): magic 0x061561 in the file's byte order, page size, last page number,
//   the highest bucket and the "spares" that place each bucket's first page;
// - each bucket's chain of hash pages (P_HASH 13, or P_HASH_UNSORTED 2 before 4.6), as Berkeley DB walks
//   them: a 26-byte header, then the offsets of its items, in key/value pairs; an item stored on the
//   page (H_KEYDATA) runs to the previous item's offset, a large one (H_OFFPAGE) names the first of a
//   chain of overflow pages (P_OVERFLOW 7), each holding hf_offset bytes of it.
// Every offset, length and chain is bounds-checked: a damaged file (a page of the wrong type where a
// bucket's chain leads, a loop, a file shorter than its last page) is an error, never a hang or a
// silent gap, and no item is larger than rpm's largest header.
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
/** rpm's header limit (HEADER_DATA_MAX, 256 MiB) with its index: no value rpm writes is larger. */
const MAX_ITEM = 0x10000000 + 0x100000;

/** Berkeley DB's __db_log2: the log base 2 of `n`, rounded up. */
function log2up(n: number): number {
  let i = 0;
  for (let limit = 1; limit < n; limit *= 2) i++;
  return i;
}
export class BdbHash {
  private readonly pageSize: number;
  private readonly lastPage: number;
  private readonly maxBucket: number;
  /** spares[log2up(bucket + 1)] + bucket is the bucket's first page. */
  private readonly spares: number[] = [];
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
    this.lastPage = this.u32(meta, 32);
    if (this.lastPage >= pages) throw new BdbError(`the file ends before its last page (${this.lastPage})`);
    this.maxBucket = this.u32(meta, 72);
    if (this.maxBucket > this.lastPage) throw new BdbError(`more buckets (${this.maxBucket + 1}) than pages`);
    for (let i = 0; i < 32; i++) this.spares.push(this.u32(meta, 96 + 4 * i));
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
    const seen = new Set<number>();
    let bytes = 0; // items do not share pages: together they fit in the file
    for (let bucket = 0; bucket <= this.maxBucket; bucket++) {
      for (let n = bucket + this.spares[log2up(bucket + 1)]; n !== 0;) {
        if (seen.has(n)) throw new BdbError(`page ${n} is reached twice: the hash has a loop`);
        seen.add(n);
        const buf = this.page(n);
        if (buf[25] !== P_HASH && buf[25] !== P_HASH_UNSORTED) throw new BdbError(`bucket ${bucket} leads to page ${n}, which is not a hash page`);
        const count = this.itemCount(buf, n);
        for (let i = 0; i < count; i += 2) {
          const key = this.item(buf, n, i);
          const value = this.item(buf, n, i + 1);
          bytes += value.length;
          if (bytes > (this.lastPage + 1) * this.pageSize) throw new BdbError('the items overlap: together they are larger than the file');
          yield { key, value, at: n * 65536 + i };
        }
        n = this.u32(buf, 16);
      }
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
    if (length === 0 || length > MAX_ITEM || Math.ceil(length / room) > this.lastPage) throw new BdbError(`a ${length}-byte item: longer than the file or than any header rpm writes`);
    const out = Buffer.allocUnsafe(length);
    let got = 0;
    let n = first;
    const seen = new Set<number>();
    while (got < length) {
      if (n === 0 || seen.has(n)) throw new BdbError('an overflow chain ends early or loops');
      seen.add(n);
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
