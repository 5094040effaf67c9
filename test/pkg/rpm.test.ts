// Package ownership on RPM hosts: rpm's database (SQLite, Berkeley DB) read without rpm or a library, on
// fixture databases written by SQLite and Berkeley DB themselves (test/fixtures/rpm/make.py says what
// each holds).
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BdbHash } from '../../src/pkg/bdb';
import { PackageIndex } from '../../src/pkg/packages';
import { RpmHeader, TAG } from '../../src/pkg/rpmHeader';
import { RpmDb, type RpmPackage } from '../../src/pkg/rpmdb';
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
    expect(db).toEqual({ unread: 'no rpm database' });
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
      expect(open.package(core.loc)!.name).toBe('coreutils');
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
  const formats: [string, () => string][] = [
    ['SQLite (Fedora\'s place)', () => rpmRoot('plain')],
    ['Berkeley DB (RHEL 7 and 8), little-endian', () => { tree = new ProcTree().file('var/lib/rpm/Packages', fixture('plain.bdb')); return tree.root; }],
    ['Berkeley DB written on a big-endian host', () => { tree = new ProcTree().file('var/lib/rpm/Packages', fixture('plain-be.bdb')); return tree.root; }],
    ['ndb (openSUSE, SLE 15)', () => { tree = new ProcTree().file('usr/lib/sysimage/rpm/Packages.db', fixture('plain.ndb')); return tree.root; }],
  ];
  for (const [format, root] of formats) {
    it(`${format}: owned, unowned and unknown, with digests and install times`, () => {
      const at = root();
      const ix = new PackageIndex(at);
      expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
      expect(ix.kind).toBe('rpm');
      expect(ix.unreadWhy()).toBeNull();
      expect(ix.owner('/usr/bin/cp')).toEqual({ state: 'owned', package: 'coreutils' });
      expect(ix.owner('/bin/sh')).toEqual({ state: 'owned', package: 'bash' }); // listed as /usr/bin/sh
      expect(ix.owner('/usr/lib/systemd/systemd')).toEqual({ state: 'owned', package: 'systemd' });
      expect(ix.owner('/usr/lib64/libfiller58.so.1')).toEqual({ state: 'owned', package: 'filler58' });
      expect(ix.owner('/lib/modules/5.14.0-1.el9.x86_64/vmlinuz')).toEqual({ state: 'owned', package: 'kernel-core' });
      expect(ix.owner('/lib/modules/5.14.0-2.el9.x86_64/vmlinuz')).toEqual({ state: 'owned', package: 'kernel-core' });
      expect(ix.owner('/usr/bin/kworker')).toEqual({ state: 'unowned' });
      expect(ix.owner('/etc/ssh/sshd_config').state).toBe('unknown'); // outside the indexed directories
      expect(ix.digest('/usr/sbin/sshd')).toEqual({ algo: 'sha256', hex: 'f'.repeat(64) });
      expect(ix.digest('/bin/cp')).toEqual({ algo: 'sha256', hex: 'c'.repeat(64) });
      expect(ix.digest('/usr/bin/legacy')).toEqual({ algo: 'md5', hex: 'e'.repeat(32) });
      expect(ix.digest('/usr/bin/kworker')).toBeNull();
      expect(ix.changedAt('/usr/libexec/dribbled/helper')).toBe(1_720_000_000_000);
      // two installs of one name: each file has its own package's time
      expect(ix.changedAt('/lib/modules/5.14.0-1.el9.x86_64/vmlinuz')).toBe(1_600_000_000_000);
      expect(ix.changedAt('/lib/modules/5.14.0-2.el9.x86_64/vmlinuz')).toBe(1_710_000_000_000);
      // a file the first lister says another package replaced belongs to that one, with its digest
      expect(ix.owner('/usr/bin/shared-tool')).toEqual({ state: 'owned', package: 'tool-new' });
      expect(ix.digest('/usr/bin/shared-tool')).toEqual({ algo: 'sha256', hex: 'b'.repeat(64) });
      // each header is found again where the scan found it (a digest lookup reads one package, not all)
      const db = RpmDb.open(at) as RpmDb;
      try {
        const pkgs = [...db.packages()].filter((p) => 'name' in p) as RpmPackage[];
        expect(pkgs).toHaveLength(70);
        for (const p of pkgs) expect(db.package(p.loc)).toMatchObject({ hnum: p.hnum, name: p.name });
      } finally { db.close(); }
    });
  }

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

  it('a database file that is not what its name says is not read: every answer is unknown', () => {
    for (const [where, what] of [['var/lib/rpm/Packages', 'not a Berkeley DB hash database'], ['usr/lib/sysimage/rpm/Packages.db', 'not an rpm ndb database']]) {
      tree?.cleanup();
      tree = new ProcTree().file(where, Buffer.alloc(4096));
      const ix = new PackageIndex(tree.root);
      expect(ix.owner('/usr/bin/x')).toEqual({ state: 'unknown', why: `rpm database not readable (${join(tree.root, where)}: ${what})` });
      expect(ix.kind).toBe('rpm');
      expect(ix.unreadWhy()).toMatch(/not readable/);
    }
  });

  it('damage found as damage, never as "unowned": a loop, a truncation, a page of the wrong kind, a UTF-16 file', () => {
    const damaged = (where: string, bytes: Buffer) => {
      tree?.cleanup();
      tree = new ProcTree().file(where, bytes);
      const ix = new PackageIndex(tree.root);
      const o = ix.owner('/usr/bin/kworker');
      expect(o.state).toBe('unknown');
      return o.state === 'unknown' ? o.why : '';
    };
    // an overflow page that names itself as the next one (test/fixtures/rpm/make.py)
    expect(damaged('var/lib/rpm/rpmdb.sqlite', fixture('loop.sqlite'))).toMatch(/overflow chain ends early or loops/);
    const utf16 = Buffer.from(fixture('plain.sqlite'));
    utf16.writeUInt32BE(2, 56);
    expect(damaged('var/lib/rpm/rpmdb.sqlite', utf16)).toMatch(/only UTF-8 databases are read/);
    // Berkeley DB: cut short, a last page beyond the file, a bucket leading to a page that is not a hash page
    const bdb = fixture('plain.bdb');
    expect(damaged('var/lib/rpm/Packages', bdb.subarray(0, 8 * 1024))).toMatch(/the file ends before its last page/);
    const last = Buffer.from(bdb);
    last.writeUInt32LE(1, 32);
    expect(damaged('var/lib/rpm/Packages', last)).toMatch(/not readable to its end \((page \d+ is outside the database|a \d+-byte item: longer than the file)/);
    const typed = Buffer.from(bdb);
    const bucket0 = typed.readUInt32LE(96); // spares[0]: bucket 0's first page
    typed[bucket0 * 1024 + 25] = 5;
    expect(damaged('var/lib/rpm/Packages', typed)).toMatch(/bucket 0 leads to page \d+, which is not a hash page/);
    // ndb: two slots naming one package
    const ndb = Buffer.from(fixture('plain.ndb'));
    ndb.copy(ndb, 32 + 16, 32, 32 + 16); // slot 1 := slot 0
    expect(damaged('var/lib/rpm/Packages.db', ndb)).toMatch(/package 1 has two slots/);
  });

  it('Berkeley DB: reads values stored on the page and in overflow chains, in either byte order', () => {
    for (const name of ['plain.bdb', 'plain-be.bdb']) {
      const db = BdbHash.open(join(FIX, name))!;
      try {
        expect(db.bigEndian).toBe(name === 'plain-be.bdb');
        const rows = [...db.entries()].map(({ key, value }) => ({ hnum: db.keyNumber(key)!, value }));
        expect(rows.map((r) => r.hnum).sort((a, b) => a - b)).toEqual(Array.from({ length: 71 }, (_, i) => i));
        expect(db.keyNumber(rows.find((r) => r.hnum === 0)!.value)).toBe(71); // rpm's counter
        const sizes = rows.filter((r) => r.hnum > 0).map((r) => r.value.length);
        expect(Math.min(...sizes)).toBeLessThan(1024 / 4); // a small header, on the page
        expect(Math.max(...sizes)).toBeGreaterThan(4 * 1024); // coreutils', over several overflow pages
      } finally { db.close(); }
    }
  });

  for (const [name, where] of [['plain.sqlite', 'var/lib/rpm/rpmdb.sqlite'], ['plain.bdb', 'var/lib/rpm/Packages'], ['plain.ndb', 'var/lib/rpm/Packages.db']]) {
    it(`never throws or hangs on a damaged database: 150 copies of ${name} with bytes changed at random`, () => {
      const whole = fixture(name);
      let seed = 7;
      const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
      let owned = 0;
      for (let i = 0; i < 150; i++) {
        const copy = Buffer.from(whole);
        for (let k = 0; k < 1 + rand(8); k++) copy[100 + rand(copy.length - 100)] = rand(256);
        tree?.cleanup();
        tree = new ProcTree().file(where, copy);
        const ix = new PackageIndex(tree.root);
        const o = ix.owner('/usr/sbin/sshd');
        expect(['owned', 'unowned', 'unknown']).toContain(o.state);
        if (o.state === 'owned') owned++;
        ix.digest('/usr/bin/cp');
      }
      expect(owned).toBeGreaterThan(0);
    });
  }

  it('lazy: indexes in the background with turns of the event loop between packages', async () => {
    const ix = new PackageIndex(rpmRoot('plain'), { lazy: true, sliceMs: 0 });
    expect(ix.owner('/usr/sbin/sshd').state).toBe('unknown');
    const turns = await turnsWhile(ix.loadAsync());
    expect(turns).toBeGreaterThanOrEqual(70);
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
  });
});
