// Just enough of SQLite to read one rowid table, for rpm's database (rpmdb.sqlite): no library, no child
// process, read-only. What it reads, from https://www.sqlite.org/fileformat2.html:
// - the 100-byte header (page size, reserved bytes, page count), the schema table on page 1;
// - table B-trees: interior pages (0x05: child page + rowid key) and leaf pages (0x0D: rowid + record),
//   with payloads that spill onto chains of overflow pages;
// - records: a header of serial types, then the values (NULL, integers, floats, text, blobs);
// - the write-ahead log beside the file (rpm keeps its database in WAL mode): every frame up to the last
//   commit whose salts and running checksum agree, the newest copy of each page winning, exactly what a
//   reader that recovers the log sees. Nothing is ever written: the -shm index is not used (or created).
// Everything a page says is bounds-checked; a loop in the tree or a chain longer than the file is an
// error, never a hang.
import { closeSync, fstatSync } from 'node:fs';
import { openDbFile, readAt } from './dbFile';

export type SqlValue = null | number | bigint | string | Buffer;

export class SqliteError extends Error {}

const MAGIC = 'SQLite format 3\0';
/** The largest value read: rpm's header limit (HEADER_DATA_MAX, 256 MiB) with its index. */
const MAX_PAYLOAD = 0x10000000 + 0x100000;
const WAL_MAGIC_LE = 0x377f0682;
const WAL_MAGIC_BE = 0x377f0683;

/** A SQLite varint at `at`: its value (rowids and sizes fit a double here) and the index after it. */
export function varint(buf: Buffer, at: number): [number, number] {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= buf.length) throw new SqliteError('varint past the end of a page');
    const b = buf[at + i];
    if (i === 8) return [v * 256 + b, at + 9];
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) return [v, at + i + 1];
  }
  return [v, at + 9];
}

/** The WAL's checksum over `buf` (a multiple of 8 bytes), continuing from `s`. */
function walChecksum(buf: Buffer, from: number, to: number, s: [number, number], bigEndian: boolean): [number, number] {
  let [s0, s1] = s;
  for (let i = from; i < to; i += 8) {
    const x0 = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
    const x1 = bigEndian ? buf.readUInt32BE(i + 4) : buf.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

export class SqliteFile {
  private readonly pageSize: number;
  private readonly usable: number;
  private pages: number;
  /** Page number → offset of its newest committed copy in the WAL. */
  private readonly walPages = new Map<number, number>();
  private walFd: number | null = null;

  private constructor(private readonly fd: number, path: string) {
    const head = readAt(fd, 0, 100);
    if (head.length < 100 || head.toString('latin1', 0, 16) !== MAGIC) throw new SqliteError('not a SQLite 3 database');
    const raw = head.readUInt16BE(16);
    this.pageSize = raw === 1 ? 65536 : raw;
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0) throw new SqliteError(`bad page size ${raw}`);
    this.usable = this.pageSize - head[20];
    if (this.usable < 480) throw new SqliteError('bad reserved space');
    const encoding = head.readUInt32BE(56);
    if (encoding !== 0 && encoding !== 1) throw new SqliteError('only UTF-8 databases are read');
    const size = fstatSync(fd).size;
    const counted = head.readUInt32BE(28);
    // the header's count is valid when its version number matches the change counter
    this.pages = counted > 0 && head.readUInt32BE(92) === head.readUInt32BE(24) ? counted : Math.floor(size / this.pageSize);
    const walPages = this.readWal(`${path}-wal`);
    if (walPages !== null) this.pages = walPages;
  }

  /** Open `path` (and its `-wal`, if any) for reading; null if there is no such regular file. */
  static open(path: string): SqliteFile | null {
    const fd = openDbFile(path);
    if (fd === null) return null;
    try { return new SqliteFile(fd, path); } catch (e) { closeSync(fd); throw e; }
  }

  close(): void {
    closeSync(this.fd);
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }

  /** Index the WAL's committed frames; returns the database's size in pages after the last commit, or null. */
  private readWal(path: string): number | null {
    const fd = openDbFile(path);
    if (fd === null) return null;
    const head = readAt(fd, 0, 32);
    const magic = head.length === 32 ? head.readUInt32BE(0) : 0;
    if ((magic !== WAL_MAGIC_LE && magic !== WAL_MAGIC_BE) || head.readUInt32BE(8) !== this.pageSize) { closeSync(fd); return null; }
    const bigEndian = magic === WAL_MAGIC_BE;
    let sum = walChecksum(head, 0, 24, [0, 0], bigEndian);
    if (sum[0] !== head.readUInt32BE(24) || sum[1] !== head.readUInt32BE(28)) { closeSync(fd); return null; }
    const salt1 = head.readUInt32BE(16);
    const salt2 = head.readUInt32BE(20);
    const frameSize = 24 + this.pageSize;
    const pending = new Map<number, number>();
    let dbPages: number | null = null;
    const end = fstatSync(fd).size;
    for (let at = 32; at + frameSize <= end; at += frameSize) {
      const frame = readAt(fd, at, frameSize);
      if (frame.length < frameSize) break;
      if (frame.readUInt32BE(8) !== salt1 || frame.readUInt32BE(12) !== salt2) break;
      sum = walChecksum(frame, 0, 8, sum, bigEndian);
      sum = walChecksum(frame, 24, frameSize, sum, bigEndian);
      if (sum[0] !== frame.readUInt32BE(16) || sum[1] !== frame.readUInt32BE(20)) break;
      const page = frame.readUInt32BE(0);
      if (page === 0) break;
      pending.set(page, at + 24);
      const commit = frame.readUInt32BE(4);
      if (commit !== 0) { // a commit frame: everything up to here is the database
        for (const [p, off] of pending) this.walPages.set(p, off);
        pending.clear();
        dbPages = commit;
      }
    }
    if (dbPages === null) { closeSync(fd); return null; }
    this.walFd = fd;
    return dbPages;
  }

  private page(n: number): Buffer {
    if (n < 1 || n > this.pages) throw new SqliteError(`page ${n} is outside the database`);
    const wal = this.walPages.get(n);
    const buf = wal !== undefined && this.walFd !== null ? readAt(this.walFd, wal, this.pageSize) : readAt(this.fd, (n - 1) * this.pageSize, this.pageSize);
    if (buf.length < this.pageSize) throw new SqliteError(`page ${n} is cut short`);
    return buf;
  }

  /** The root page of table `name` (from the schema table on page 1), or null. */
  rootOf(name: string): number | null {
    for (const { values } of this.rows(1)) {
      if (values[0] === 'table' && values[1] === name && typeof values[3] === 'number') return values[3];
    }
    return null;
  }

  /** Every row of the rowid table rooted at `root`, in rowid order. */
  *rows(root: number): Generator<{ rowid: number; values: SqlValue[] }> {
    const seen = new Set<number>();
    let bytes = 0; // records do not share pages: together they fit in the file
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (seen.has(n)) throw new SqliteError(`page ${n} is reached twice: the tree has a loop`);
      seen.add(n);
      const buf = this.page(n);
      const h = n === 1 ? 100 : 0;
      const type = buf[h];
      const cells = buf.readUInt16BE(h + 3);
      if (type === 0x05) {
        const children: number[] = [];
        for (let i = 0; i < cells; i++) children.push(buf.readUInt32BE(this.cellAt(buf, h + 12, i, cells)));
        children.push(buf.readUInt32BE(h + 8));
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]); // leftmost first
      } else if (type === 0x0d) {
        for (let i = 0; i < cells; i++) {
          const cell = this.leafCell(buf, this.cellAt(buf, h + 8, i, cells));
          bytes += cell.bytes;
          if (bytes > this.pages * this.usable) throw new SqliteError('the records overlap: together they are larger than the file');
          yield { rowid: cell.rowid, values: cell.values };
        }
      } else {
        throw new SqliteError(`page ${n} is not a table page (type ${type})`);
      }
    }
  }

  /** One row by rowid, or null: a descent from the root, a page per level. */
  row(root: number, rowid: number): SqlValue[] | null {
    let n = root;
    for (let depth = 0; depth < 64; depth++) {
      const buf = this.page(n);
      const h = n === 1 ? 100 : 0;
      const cells = buf.readUInt16BE(h + 3);
      if (buf[h] === 0x0d) {
        for (let i = 0; i < cells; i++) {
          const at = this.cellAt(buf, h + 8, i, cells);
          if (varint(buf, varint(buf, at)[1])[0] === rowid) return this.leafCell(buf, at).values; // only that row's value is read
        }
        return null;
      }
      if (buf[h] !== 0x05) throw new SqliteError(`page ${n} is not a table page`);
      let next = buf.readUInt32BE(h + 8);
      for (let i = 0; i < cells; i++) { // keys ascend; a child holds the rowids up to its key
        const at = this.cellAt(buf, h + 12, i, cells);
        if (rowid <= varint(buf, at + 4)[0]) { next = buf.readUInt32BE(at); break; }
      }
      n = next;
    }
    throw new SqliteError('the tree is deeper than any real one');
  }

  private cellAt(buf: Buffer, pointers: number, i: number, cells: number): number {
    if (pointers + 2 * cells > this.usable) throw new SqliteError('more cells than a page holds');
    const at = buf.readUInt16BE(pointers + 2 * i);
    if (at < pointers + 2 * cells || at >= this.usable) throw new SqliteError('a cell pointer outside its page');
    return at;
  }

  private leafCell(buf: Buffer, at: number): { rowid: number; values: SqlValue[]; bytes: number } {
    const [size, a] = varint(buf, at);
    const [rowid, b] = varint(buf, a);
    return { rowid, values: decodeRecord(this.payload(buf, b, size)), bytes: size };
  }

  /** A table leaf cell's payload of `size` bytes starting at `at`, with its overflow pages. */
  private payload(buf: Buffer, at: number, size: number): Buffer {
    const u = this.usable;
    const x = u - 35;
    let local = size;
    if (size > x) {
      const m = Math.floor(((u - 12) * 32) / 255) - 23;
      const k = m + ((size - m) % (u - 4));
      local = k <= x ? k : m;
    }
    if (size > MAX_PAYLOAD || size > this.pages * u) throw new SqliteError(`a ${size}-byte value: larger than the file or than any header rpm writes`);
    if (at + local > u || (local < size && at + local + 4 > u)) throw new SqliteError('a cell runs past its page');
    if (local === size) return buf.subarray(at, at + size);
    const parts = [buf.subarray(at, at + local)];
    let got = local;
    let next = buf.readUInt32BE(at + local);
    const seen = new Set<number>();
    for (; got < size;) {
      if (next === 0 || seen.has(next)) throw new SqliteError('an overflow chain ends early or loops');
      seen.add(next);
      const page = this.page(next);
      const take = Math.min(u - 4, size - got);
      parts.push(page.subarray(4, 4 + take));
      got += take;
      next = page.readUInt32BE(0);
    }
    return Buffer.concat(parts, size);
  }
}

/** A record: its header of serial types, then the values. */
export function decodeRecord(rec: Buffer): SqlValue[] {
  const [headerSize, first] = varint(rec, 0);
  if (headerSize > rec.length) throw new SqliteError('a record header past its end');
  const types: number[] = [];
  for (let at = first; at < headerSize;) {
    const [t, next] = varint(rec, at);
    types.push(t);
    at = next;
  }
  const out: SqlValue[] = [];
  let at = headerSize;
  const need = (n: number) => { if (at + n > rec.length) throw new SqliteError('a record value past its end'); };
  for (const t of types) {
    if (t === 0) { out.push(null); continue; }
    if (t === 8 || t === 9) { out.push(t - 8); continue; }
    if (t >= 1 && t <= 6) {
      const len = [0, 1, 2, 3, 4, 6, 8][t];
      need(len);
      if (len === 8) {
        const v = rec.readBigInt64BE(at);
        out.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
      } else {
        out.push(rec.readIntBE(at, len));
      }
      at += len;
      continue;
    }
    if (t === 7) { need(8); out.push(rec.readDoubleBE(at)); at += 8; continue; }
    if (t >= 12) {
      const len = Math.floor((t - 12) / 2);
      need(len);
      out.push(t % 2 === 0 ? Buffer.from(rec.subarray(at, at + len)) : rec.toString('utf8', at, at + len));
      at += len;
      continue;
    }
    throw new SqliteError(`serial type ${t} is reserved`);
  }
  return out;
}
