// rpm's package database, read directly (never `rpm -qf`: a child process per question, and whatever
// `rpm` is on the PATH of a host we do not trust). RHEL 9 and its rebuilds (Rocky, Alma), Fedora 33+
// and CBL-Mariner 2 keep it in SQLite: table Packages (hnum INTEGER PRIMARY KEY, blob BLOB), one header
// blob per installed package. Older hosts keep it in Berkeley DB (RHEL/CentOS 7 and 8:
// var/lib/rpm/Packages), openSUSE and SLE in rpm's own ndb format (Packages.db): those are found and
// named, but not read, so there the answer stays "unknown".
import { join } from 'node:path';
import { RpmHeader, TAG } from './rpmHeader';
import { SqliteFile } from './sqlite';

/** Where each format lives, under the root; the first found wins (Fedora links var/lib/rpm to sysimage). */
export const RPM_SQLITE = ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'var/lib/rpm/rpmdb.sqlite'];
export const RPM_UNREAD = [
  { path: 'var/lib/rpm/Packages', format: 'Berkeley DB' },
  { path: 'usr/lib/sysimage/rpm/Packages.db', format: 'ndb' },
  { path: 'var/lib/rpm/Packages.db', format: 'ndb' },
];

export interface RpmPackage {
  /** The row's key: how the header is found again (for its digests). */
  hnum: number;
  name: string;
  /** When it was installed or last upgraded, ms since the epoch, or null. */
  installedAt: number | null;
  header: RpmHeader;
}

export class RpmDb {
  private constructor(private readonly db: SqliteFile, private readonly table: number, readonly path: string) {}

  /** The SQLite database under `root`, or why there is none to read. */
  static open(root: string): RpmDb | { unread: string } {
    for (const rel of RPM_SQLITE) {
      const path = join(root, rel);
      let db: SqliteFile | null;
      try { db = SqliteFile.open(path); } catch (e) { return { unread: `${path}: ${(e as Error).message}` }; }
      if (db === null) continue;
      try {
        const table = db.rootOf('Packages');
        if (table === null) { db.close(); return { unread: `${path} has no Packages table` }; }
        return new RpmDb(db, table, path);
      } catch (e) { db.close(); return { unread: `${path}: ${(e as Error).message}` }; }
    }
    return { unread: 'no rpmdb.sqlite' };
  }

  /** Every installed package, in the database's order; a row that does not decode is reported, not skipped silently. */
  *packages(): Generator<RpmPackage | { hnum: number; error: string }> {
    for (const { rowid, values } of this.db.rows(this.table)) {
      const blob = values[1];
      if (!Buffer.isBuffer(blob)) { yield { hnum: rowid, error: 'no header blob' }; continue; }
      try {
        yield toPackage(rowid, new RpmHeader(blob));
      } catch (e) {
        yield { hnum: rowid, error: (e as Error).message };
      }
    }
  }

  /** One package by its key, read again (for what the index does not keep: its digests). */
  package(hnum: number): RpmPackage | null {
    const values = this.db.row(this.table, hnum);
    const blob = values?.[1];
    if (!Buffer.isBuffer(blob)) return null;
    return toPackage(hnum, new RpmHeader(blob));
  }

  close(): void {
    this.db.close();
  }
}

function toPackage(hnum: number, header: RpmHeader): RpmPackage {
  const name = header.string(TAG.NAME);
  if (!name) throw new Error('a header without a name');
  const t = header.ints(TAG.INSTALLTIME)[0];
  return { hnum, name, installedAt: t ? t * 1000 : null, header };
}

/** The database files whose change means the index must be rebuilt. */
export function rpmWatched(root: string): string[] {
  return [...RPM_SQLITE.flatMap((p) => [join(root, p), join(root, `${p}-wal`)]), ...RPM_UNREAD.map((u) => join(root, u.path))];
}
