// Package ownership from dpkg's own files, on fixture roots: owned, unowned, unknown (unreadable, none).
// RPM hosts: rpm.test.ts.
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PackageIndex, usrMergeAlias } from '../../src/pkg/packages';
import { ProcTree } from '../../src/procfs/fake';
import { turnsWhile } from '../helpers/turns';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('PackageIndex', () => {
  it('answers owned, unowned and the merged-/usr alias; md5 from the package\'s md5sums', () => {
    tree = new ProcTree()
      .dpkg('openssh-server', ['/.', '/usr', '/usr/sbin', '/usr/sbin/sshd', '/usr/share/doc/openssh-server/README'], { '/usr/sbin/sshd': 'a'.repeat(32) })
      .dpkg('bash', ['/bin/bash', '/usr/share/man/man1/bash.1.gz'])
      .dpkg('libjemalloc2:amd64', ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2']);
    const ix = new PackageIndex(tree.root);
    expect(ix.kind).toBe('none'); // not looked at before the first question
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' });
    expect(ix.kind).toBe('dpkg');
    expect(ix.owner('/usr/bin/bash')).toEqual({ state: 'owned', package: 'bash' }); // listed as /bin/bash
    expect(ix.owner('/usr/lib/x86_64-linux-gnu/libjemalloc.so.2')).toEqual({ state: 'owned', package: 'libjemalloc2' });
    expect(ix.owner('/usr/sbin/kworker')).toEqual({ state: 'unowned' });
    expect(ix.owner('/usr/local/bin/x')).toEqual({ state: 'unowned' });
    expect(ix.owner('/home/u/x').state).toBe('unknown'); // outside what is indexed: never "unowned"
    expect(ix.digest('/usr/sbin/sshd')).toEqual({ algo: 'md5', hex: 'a'.repeat(32) });
    expect(ix.digest('/usr/bin/bash')).toBeNull();
  });

  it('rebuilds when the info directory changes, and says so through its generation', () => {
    let now = 1000;
    tree = new ProcTree().dpkg('a', ['/usr/bin/a']);
    const ix = new PackageIndex(tree.root, { recheckMs: 10, now: () => now });
    expect(ix.owner('/usr/bin/b').state).toBe('unowned');
    const gen = ix.generation;
    tree.dpkg('b', ['/usr/bin/b']);
    utimesSync(join(tree.root, 'var/lib/dpkg/info'), new Date(), new Date(Date.now() + 5000));
    now += 5; // within recheckMs: the cached answer
    expect(ix.owner('/usr/bin/b').state).toBe('unowned');
    now += 20;
    expect(ix.owner('/usr/bin/b')).toEqual({ state: 'owned', package: 'b' });
    expect(ix.generation).toBe(gen + 1);
  });

  it('a digest comes from the database on disk now, not from an index up to recheckMs old (an upgrade just happened)', () => {
    const now = 1000;
    tree = new ProcTree().dpkg('openssh-server', ['/usr/sbin/sshd'], { '/usr/sbin/sshd': 'a'.repeat(32) });
    const ix = new PackageIndex(tree.root, { recheckMs: 60_000, now: () => now });
    expect(ix.digest('/usr/sbin/sshd')).toEqual({ algo: 'md5', hex: 'a'.repeat(32) });
    // dpkg unpacks the new version: new md5sums, renamed into the info directory
    tree.dpkg('openssh-server', ['/usr/sbin/sshd'], { '/usr/sbin/sshd': 'b'.repeat(32) });
    utimesSync(join(tree.root, 'var/lib/dpkg/info'), new Date(), new Date(Date.now() + 5000));
    expect(ix.owner('/usr/sbin/sshd')).toEqual({ state: 'owned', package: 'openssh-server' }); // ownership may wait for recheckMs
    expect(ix.digest('/usr/sbin/sshd')).toEqual({ algo: 'md5', hex: 'b'.repeat(32) }); // a digest does not
  });

  it('a diverted file belongs to the package that shipped the original', () => {
    tree = new ProcTree().dpkg('coreutils', ['/usr/bin/ls']).file('var/lib/dpkg/diversions', '/usr/bin/ls\n/usr/bin/ls.distrib\nsome-pkg\n');
    expect(new PackageIndex(tree.root).owner('/usr/bin/ls.distrib')).toEqual({ state: 'owned', package: 'coreutils' });
  });

  it('with an RPM database that does not read as one, and with no database, every answer is unknown, never owned', () => {
    tree = new ProcTree().file('var/lib/rpm/rpmdb.sqlite', 'SQLite format 3\0');
    const rpm = new PackageIndex(tree.root);
    expect(rpm.owner('/usr/sbin/sshd')).toEqual({ state: 'unknown', why: expect.stringMatching(/^rpm database not readable \(.*not a SQLite 3 database\)$/) });
    expect(rpm.kind).toBe('rpm');
    const dir = mkdtempSync(join(tmpdir(), 'mw-nopkg-'));
    try {
      expect(new PackageIndex(dir).owner('/usr/sbin/sshd').state).toBe('unknown');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('the package log says when a package was last upgraded', () => {
    tree = new ProcTree().dpkg('nginx-core', ['/usr/sbin/nginx'])
      .file('var/log/dpkg.log', '2026-11-20 10:00:00 upgrade nginx-core:amd64 1.22 1.24\n2026-11-20 10:00:05 status installed nginx-core:amd64 1.24\n');
    expect(new PackageIndex(tree.root).changedAt('/usr/sbin/nginx')).toBe(new Date('2026-11-20T10:00:05').getTime());
  });

  it('lazy: answers unknown until the background index is ready', async () => {
    tree = new ProcTree().dpkg('a', ['/usr/bin/a']);
    const ix = new PackageIndex(tree.root, { lazy: true });
    const loading = ix.loadAsync();
    expect(ix.owner('/usr/bin/a').state).toBe('unknown');
    await loading;
    expect(ix.owner('/usr/bin/a')).toEqual({ state: 'owned', package: 'a' });
  });

  it('lazy: the background index gives the event loop turns between the lists it indexes', async () => {
    tree = new ProcTree();
    for (let i = 0; i < 40; i++) tree.dpkg(`p${i}`, [`/usr/bin/p${i}`, `/usr/lib/p${i}/x.so`]);
    const ix = new PackageIndex(tree.root, { lazy: true, sliceMs: 0 });
    const turns = await turnsWhile(ix.loadAsync());
    // a turn after each of the 40 lists (the reads of the two batches add theirs)
    expect(turns).toBeGreaterThanOrEqual(40);
    expect(ix.owner('/usr/bin/p39')).toEqual({ state: 'owned', package: 'p39' });
  });

  it('merged-/usr aliases', () => {
    expect(usrMergeAlias('/usr/bin/x')).toBe('/bin/x');
    expect(usrMergeAlias('/lib64/ld.so')).toBe('/usr/lib64/ld.so');
    expect(usrMergeAlias('/usr/share/x')).toBeNull();
  });
});
