// The packed path → package index answers exactly as a Map from whole paths would.
import { describe, expect, it } from 'vitest';
import { PathOwners } from '../../src/pkg/pathOwners';

function index(entries: [string, string][]): PathOwners {
  const b = PathOwners.builder();
  for (const [path, pkg] of entries) {
    const slash = path.lastIndexOf('/');
    b.add(path.slice(0, slash), path.slice(slash + 1), pkg);
  }
  return b.build();
}

describe('PathOwners', () => {
  const ix = index([
    ['/usr/bin/ls', 'coreutils'], ['/usr/bin/lsblk', 'util-linux'], ['/usr/bin/l', 'tiny'],
    ['/usr/bin/ls', 'other'], // a second package listing the same path: the first keeps it
    ['/usr/lib/x86_64-linux-gnu/libc.so.6', 'libc6'], ['/usr/bin/with space', 'p1'], ['/usr/bin/tab\tname', 'p2'],
    ['/usr/bin/ünïcode', 'p3'], ['/usr/bin/x', 'p4'], ['/usr/bin', 'dirs'],
  ]);

  it('finds each listed path, first package first', () => {
    expect(ix.get('/usr/bin/ls')).toBe('coreutils');
    expect(ix.get('/usr/bin/lsblk')).toBe('util-linux');
    expect(ix.get('/usr/bin/l')).toBe('tiny');
    expect(ix.get('/usr/lib/x86_64-linux-gnu/libc.so.6')).toBe('libc6');
    expect(ix.get('/usr/bin/with space')).toBe('p1');
    expect(ix.get('/usr/bin/tab\tname')).toBe('p2');
    expect(ix.get('/usr/bin/ünïcode')).toBe('p3');
    expect(ix.get('/usr/bin')).toBe('dirs');
    expect(ix.size).toBe(9);
  });

  it('a prefix, an extension, another directory or a name spanning entries is not a match', () => {
    for (const p of ['/usr/bin/ls2', '/usr/bin/lsb', '/usr/bin/s', '/usr/bin/tab', '/usr/bin/with', '/usr/sbin/ls', '/bin/ls',
      '/usr/bin/ls\0' + '0', '/usr/bin/ls\nlsblk', '/usr/bin/', '/usr/bi', 'ls', '', '/usr/bin/ls/x', '/usr/bin/0', '/usr/bin/\0']) {
      expect(ix.get(p), JSON.stringify(p)).toBeUndefined();
    }
  });

  it('answers the same from its memo of recent lookups, and after the memo was cleared for its size', () => {
    for (let round = 0; round < 2; round++) {
      expect(ix.get('/usr/bin/ls')).toBe('coreutils');
      expect(ix.get('/usr/bin/ls2')).toBeUndefined();
      for (let i = 0; i < 3000; i++) expect(ix.get(`/usr/bin/${'n'.repeat(100)}${i}`)).toBeUndefined(); // 300,000 characters
    }
    expect(ix.get('/usr/bin/lsblk')).toBe('util-linux');
  });

  it('holds each directory once: fewer characters than the paths themselves', () => {
    const b = PathOwners.builder();
    let chars = 0;
    for (let i = 0; i < 1000; i++) { b.add('/usr/lib/google-cloud-sdk/lib/third_party/kubernetes/client/models', `v1_model_${i}.py`, 'google-cloud-cli'); chars += 80; }
    const big = b.build();
    expect(big.get('/usr/lib/google-cloud-sdk/lib/third_party/kubernetes/client/models/v1_model_999.py')).toBe('google-cloud-cli');
    expect(big.chars()).toBeLessThan(chars / 3);
  });
});
