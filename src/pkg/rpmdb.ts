// rpm's package database, read directly (never `rpm -qf`: a child process per question, and whatever
// `rpm` is on the PATH of a host we do not trust). One header blob per installed package, keyed by the
// package's number:
// - SQLite (rpmdb.sqlite, table Packages (hnum INTEGER PRIMARY KEY, blob BLOB)): RHEL 9 and its
//   rebuilds (Rocky, Alma), Fedora 33+, CBL-Mariner 2, Amazon Linux 2023 (sqlite.ts);
// - Berkeley DB (var/lib/rpm/Packages, a hash database): RHEL/CentOS 7 and 8, Amazon Linux 2 (bdb.ts);
// - rpm's own ndb (Packages.db): openSUSE, SUSE Linux Enterprise 15 (ndb.ts).
import { join } from 'node:path';
import { BdbHash } from './bdb';
import { NdbFile } from './ndb';
import { RpmHeader, TAG } from './rpmHeader';
import { SqliteFile } from './sqlite';

/** Where each format lives, under the root; the first found wins (Fedora links var/lib/rpm to sysimage). */
export const RPM_SQLITE = ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite'];
export const RPM_BDB = 'var/lib/rpm/Packages';
export const RPM_NDB = ['usr/lib/sysimage/rpm/Packages.db', 'var/lib/rpm/Packages.db'];
/** Every place a database can be, to tell an RPM host and to notice a change. */
export const RPM_DBS = [...RPM_SQLITE, RPM_BDB, ...RPM_NDB];

export interface RpmPackage {
  /** The package's number in the database. */
  hnum: number;
  /** Where its header is, for package() to read it again without a scan (for its digests). */
  loc: number;
  name: string;
  /** When it was installed or last upgraded, ms since the epoch, or null. */
  installedAt: number | null;
  header: RpmHeader;
}

/** One database format: its rows of (package number, where it is, header blob). */
interface Row { hnum: number; loc: number; blob: Buffer | null }
interface Backend {
  rows(): Generator<Row>;
  /** The row at `loc`, read again. */
  row(loc: number): Row | null;
  close(): void;
}

function sqliteBackend(db: SqliteFile, path: string): Backend {
  const table = db.rootOf('Packages');
  if (table === null) throw new Error(`${path} has no Packages table`);
  return {
    *rows() {
      for (const { rowid, values } of db.rows(table)) yield { hnum: rowid, loc: rowid, blob: Buffer.isBuffer(values[1]) ? values[1] : null };
    },
    row(rowid) {
      const values = db.row(table, rowid);
      return values ? { hnum: rowid, loc: rowid, blob: Buffer.isBuffer(values[1]) ? values[1] : null } : null;
    },
    close: () => db.close(),
  };
}

function bdbBackend(db: BdbHash): Backend {
  return {
    *rows() {
      for (const { key, value, at } of db.entries()) {
        const hnum = db.keyNumber(key);
        // key 0 holds rpm's counter of package numbers, not a package
        if (hnum === null || hnum === 0) continue;
        yield { hnum, loc: at, blob: value };
      }
    },
    row(at) {
      const e = db.entryAt(at);
      const hnum = e ? db.keyNumber(e.key) : null;
      return e && hnum ? { hnum, loc: at, blob: e.value } : null;
    },
    close: () => db.close(),
  };
}

function ndbBackend(db: NdbFile): Backend {
  return {
    *rows() {
      for (const { hnum, blob, slot } of db.packages()) yield { hnum, loc: slot, blob };
    },
    row(slot) {
      const p = db.packageAt(slot);
      return p ? { ...p, loc: slot } : null;
    },
    close: () => db.close(),
  };
}

export class RpmDb {
  private constructor(private readonly backend: Backend, readonly path: string, readonly format: 'SQLite' | 'Berkeley DB' | 'ndb') {}

  /** The database under `root`, or why there is none to read. */
  static open(root: string): RpmDb | { unread: string } {
    for (const rel of RPM_SQLITE) {
      const path = join(root, rel);
      let db: SqliteFile | null;
      try { db = SqliteFile.open(path); } catch (e) { return { unread: `${path}: ${(e as Error).message}` }; }
      if (db === null) continue;
      try { return new RpmDb(sqliteBackend(db, path), path, 'SQLite'); } catch (e) { db.close(); return { unread: `${path}: ${(e as Error).message}` }; }
    }
    const path = join(root, RPM_BDB);
    try {
      const db = BdbHash.open(path);
      if (db !== null) return new RpmDb(bdbBackend(db), path, 'Berkeley DB');
    } catch (e) { return { unread: `${path}: ${(e as Error).message}` }; }
    for (const rel of RPM_NDB) {
      const at = join(root, rel);
      try {
        const db = NdbFile.open(at);
        if (db !== null) return new RpmDb(ndbBackend(db), at, 'ndb');
      } catch (e) { return { unread: `${at}: ${(e as Error).message}` }; }
    }
    return { unread: 'no rpm database' };
  }

  /** Every installed package; a row that does not decode is reported, not skipped silently. */
  *packages(): Generator<RpmPackage | { hnum: number; error: string }> {
    for (const { hnum, loc, blob } of this.backend.rows()) {
      if (!blob) { yield { hnum, error: 'no header blob' }; continue; }
      try {
        yield toPackage(hnum, loc, new RpmHeader(blob));
      } catch (e) {
        yield { hnum, error: (e as Error).message };
      }
    }
  }

  /** One package read again from where packages() found it (for what the index does not keep: its digests). */
  package(loc: number): RpmPackage | null {
    const row = this.backend.row(loc);
    return row?.blob ? toPackage(row.hnum, loc, new RpmHeader(row.blob)) : null;
  }

  close(): void {
    this.backend.close();
  }
}

function toPackage(hnum: number, loc: number, header: RpmHeader): RpmPackage {
  const name = header.string(TAG.NAME);
  if (!name) throw new Error('a header without a name');
  const t = header.ints(TAG.INSTALLTIME)[0];
  return { hnum, loc, name, installedAt: t ? t * 1000 : null, header };
}

/** The database files whose change means the index must be rebuilt. */
export function rpmWatched(root: string): string[] {
  return [...RPM_SQLITE.flatMap((p) => [join(root, p), join(root, `${p}-wal`)]), join(root, RPM_BDB), ...RPM_NDB.map((p) => join(root, p))];
}
