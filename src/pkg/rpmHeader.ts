// One installed package's header, as rpm stores it in its database: a count of index entries (il) and
// of data bytes (dl), il entries of 16 bytes (tag, type, offset into the data, count), all big-endian,
// then the data. The entries of the immutable region come first; tags rpm added at install time
// ("dribble" entries) follow and win over an earlier entry of the same tag. Only what ownership needs
// is decoded: name, version, release, arch, install time, the file list and its digests. Every offset
// and count is checked against the blob: a malformed header is an error, never a read past its end.
// Reference: rpm's lib/header.c (headerImport) and lib/rpmtag.h.

export const TAG = {
  NAME: 1000, VERSION: 1001, RELEASE: 1002, INSTALLTIME: 1008, ARCH: 1022, FILESTATES: 1029, FILEDIGESTS: 1035,
  DIRINDEXES: 1116, BASENAMES: 1117, DIRNAMES: 1118, FILEDIGESTALGO: 5011,
} as const;

export const TYPE = { CHAR: 1, INT8: 2, INT16: 3, INT32: 4, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

/** rpm's limits on a header (lib/header_internal.h: HEADER_TAGS_MAX, HEADER_DATA_MAX). */
export const MAX_ENTRIES = 0xffff;
export const MAX_DATA = 0x0fffffff;
/** More files than any package holds (the largest have tens of thousands): an array beyond it is damage. */
const MAX_ARRAY = 2_000_000;
/** A file rpm installed as it is listed (FILESTATES): not replaced, skipped, shared or of the other arch. */
export const FILE_NORMAL = 0;

/** rpm's PGPHASHALGO numbers for file digests; a header without FILEDIGESTALGO uses MD5. */
const DIGEST_ALGOS: Record<number, DigestAlgo> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224' };
export type DigestAlgo = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export class RpmHeaderError extends Error {}

/** The tags below 100 are the header's own bookkeeping (regions, signatures), not package data. */
const FIRST_DATA_TAG = 100;

interface Entry { type: number; offset: number; count: number }

export class RpmHeader {
  private readonly entries = new Map<number, Entry>();
  private readonly dataStart: number;
  private readonly dataEnd: number;

  constructor(private readonly blob: Buffer) {
    if (blob.length < 8) throw new RpmHeaderError('a header shorter than its counts');
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il < 1 || il > MAX_ENTRIES) throw new RpmHeaderError(`a header with ${il} entries`);
    if (dl > MAX_DATA) throw new RpmHeaderError(`a header with ${dl} bytes of data`);
    this.dataStart = 8 + il * 16;
    if (this.dataStart + dl > blob.length) throw new RpmHeaderError('a header whose data runs past its end');
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = blob.readUInt32BE(at);
      if (tag < FIRST_DATA_TAG) continue;
      const e = { type: blob.readUInt32BE(at + 4), offset: blob.readUInt32BE(at + 8), count: blob.readUInt32BE(at + 12) };
      if (e.offset >= dl) throw new RpmHeaderError(`tag ${tag}'s data is outside the header`);
      this.entries.set(tag, e); // a later (dribble) entry replaces an earlier one
    }
    this.dataEnd = this.dataStart + dl;
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** A string tag (or the first of a string array / i18n string), or null. */
  string(tag: number): string | null {
    const e = this.entries.get(tag);
    if (!e) return null;
    if (e.type !== TYPE.STRING && e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING) throw new RpmHeaderError(`tag ${tag} is not a string`);
    return this.strings(e, 1)[0] ?? null;
  }

  /** A string-array tag, or [] when absent. */
  stringArray(tag: number): string[] {
    const e = this.entries.get(tag);
    if (!e) return [];
    if (e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING) throw new RpmHeaderError(`tag ${tag} is not a string array`);
    return this.strings(e, e.count);
  }

  /** An integer array tag (INT32, INT16, INT8 or CHAR), or [] when absent. */
  ints(tag: number): number[] {
    const e = this.entries.get(tag);
    if (!e) return [];
    const size = e.type === TYPE.INT32 ? 4 : e.type === TYPE.INT16 ? 2 : e.type === TYPE.INT8 || e.type === TYPE.CHAR ? 1 : 0;
    if (size === 0) throw new RpmHeaderError(`tag ${tag} is not an integer`);
    const from = this.dataStart + e.offset;
    if (e.count > MAX_ARRAY || from + e.count * size > this.dataEnd) throw new RpmHeaderError(`tag ${tag} runs past the header`);
    const out = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) {
      out[i] = size === 4 ? this.blob.readUInt32BE(from + 4 * i) : size === 2 ? this.blob.readUInt16BE(from + 2 * i) : this.blob[from + i];
    }
    return out;
  }

  private strings(e: Entry, count: number): string[] {
    // each string takes at least its NUL: no more of them than bytes after the offset
    if (count > MAX_ARRAY || count > this.dataEnd - (this.dataStart + e.offset)) throw new RpmHeaderError('more strings than bytes');
    const out: string[] = [];
    let at = this.dataStart + e.offset;
    for (let i = 0; i < count; i++) {
      const nul = this.blob.indexOf(0, at);
      if (nul < 0 || nul >= this.dataEnd) throw new RpmHeaderError('a string without its end');
      out.push(this.blob.toString('utf8', at, nul));
      at = nul + 1;
    }
    return out;
  }

  /**
   * The package's files: `visit(dir, name, index)` for each, the directory without its trailing slash
   * (rpm stores each directory once, "/usr/bin/", and each file as a basename and a directory index).
   */
  files(visit: (dir: string, name: string, index: number) => void): void {
    const index = this.ints(TAG.DIRINDEXES);
    const names = this.stringArray(TAG.BASENAMES);
    if (names.length === 0) return;
    if (index.length !== names.length) throw new RpmHeaderError('basenames and dirindexes differ in length');
    const dirs = this.stringArray(TAG.DIRNAMES).map((d) => (d.length > 1 && d.endsWith('/') ? d.slice(0, -1) : d === '/' ? '' : d));
    for (let i = 0; i < names.length; i++) {
      const dir = dirs[index[i]];
      if (dir === undefined) throw new RpmHeaderError('a directory index outside the directory list');
      visit(dir, names[i], i);
    }
  }

  /** Each file's state (FILESTATES: FILE_NORMAL when installed as listed), or null when the header has none. */
  fileStates(): number[] | null {
    return this.has(TAG.FILESTATES) ? this.ints(TAG.FILESTATES) : null;
  }

  /** Each file's digest (hex; '' for directories and links), and the algorithm, or null without digests. */
  digests(): { algo: DigestAlgo; hex: string[] } | null {
    if (!this.has(TAG.FILEDIGESTS)) return null;
    const code = this.has(TAG.FILEDIGESTALGO) ? this.ints(TAG.FILEDIGESTALGO)[0] : 1;
    const algo = DIGEST_ALGOS[code];
    return algo ? { algo, hex: this.stringArray(TAG.FILEDIGESTS) } : null;
  }
}
