// The inspector's package lines: who installed the executable and whether the running file is the one
// the package recorded (dpkg -S + debsums, rpm -qf + rpm -V), from a package lookup, never a program.
import { describe, expect, it } from 'vitest';
import { packageLines } from '../../src/inspect/format';
import type { Executable } from '../../src/inspect/types';
import type { FileDigest, Ownership, PackageLookup } from '../../src/pkg/packages';
import { toText } from '../../src/text/content';

const exe = (over: Partial<Executable> = {}): Executable => ({
  path: '/usr/sbin/sshd', deleted: false, memfd: false, size: 10, mode: 0o755, owner: 'root', mtime: 0, fileType: 'ELF',
  sha256: 'a'.repeat(64), md5: 'b'.repeat(32), stringsHits: [], ...over,
});

function lookup(owner: Ownership, digest: FileDigest | null, kind: PackageLookup['kind'] = 'rpm'): PackageLookup {
  return { kind, generation: 1, owner: () => owner, digest: () => digest, changedAt: () => null };
}

const owned: Ownership = { state: 'owned', package: 'openssh-server' };

describe('packageLines', () => {
  it('owned, and the running file is the one the package recorded', () => {
    const lines = packageLines(exe(), lookup(owned, { algo: 'sha256', hex: 'a'.repeat(64) }));
    expect(toText(lines)).toEqual(['  package   openssh-server (rpm)', '  verified  its sha256 is the one the package recorded']);
    expect(lines[1].tone).toBe('good');
  });

  it('owned, and the file differs: said at high severity, both digests quoted', () => {
    const lines = packageLines(exe(), lookup(owned, { algo: 'md5', hex: 'c'.repeat(32) }, 'dpkg'));
    expect(toText(lines)[1]).toBe(`  verified  DIFFERS from the package: its md5 ${'b'.repeat(16)}…, recorded ${'c'.repeat(16)}…`);
    expect(lines[1].severity).toBe('high');
  });

  it('not compared, and says why: no digest, a deleted file, not hashed yet', () => {
    expect(toText(packageLines(exe(), lookup(owned, null)))[1]).toMatch(/not compared: the package recorded no digest/);
    expect(toText(packageLines(exe({ deleted: true }), lookup(owned, { algo: 'sha256', hex: 'x' })))[1]).toMatch(/not compared: the file it runs was deleted/);
    expect(toText(packageLines(exe({ sha256: null, md5: null }), lookup(owned, { algo: 'sha256', hex: 'x' })))[1]).toMatch(/not compared yet/);
    expect(toText(packageLines(exe(), lookup(owned, { algo: 'sha512', hex: 'x' })))[1]).toMatch(/not compared: the package recorded a sha512 digest/);
  });

  it('a container\'s process: its path is not the host\'s file, so the host\'s database is not asked', () => {
    expect(toText(packageLines(exe(), lookup(owned, { algo: 'sha256', hex: 'c'.repeat(64) }), false)))
      .toEqual(['  package   not looked up: it runs in another mount namespace (a container), where this path is not the host\'s file']);
    expect(toText(packageLines(exe(), lookup(owned, null), null))[0]).toBe('  package   openssh-server (rpm)'); // cannot tell: asked
  });

  it('unowned, unknown, and no file to ask about', () => {
    expect(toText(packageLines(exe(), lookup({ state: 'unowned' }, null)))).toEqual(['  package   none: no package installed this file']);
    expect(toText(packageLines(exe(), lookup({ state: 'unknown', why: 'the package database is still being indexed' }, null))))
      .toEqual(['  package   unknown (the package database is still being indexed)']);
    expect(packageLines(exe({ path: null }), lookup(owned, null))).toEqual([]);
    expect(packageLines(exe({ memfd: true }), lookup(owned, null))).toEqual([]);
  });
});
