// Who installed this file: package ownership read straight from the package database, never through a
// child process (no dpkg -S, no rpm -qf). On Debian/Ubuntu, /var/lib/dpkg/info/*.list names every file
// of every package and *.md5sums their checksums. On RPM hosts, rpm's database (SQLite, Berkeley DB or
// ndb) holds one header per package with its files and their digests (rpmdb.ts). Where it cannot be
// read, the answer is "unknown", never "owned" or "unowned". The index is built once (only the
// directories where programs and libraries live, not /usr/share) and rebuilt when the database
// changes. Everything is read under the chosen --root.
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nextTurn, SLICE_MS, Slicer } from '../slicer';
import { PathOwners, type PathOwnersBuilder } from './pathOwners';
import { FILE_NORMAL, type DigestAlgo } from './rpmHeader';
import { RpmDb, rpmWatched, RPM_DBS, type RpmPackage } from './rpmdb';

export type Ownership =
  | { state: 'owned'; package: string }
  /** The database was read and no package lists this path. */
  | { state: 'unowned' }
  /** No database we can read (none, an unread format, or not readable): never evidence either way. */
  | { state: 'unknown'; why: string };

export interface PackageLookup {
  /** Which package database this host has. */
  readonly kind: 'dpkg' | 'rpm' | 'none';
  /** Changes whenever the index is rebuilt: cached verdicts that used ownership must be recomputed. */
  readonly generation: number;
  owner(path: string): Ownership;
  /** The file's digest as its package recorded it (dpkg: the owner's *.md5sums; rpm: the header's), or null. */
  digest(path: string): FileDigest | null;
  /** When the package owning `path` was last installed or upgraded (dpkg.log; rpm: its install time), ms since the epoch, or null. */
  changedAt(path: string): number | null;
}

export interface FileDigest { algo: DigestAlgo; hex: string }

/** Where programs and libraries live: only these paths are indexed (about half of all listed paths). */
const INDEXED = /^\/(usr\/)?(s?bin|lib[^/]*|libexec|games|local)\/|^\/opt\//;
/** The letters an INDEXED path can start with after its first slash (u, b, s, l, g, o). */
const FIRST_LETTERS = new Set([...'ubslgo'].map((c) => c.charCodeAt(0)));

/** The other spelling of a path on a merged-/usr host (/bin ↔ /usr/bin, /lib64 ↔ /usr/lib64...). */
export function usrMergeAlias(path: string): string | null {
  const m = /^\/usr\/(s?bin|lib[^/]*)\//.exec(path);
  if (m) return path.slice(4);
  const n = /^\/(s?bin|lib[^/]*)\//.exec(path);
  if (n) return '/usr' + path;
  return null;
}

function mtimeKey(paths: string[]): string {
  return paths.map((p) => { try { const s = statSync(p); return `${s.mtimeMs}:${s.size}`; } catch { return '-'; } }).join('|');
}

/** A line "2026-11-27 08:21:51 status installed man-db:amd64 2.11.2-2" or "… upgrade pkg:arch old new". */
const LOG_LINE = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (?:upgrade|install|status installed) ([^\s:]+)(?::\S+)? /;

export class PackageIndex implements PackageLookup {
  kind: 'dpkg' | 'rpm' | 'none' = 'none';
  generation = 0;
  private readonly info: string;
  private owners: PathOwners | null = null;
  private diverted = new Map<string, string>();
  /**
   * Each package's file digests, read when first asked (a replaced executable), by the index's key: the
   * package's name for dpkg; for rpm its name and where its header is (rpmKey), as one name can be
   * installed twice (kernels, multilib) with different files.
   */
  private readonly sums = new Map<string, Map<string, FileDigest> | null>();
  /** When each package (by the index's key) was last installed or upgraded. */
  private changes: Map<string, number> | null = null;
  /** Why a path the index does not hold is no evidence of "unowned" (a database or package not read), or null. */
  private gap: string | null = null;
  private key = '';
  private checkedAt = 0;
  private loading: Promise<void> | null = null;
  /** Lazy mode: loadAsync() was called once, so later database changes reload in the background too. */
  private started = false;

  /**
   * `recheckMs`: how often the database's mtimes are compared (a stat of each file it could be in).
   * `lazy`: answer "unknown" until loadAsync() finished, instead of indexing synchronously on first use;
   * nothing is read before the owner calls loadAsync() (the dashboard does after its first frames).
   * `sliceMs`: how long loadAsync indexes before a turn of the event loop (default SLICE_MS).
   */
  constructor(private readonly root = '/', private readonly opts: { recheckMs?: number; now?: () => number; lazy?: boolean; sliceMs?: number } = {}) {
    this.info = join(root, 'var/lib/dpkg/info');
  }

  private watchedPaths: string[] | null = null;

  /** Every file whose change means the index must be rebuilt (the same list, in the same order, each time). */
  private watched(): string[] {
    this.watchedPaths ??= [this.info, join(this.root, 'var/lib/dpkg/status'), join(this.root, 'var/lib/dpkg/diversions'), ...rpmWatched(this.root)];
    return this.watchedPaths;
  }

  private detectKind(): 'dpkg' | 'rpm' | 'none' {
    try { if (statSync(this.info).isDirectory()) return 'dpkg'; } catch { /* not dpkg */ }
    for (const p of RPM_DBS) { try { statSync(join(this.root, p)); return 'rpm'; } catch { /* next */ } }
    return 'none';
  }

  /** Rebuild when the database changed (checked at most every recheckMs). */
  private fresh(): void {
    const now = (this.opts.now ?? Date.now)();
    if (this.owners && now - this.checkedAt < (this.opts.recheckMs ?? 30_000)) return;
    this.checkedAt = now;
    const key = mtimeKey(this.watched());
    if (this.owners && key === this.key) return;
    if (this.opts.lazy) { if (this.started) void this.loadAsync(); return; }
    this.build(key, readdirSync, (f) => readFileSync(f, 'utf8'));
  }

  private build(key: string, list: (d: string) => string[], read: (f: string) => string): void {
    this.kind = this.detectKind();
    const owners = PathOwners.builder();
    if (this.kind === 'dpkg') {
      let names: string[] = [];
      try { names = list(this.info); } catch { names = []; }
      for (const name of names) {
        if (!name.endsWith('.list')) continue;
        const pkg = name.slice(0, -5).replace(/:[^:]*$/, '');
        let text: string;
        try { text = read(join(this.info, name)); } catch { continue; }
        this.indexList(owners, pkg, text);
      }
      this.diverted = this.readDiversions(read);
      this.install(key, owners, null);
      return;
    }
    const rpm = new RpmIndexing(owners, this.kind === 'rpm' ? this.root : null);
    while (rpm.step()) { /* one package at a time */ }
    this.installRpm(key, rpm);
  }

  private installRpm(key: string, rpm: RpmIndexing): void {
    this.install(key, rpm.owners, rpm.installed);
    this.gap = rpm.gap();
    this.diverted = new Map();
  }

  /**
   * Index one package's file list. From a Buffer each kept line's directory and name are decoded on their
   * own: a slice of one big string would keep the whole file's text alive as long as the index (V8 sliced
   * strings), megabytes of /usr/share paths that are never looked up.
   */
  private indexList(owners: PathOwnersBuilder, pkg: string, text: string | Buffer): void {
    const buf = typeof text === 'string' ? Buffer.from(text) : text;
    // a list names a directory's files one after another: the previous line's directory is reused
    // (compared as bytes) instead of decoded again
    let dirStart = 0;
    let dirEnd = -1;
    let dir = '';
    let indexed = false;
    let start = 0;
    while (start < buf.length) {
      let end = buf.indexOf(10, start);
      if (end < 0) end = buf.length;
      // cheap pre-check on the bytes: INDEXED paths start with /u(sr), /b(in), /s(bin), /l(ib, ibexec,
      // ocal), /g(ames) or /o(pt)
      if (end - start > 1 && buf[start] === 47 && FIRST_LETTERS.has(buf[start + 1])) {
        // INDEXED matches a prefix that ends with a slash, so the line's directory decides
        const slash = buf.lastIndexOf(47, end - 1);
        if (slash - start !== dirEnd - dirStart || buf.compare(buf, dirStart, dirEnd, start, slash) !== 0) {
          dir = buf.toString('utf8', start, slash);
          indexed = INDEXED.test(dir + '/');
          dirStart = start;
          dirEnd = slash;
        }
        if (indexed) owners.add(dir, buf.toString('utf8', slash + 1, end), pkg);
      }
      start = end + 1;
    }
  }

  private install(key: string, owners: PathOwnersBuilder, changes: Map<string, number> | null): void {
    this.owners = owners.build();
    this.key = key;
    this.sums.clear();
    this.changes = changes;
    this.gap = null;
    this.generation++;
  }

  /** Index in the background (the dashboard): until it is done, every answer is "unknown". */
  loadAsync(): Promise<void> {
    this.started = true;
    if (this.loading) return this.loading;
    this.loading = (async () => {
      const key = mtimeKey(this.watched());
      this.kind = this.detectKind();
      const owners = PathOwners.builder();
      if (this.kind === 'dpkg') {
        let names: string[] = [];
        try { names = await readdir(this.info); } catch { names = []; }
        // 32 files in flight at a time: one await per file would pay the event loop's latency 3,000 times.
        // Indexing a batch is cut into slices of SLICE_MS with a turn between (a batch holding big
        // lists, kernel headers or Python, took 98 ms in one block: a key pressed then waited for it).
        const lists = names.filter((n) => n.endsWith('.list'));
        const slicer = new Slicer(this.opts.sliceMs ?? SLICE_MS, 1);
        for (let i = 0; i < lists.length; i += 32) {
          const batch = lists.slice(i, i + 32);
          const texts = await Promise.all(batch.map((n) => readFile(join(this.info, n)).catch(() => null)));
          slicer.restart();
          for (let j = 0; j < batch.length; j++) {
            if (texts[j] !== null) this.indexList(owners, batch[j].slice(0, -5).replace(/:[^:]*$/, ''), texts[j]!);
            if (slicer.due()) { await nextTurn(); slicer.restart(); }
          }
        }
        this.diverted = this.readDiversions((f) => readFileSync(f, 'utf8'));
        this.install(key, owners, null);
      } else {
        // rpm: one header per package, each decoded in one go; a turn of the event loop between slices
        const rpm = new RpmIndexing(owners, this.kind === 'rpm' ? this.root : null);
        const slicer = new Slicer(this.opts.sliceMs ?? SLICE_MS, 1);
        while (rpm.step()) if (slicer.due()) { await nextTurn(); slicer.restart(); }
        this.installRpm(key, rpm);
      }
      this.checkedAt = (this.opts.now ?? Date.now)();
    })().finally(() => { this.loading = null; });
    return this.loading;
  }

  /** /var/lib/dpkg/diversions: triples of lines (original path, diverted-to path, diverting package). */
  private readDiversions(read: (f: string) => string): Map<string, string> {
    const out = new Map<string, string>();
    let text = '';
    try { text = read(join(this.root, 'var/lib/dpkg/diversions')); } catch { return out; }
    const lines = text.split('\n');
    for (let i = 0; i + 2 < lines.length; i += 3) out.set(lines[i + 1], lines[i]);
    return out;
  }

  /** Once indexed: why some ownership answers are "unknown" on a host that has a database (rpm's not read, or not all of it), or null. */
  unreadWhy(): string | null {
    return this.owners ? this.gap : null;
  }

  /** The index's key of the package that owns `path` (its alias, or the original of a diversion), or undefined. */
  private ownerKey(path: string): string | undefined {
    this.fresh();
    if (!this.owners || this.kind === 'none') return undefined;
    for (const p of [path, usrMergeAlias(path), this.diverted.get(path)]) {
      const key = p ? this.owners.get(p) : undefined;
      if (key) return key;
    }
    return undefined;
  }

  owner(path: string): Ownership {
    const key = this.ownerKey(path);
    if (key) return { state: 'owned', package: packageName(key) };
    if (!this.owners) return { state: 'unknown', why: 'the package database is still being indexed' };
    if (this.kind === 'none') return { state: 'unknown', why: 'no package database under this root' };
    if (!INDEXED.test(path)) return { state: 'unknown', why: 'outside the indexed program and library directories' };
    if (this.gap) return { state: 'unknown', why: this.gap };
    return { state: 'unowned' };
  }

  digest(path: string): FileDigest | null {
    // A digest is compared with the file on disk now, so it must come from the database on disk now:
    // right after an upgrade a restarted service runs the new file while an index up to 30 s old still
    // holds the old digest. A database that changed is read again first (lazily: no answer until then).
    // Checked on the files a digest comes from only (dpkg's info directory, rpm's database files): this
    // runs for every process whose executable was hashed, at every tick (a stat of all 11 places the
    // database could be was 47 µs a call).
    if (this.owners && this.digestSourceChanged()) {
      this.checkedAt = -Infinity;
      this.fresh();
      if (mtimeKey(this.watched()) !== this.key) return null;
    }
    const key = this.ownerKey(path);
    if (!key) return null;
    // a diverted path holds the diverting package's file, not the one the owner's digest describes
    for (const original of this.diverted.values()) if (original === path || original === usrMergeAlias(path)) return null;
    let sums = this.sums.get(key);
    if (sums === undefined) {
      sums = this.kind === 'rpm' ? this.rpmDigests(key) : this.dpkgDigests(key);
      this.sums.set(key, sums);
    }
    if (!sums) return null;
    return sums.get(path) ?? sums.get(usrMergeAlias(path) ?? '') ?? null;
  }

  /** Whether a file digests are read from changed since the index was built (compared with its part of the index's key). */
  private digestSourceChanged(): boolean {
    const paths = this.watched();
    const parts = this.key.split('|');
    if (parts.length !== paths.length) return true;
    // [0] is dpkg's info directory (its *.md5sums are renamed into it); rpm's files follow the dpkg ones
    const which = this.kind === 'dpkg' ? [0] : this.kind === 'rpm' ? paths.map((_, i) => i).filter((i) => i >= 3 && parts[i] !== '-') : [];
    return which.some((i) => mtimeKey([paths[i]]) !== parts[i]);
  }

  /** A dpkg package's *.md5sums (the plain name first, then NAME:ARCH). */
  private dpkgDigests(pkg: string): Map<string, FileDigest> | null {
    for (const name of this.md5Files(pkg)) {
      try {
        const text = readFileSync(join(this.info, name), 'utf8');
        const sums = new Map<string, FileDigest>();
        for (const line of text.split('\n')) {
          const m = /^([0-9a-f]{32}) {2}(.+)$/.exec(line);
          if (m) sums.set('/' + m[2], { algo: 'md5', hex: m[1] });
        }
        return sums;
      } catch { /* try the next arch */ }
    }
    return null;
  }

  /** One rpm package's digests of its program and library files as installed, from its header read again. */
  private rpmDigests(key: string): Map<string, FileDigest> | null {
    const db = RpmDb.open(this.root);
    if (!(db instanceof RpmDb)) return null;
    try {
      const p = db.package(rpmLoc(key));
      if (!p || p.name !== packageName(key)) return null; // the database changed since it was indexed
      const d = p.header.digests();
      if (!d) return null;
      const states = p.header.fileStates();
      const sums = new Map<string, FileDigest>();
      p.header.files((dir, name, i) => {
        const path = `${dir}/${name}`;
        if (d.hex[i] && (!states || states[i] === FILE_NORMAL) && INDEXED.test(path)) sums.set(path, { algo: d.algo, hex: d.hex[i] });
      });
      return sums;
    } catch { return null; } finally { db.close(); }
  }

  private md5Files(pkg: string): string[] {
    const names = [`${pkg}.md5sums`];
    try { for (const n of readdirSync(this.info)) if (n.startsWith(pkg + ':') && n.endsWith('.md5sums')) names.push(n); } catch { /* none */ }
    return names;
  }

  changedAt(path: string): number | null {
    const key = this.ownerKey(path);
    if (!key) return null;
    if (!this.changes) this.changes = this.kind === 'dpkg' ? this.readLog() : new Map();
    return this.changes.get(key) ?? null;
  }

  /** The last install/upgrade time of each package, from the tail of /var/log/dpkg.log (local time). */
  private readLog(): Map<string, number> {
    const out = new Map<string, number>();
    let text = '';
    try {
      const fd = openSync(join(this.root, 'var/log/dpkg.log'), 'r');
      try {
        const size = statSync(join(this.root, 'var/log/dpkg.log')).size;
        const len = Math.min(size, 4 * 1024 * 1024);
        const buf = Buffer.alloc(len);
        const n = readSync(fd, buf, 0, len, size - len);
        text = buf.subarray(0, n).toString('utf8');
      } finally { closeSync(fd); }
    } catch { return out; }
    for (const line of text.split('\n')) {
      const m = LOG_LINE.exec(line);
      if (!m) continue;
      const t = new Date(`${m[1]}T${m[2]}`).getTime();
      if (Number.isFinite(t) && t > (out.get(m[3]) ?? 0)) out.set(m[3], t);
    }
    return out;
  }
}

/** rpm: a package's key in the index, its name and where its header is (one name can be installed twice). */
const rpmKey = (name: string, loc: number) => `${name}\0${loc}`;
const rpmLoc = (key: string) => Number(key.slice(key.lastIndexOf('\0') + 1));
/** The package's name from the index's key (dpkg's keys are names). */
const packageName = (key: string) => { const nul = key.indexOf('\0'); return nul < 0 ? key : key.slice(0, nul); };

/**
 * One pass over rpm's database: each package's program and library files into the index, its rows and
 * install time kept; `step()` indexes one package (false when done), so the dashboard can take turns.
 */
class RpmIndexing {
  /** When each package was installed, by the index's key (rpmKey). */
  readonly installed = new Map<string, number>();
  private db: RpmDb | null = null;
  private it: Iterator<RpmPackage | { hnum: number; error: string }> | null = null;
  private unread: string | null = null;
  private failed = 0;
  private packages = 0;

  constructor(readonly owners: PathOwnersBuilder, root: string | null) {
    if (root === null) return;
    const db = RpmDb.open(root);
    if (db instanceof RpmDb) { this.db = db; this.it = db.packages(); return; }
    this.unread = `rpm database not readable (${db.unread})`;
  }

  step(): boolean {
    if (!this.it || !this.db) return false;
    let next: IteratorResult<RpmPackage | { hnum: number; error: string }>;
    try { next = this.it.next(); } catch (e) {
      this.unread = `rpm database not readable to its end (${(e as Error).message})`;
      return this.finish();
    }
    if (next.done) return this.finish();
    const p = next.value;
    if ('error' in p) { this.failed++; return true; }
    const key = rpmKey(p.name, p.loc);
    try {
      // only files installed as listed: not those another package replaced, nor those skipped
      // (--excludedocs, another architecture's copy of a multilib file, a network share)
      const states = p.header.fileStates();
      let lastDir: string | null = null;
      let indexed = false;
      p.header.files((dir, name, i) => {
        if (states && states[i] !== FILE_NORMAL) return;
        if (dir !== lastDir) { lastDir = dir; indexed = INDEXED.test(dir + '/'); }
        if (indexed) this.owners.add(dir, name, key);
      });
    } catch { this.failed++; return true; }
    this.packages++;
    if (p.installedAt !== null) this.installed.set(key, p.installedAt);
    return true;
  }

  private finish(): false {
    this.db?.close();
    this.db = null;
    this.it = null;
    return false;
  }

  /** Why a miss is not "unowned": the database was not read, or some package in it did not decode. */
  gap(): string | null {
    if (this.unread) return this.unread;
    if (this.failed > 0) return `${this.failed} of ${this.failed + this.packages} packages in the rpm database could not be decoded`;
    return null;
  }
}

/** A lookup that knows nothing: used where no root was given (tests of single rules). */
export const NO_PACKAGES: PackageLookup = {
  kind: 'none',
  generation: 0,
  owner: () => ({ state: 'unknown', why: 'no package database consulted' }),
  digest: () => null,
  changedAt: () => null,
};

/** Whether a path is never a package's: /usr/local and /opt are the administrator's own. */
export function neverPackaged(path: string): boolean {
  return path.startsWith('/usr/local/');
}
