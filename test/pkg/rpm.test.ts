// Package ownership on RPM hosts: rpm's SQLite database read without rpm or a SQLite library, on fixture
// databases written by SQLite itself (test/fixtures/rpm/make.py says what each holds).
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PackageIndex } from '../../src/pkg/packages';
import { RpmHeader, TAG } from '../../src/pkg/rpmHeader';
import { RpmDb } from '../../src/pkg/rpmdb';
import { SqliteFile } from '../../src/pkg/sqlite';
import { ProcTree } from '../../src/procfs/fake';
import { turnsWhile } from '../helpers/turns';

const FIX = join(__dirname, '../fixtures/rpm');
const fixture = (name: string) => readFileSync(join(FIX, name));

let tree: ProcTree | null = null;
afterEach(() => { tree?.cleanup(); tree = null; });

/** A root whose rpm database (in `dir`, Fedora's place by default) is the fixture `name`. */
function rpmRoot(name: string, opts: { dir?: string; wal?: boolean } = {}): string {
  const dir = opts.dir ?? 'usr/lib/sysimage/rpm';
  tree = new ProcTree().file(`${dir}/rpmdb.sqlite`, fixture(`${name}.sqlite`));
  if (opts.wal) tree.file(`${dir}/rpmdb.sqlite-wal`, fixture(`${name}.sqlite-wal`));
  return tree.root;
}

describe('SqliteFile', () => {
  it('reads every row of a table spread over interior, leaf and overflow pages, and one row by its key', () => {
    const db = SqliteFile.open(join(FIX, 'plain.sqlite'))!;
    try {
      const root = db.rootOf('Packages')!;
      expect(root).toBeGreaterThan(1);
      expect(db.rootOf('Nothing')).toBeNull();
      const rows = [...db.rows(root)];
      expect(rows.map((r) => r.rowid)).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
      // an INTEGER PRIMARY KEY is the rowid: the record holds NULL in its place
      expect(rows[0].values[0]).toBeNull();
      const big = rows.find((r) => Buffer.isBuffer(r.values[1]) && (r.values[1] as Buffer).length > 4 * 1024)!;
      expect(big).toBeDefined(); // coreutils' header, far larger than a 1,024-byte page
      expect(db.row(root, big.rowid)).toEqual(big.values);
      expect(db.row(root, 70)).toEqual(rows[69].values);
      expect(db.row(root, 71)).toBeNull();
    } finally { db.close(); }
  });

  it('is no database when the file is not one, or is a link', () => {
    tree = new ProcTree().file('x.sqlite', 'SQLite format 3\0').file('y.sqlite', Buffer.alloc(200));
    expect(() => SqliteFile.open(join(tree!.root, 'x.sqlite'))).toThrow(/not a SQLite/);
    expect(() => SqliteFile.open(join(tree!.root, 'y.sqlite'))).toThrow(/not a SQLite/);
    symlinkSync(join(FIX, 'plain.sqlite'), join(tree.root, 'z.sqlite'));
    expect(SqliteFile.open(join(tree.root, 'z.sqlite'))).toBeNull();
  });
});

describe('RpmHeader', () => {
  it('decodes the file list (directory + basename), digests and the dribble entries rpm adds at install', () => {
    const db = RpmDb.open(join(FIX, '..', '..', '..', 'no-such-root'));
    expect(db).toEqual({ unread: 'no rpmdb.sqlite' });
    const open = RpmDb.open(rpmRoot('plain')) as RpmDb;
    try {
      const pkgs = [...open.packages()];
      expect(pkgs).toHaveLength(70);
      const byName = (n: string) => pkgs.filter((p) => 'name' in p && p.name === n) as Extract<(typeof pkgs)[number], { name: string }>[];
      const core = byName('coreutils')[0];
      const files: string[] = [];
      core.header.files((dir, name) => files.push(`${dir}/${name}`));
      expect(files).toHaveLength(300);
      expect(files[299]).toBe('/usr/bin/cp');
      expect(core.header.digests()).toEqual({ algo: 'sha256', hex: [...Array(299).fill('d'.repeat(64)), 'c'.repeat(64)] });
      expect(byName('legacy')[0].header.digests()).toEqual({ algo: 'md5', hex: ['e'.repeat(32)] }); // no FILEDIGESTALGO: MD5
      expect(byName('dribbled')[0].installedAt).toBe(1_720_000_000_000);
      expect(byName('kernel-core').map((k) => k.header.string(TAG.RELEASE))).toEqual(['1.el9', '2.el9']);
      expect(byName('filesystem')[0].header.stringArray(TAG.BASENAMES)).toEqual([]);
      expect(open.package(core.hnum)!.name).toBe('coreutils');
    } finally { open.close(); }
  });

  it('refuses a header whose counts or offsets point outside it', () => {
    const head = (il: number, dl: number, entries: number[][], data = Buffer.alloc(dl)) => {
      const b = Buffer.alloc(8 + 16 * entries.length);
      b.writeUInt32BE(il, 0); b.writeUInt32BE(dl, 4);
      entries.forEach((e, i) => e.forEach((v, j) => b.writeUInt32BE(v, 8 + 16 * i + 4 * j)));
      return Buffer.concat([b, data]);
    };
    expect(() => new RpmHeader(Buffer.from([0, 0, 0]))).toThrow(/shorter/);
    expect(() => new RpmHeader(head(0, 0, []))).toThrow(/0 entries/);
    expect(() => new RpmHeader(head(1, 4096, [[1000, 6, 0, 1]], Buffer.alloc(8)))).toThrow(/runs past/);
    expect(() => new RpmHeader(head(1, 8, [[1000, 6, 9, 1]]))).toThrow(/outside/);
    // a string without its terminating NUL, an int array longer than the data
    expect(() => new RpmHeader(head(1, 4, [[1000, 6, 0, 1]], Buffer.from('abcd'))).string(1000)).toThrow(/without its end/);
    expect(() => new RpmHeader(head(1, 8, [[1116, 4, 0, 3]])).ints(1116)).toThrow(/runs past/);
    expect(() => new RpmHeader(head(1, 8, [[1117, 8, 0, 0xffffffff]])).stringArray(1117)).toThrow(/more strings/);
  });
});

describe('PackageIndex on an RPM host', () => {
  it('answers owned, unowned and unknown from rpm\'s SQLite database, with digests and install times', () => {
    const ix = new PackageIndex(rpmRoot('plain'));
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
    expect(ix.kind).toBe('rpm');
    expect(ix.owner('/usr/bin/cp')).toEqual({ state: 'owned', package: 'coreutils' });
    expect(ix.owner('/bin/sh')).toEqual({ state: 'owned', package: 'bash' }); // listed as /usr/bin/sh
    expect(ix.owner('/usr/lib64/libfiller60.so.1')).toEqual({ state: 'owned', package: 'filler60' });
    expect(ix.owner('/lib/modules/5.14.0-1.el9.x86_64/vmlinuz')).toEqual({ state: 'owned', package: 'kernel-core' });
    expect(ix.owner('/lib/modules/5.14.0-2.el9.x86_64/vmlinuz')).toEqual({ state: 'owned', package: 'kernel-core' });
    expect(ix.owner('/usr/bin/kworker')).toEqual({ state: 'unowned' });
    expect(ix.owner('/etc/ssh/sshd_config').state).toBe('unknown'); // outside the indexed directories
    expect(ix.digest('/usr/sbin/sshd')).toEqual({ algo: 'sha256', hex: 'f'.repeat(64) });
    expect(ix.digest('/bin/cp')).toEqual({ algo: 'sha256', hex: 'c'.repeat(64) });
    expect(ix.digest('/usr/bin/legacy')).toEqual({ algo: 'md5', hex: 'e'.repeat(32) });
    expect(ix.digest('/usr/bin/kworker')).toBeNull();
    expect(ix.changedAt('/usr/libexec/dribbled/helper')).toBe(1_720_000_000_000);
    expect(ix.changedAt('/lib/modules/5.14.0-1.el9.x86_64/vmlinuz')).toBe(1_710_000_000_000); // the newer of two installs
  });

  it('reads /var/lib/rpm too (RHEL 9 keeps it there)', () => {
    const ix = new PackageIndex(rpmRoot('plain', { dir: 'var/lib/rpm' }));
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
  });

  it('reads the write-ahead log: committed changes count, a transaction still open does not', () => {
    const withWal = new PackageIndex(rpmRoot('wal', { wal: true }));
    expect(withWal.owner('/usr/sbin/nginx')).toEqual({ state: 'owned', package: 'nginx' }); // installed, in the WAL only
    expect(withWal.owner('/usr/bin/oldtool')).toEqual({ state: 'unowned' }); // removed, in the WAL only
    expect(withWal.owner('/usr/bin/evil0')).toEqual({ state: 'unowned' }); // never committed
    expect(withWal.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
    tree!.cleanup();
    // the same base file without its log: what the database held at the last checkpoint
    const base = new PackageIndex(rpmRoot('wal'));
    expect(base.owner('/usr/bin/oldtool')).toEqual({ state: 'owned', package: 'oldpkg' });
    expect(base.owner('/usr/sbin/nginx')).toEqual({ state: 'unowned' });
  });

  it('a package that does not decode makes every miss unknown, never unowned', () => {
    const ix = new PackageIndex(rpmRoot('broken'));
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
    expect(ix.owner('/usr/bin/bash')).toEqual({ state: 'owned', package: 'bash' });
    expect(ix.owner('/usr/bin/kworker')).toEqual({ state: 'unknown', why: '1 of 3 packages in the rpm database could not be decoded' });
  });

  it('a database cut short keeps what it read and makes every miss unknown', () => {
    const whole = fixture('plain.sqlite');
    tree = new ProcTree().file('var/lib/rpm/rpmdb.sqlite', whole.subarray(0, Math.floor(whole.length / 2)));
    const ix = new PackageIndex(tree.root);
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
    const miss = ix.owner('/usr/bin/kworker');
    expect(miss.state).toBe('unknown');
    expect(miss.state === 'unknown' && miss.why).toMatch(/not readable to its end .*cut short|outside the database/);
  });

  it('Berkeley DB and ndb databases are named, not read: every answer is unknown', () => {
    tree = new ProcTree().file('var/lib/rpm/Packages', Buffer.alloc(4096));
    const ix = new PackageIndex(tree.root);
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'unknown', why: 'rpm database in Berkeley DB format (var/lib/rpm/Packages), which minewatch does not read' });
    expect(ix.kind).toBe('rpm');
    tree.cleanup();
    tree = new ProcTree().file('usr/lib/sysimage/rpm/Packages.db', Buffer.alloc(4096));
    expect(new PackageIndex(tree.root).owner('/usr/bin/x')).toMatchObject({ state: 'unknown', why: expect.stringMatching(/ndb format/) });
  });

  it('never throws or hangs on a damaged database: 300 copies with bytes changed at random', () => {
    const whole = fixture('plain.sqlite');
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    let owned = 0;
    for (let i = 0; i < 300; i++) {
      const copy = Buffer.from(whole);
      for (let k = 0; k < 1 + rand(8); k++) copy[100 + rand(copy.length - 100)] = rand(256);
      tree?.cleanup();
      tree = new ProcTree().file('var/lib/rpm/rpmdb.sqlite', copy);
      const ix = new PackageIndex(tree.root);
      const o = ix.owner('/usr/sbin/sshd');
      expect(['owned', 'unowned', 'unknown']).toContain(o.state);
      if (o.state === 'owned') owned++;
      ix.digest('/usr/bin/cp');
    }
    expect(owned).toBeGreaterThan(0);
  });

  it('lazy: indexes in the background with turns of the event loop between packages', async () => {
    const ix = new PackageIndex(rpmRoot('plain'), { lazy: true, sliceMs: 0 });
    expect(ix.owner('/usr/sbin/sshd').state).toBe('unknown');
    const turns = await turnsWhile(ix.loadAsync());
    expect(turns).toBeGreaterThanOrEqual(70);
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
  });
});
