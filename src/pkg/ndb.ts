// rpm's own "ndb" package database (Packages.db: openSUSE, SUSE Linux Enterprise 15), read-only. From rpm's
// lib/backend/ndb/rpmpkg.c: a 32-byte header (magic "RpmP", version 0, generation, the number of 4 KiB
// slot pages), then the slot pages: 16-byte slots (magic "Slot", package number, block offset and
// block count, blocks being 16 bytes), the first two slots' room taken by the header. A used slot points
// at a blob: a 16-byte header (magic "BlbS", package number, checksum, length), then the package's
// header. Little-endian throughout. Every offset and length is checked against the file.
import { closeSync, fstatSync } from 'node:fs';
import { openDbFile, readAt } from './dbFile';

export class NdbError extends Error {}

const HEADER_MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const BLOB_MAGIC = 0x53626c42; // "BlbS"
const SLOT_PAGE = 4096;
const BLOCK = 16;
/** More slot pages than rpm allows (it stops at 2,048). */
const MAX_SLOT_PAGES = 2048;
/** rpm's header limit (HEADER_DATA_MAX, 256 MiB) with its index: no blob rpm writes is larger. */
const MAX_BLOB = 0x10000000 + 0x100000;

export class NdbFile {
  private readonly slots: Buffer;
  private readonly size: number;

  private constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
    const head = this.read(0, 32);
    if (head.length < 32 || head.readUInt32LE(0) !== HEADER_MAGIC) throw new NdbError('not an rpm ndb database');
    if (head.readUInt32LE(4) !== 0) throw new NdbError(`ndb version ${head.readUInt32LE(4)}`);
    const pages = head.readUInt32LE(12);
    if (pages === 0 || pages > MAX_SLOT_PAGES) throw new NdbError(`${pages} slot pages`);
    this.slots = this.read(32, pages * SLOT_PAGE - 32);
    if (this.slots.length < pages * SLOT_PAGE - 32) throw new NdbError('the slot pages are cut short');
  }

  /** Open `path` (regular files only, no link followed), or null when there is none. */
  static open(path: string): NdbFile | null {
    const fd = openDbFile(path);
    if (fd === null) return null;
    try { return new NdbFile(fd); } catch (e) { closeSync(fd); throw e; }
  }

  close(): void {
    closeSync(this.fd);
  }

  private read(pos: number, len: number): Buffer {
    return readAt(this.fd, pos, len);
  }

  /** Every package's number and header blob, in slot order, with its slot for packageAt(). */
  *packages(): Generator<{ hnum: number; blob: Buffer; slot: number }> {
    const seen = new Set<number>();
    let bytes = 0; // blobs do not overlap: together they fit in the file
    for (let slot = 0; (slot + 1) * BLOCK <= this.slots.length; slot++) {
      const p = this.packageAt(slot);
      if (!p) continue;
      if (seen.has(p.hnum)) throw new NdbError(`package ${p.hnum} has two slots`);
      seen.add(p.hnum);
      bytes += p.blob.length;
      if (bytes > this.size) throw new NdbError('the blobs overlap: together they are larger than the file');
      yield { ...p, slot };
    }
  }

  /** The package in slot `slot` (as read when the file was opened), or null for a free slot. */
  packageAt(slot: number): { hnum: number; blob: Buffer } | null {
    const at = slot * BLOCK;
    if (at + BLOCK > this.slots.length) return null;
    if (this.slots.readUInt32LE(at) !== SLOT_MAGIC) throw new NdbError(`slot ${slot} has a bad magic`);
    const hnum = this.slots.readUInt32LE(at + 4);
    if (hnum === 0) return null; // a free slot
    return { hnum, blob: this.blob(hnum, this.slots.readUInt32LE(at + 8), this.slots.readUInt32LE(at + 12)) };
  }

  private blob(hnum: number, offset: number, blocks: number): Buffer {
    const start = offset * BLOCK;
    if (start < 32 + this.slots.length || start + BLOCK > this.size || blocks * BLOCK > this.size - start) throw new NdbError(`package ${hnum}'s blob is outside the blob area`);
    const head = this.read(start, BLOCK);
    if (head.readUInt32LE(0) !== BLOB_MAGIC || head.readUInt32LE(4) !== hnum) throw new NdbError(`package ${hnum}'s blob does not name it`);
    const len = head.readUInt32LE(12);
    if (len > blocks * BLOCK - BLOCK || len > MAX_BLOB) throw new NdbError(`package ${hnum}'s blob is longer than its blocks`);
    const blob = this.read(start + BLOCK, len);
    if (blob.length < len) throw new NdbError(`package ${hnum}'s blob is cut short`);
    return blob;
  }
}
