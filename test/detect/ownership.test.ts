// Rules that ask who installed a file (issue 10 item 1), on fixture trees with a dpkg database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assessTree } from '../helpers/assess';
import { Detector } from '../../src/detect/index';
import { hostKnowledge } from '../../src/host/knowledge';
import type { ContentFacts } from '../../src/model';
import { ProcTree, type FakeProc } from '../../src/procfs/fake';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const TERM = 34817;
const root = (p: Partial<FakeProc> & { pid: number; comm: string }): FakeProc => ({ ppid: 1, uid: 0, cgroup: '0::/system.slice/x.service', ttyNr: 0, ...p });

function host(): ProcTree {
  return new ProcTree().withBaseSystem()
    .dpkg('openssh-server', ['/usr/sbin/sshd'])
    .dpkg('watchdog', ['/usr/sbin/watchdog'])
    .dpkg('libjemalloc2:amd64', ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'])
    .dpkg('nginx-core', ['/usr/sbin/nginx'])
    .dpkg('cron', ['/usr/sbin/cron']);
}

describe('kernel-thread and daemon names in system directories', () => {
  it('an unpackaged kswapd0 under /usr/local/bin is an impostor; the packaged watchdog is not', () => {
    tree = host();
    const fake = root({ pid: 500, comm: 'kswapd0', cmdline: ['kswapd0'], exe: '/usr/local/bin/kswapd0' });
    const real = root({ pid: 501, comm: 'watchdog', cmdline: ['/usr/sbin/watchdog'], exe: '/usr/sbin/watchdog' });
    tree.add(fake).add(real);
    const a = assessTree(tree);
    expect(a.ids(500)).toContain('H01');
    expect(a.assessments.get(500)!.findings.find((f) => f.id === 'H01')!.explanation).toMatch(/no package installed/);
    expect(a.severity(500)).toMatch(/high|critical/);
    expect(a.ids(501)).not.toContain('H01');
  });

  it('watchdog stays exempt even unpackaged: real programs share that name', () => {
    tree = host();
    tree.add(root({ pid: 502, comm: 'watchdog', cmdline: ['watchdog'], exe: '/usr/local/sbin/watchdog' }));
    expect(assessTree(tree).ids(502)).not.toContain('H01');
  });

  it('an unpackaged file in /usr/sbin named like a kernel thread is flagged on a dpkg host', () => {
    tree = host();
    tree.add(root({ pid: 503, comm: 'kthreadd', cmdline: ['kthreadd'], exe: '/usr/sbin/kthreadd' }));
    expect(assessTree(tree).ids(503)).toContain('H01');
  });

  it('sshd at /usr/local/sbin (no package installs there) is a daemon impostor; the packaged one is not', () => {
    tree = host();
    tree.add(root({ pid: 510, comm: 'sshd', cmdline: ['/usr/local/sbin/sshd', '-D'], exe: '/usr/local/sbin/sshd' }));
    tree.add(root({ pid: 511, comm: 'sshd', cmdline: ['sshd: /usr/sbin/sshd -D [listener]'], exe: '/usr/sbin/sshd' }));
    const a = assessTree(tree);
    expect(a.ids(510)).toContain('H02');
    expect(a.severity(510)).toMatch(/high|critical/);
    expect(a.ids(511)).not.toContain('H02');
  });

  it('a hand-built nginx under /usr/local stays quiet: many admins build it', () => {
    tree = host();
    tree.add(root({ pid: 512, comm: 'nginx', cmdline: ['nginx: master process /usr/local/sbin/nginx'], exe: '/usr/local/sbin/nginx' }));
    expect(assessTree(tree).severity(512)).toBe('none');
  });
});

describe('H20: replaced by an upgrade, or hiding behind a file put back', () => {
  it('owned and the package log shows an upgrade after it started: restart pending (low)', () => {
    tree = host().file('usr/sbin/nginx', 'new build')
      .file('var/log/dpkg.log', '2099-01-01 10:00:00 upgrade nginx-core:amd64 1.22 1.24\n');
    tree.add(root({ pid: 520, comm: 'nginx', cmdline: ['nginx'], exe: '/usr/sbin/nginx (deleted)' }));
    const a = assessTree(tree);
    const f = a.assessments.get(520)!.findings.find((x) => x.id === 'H20')!;
    expect(f.weight).toBe(1);
    expect(f.explanation).toMatch(/upgrade.*nginx-core/);
  });

  it('owned but no upgrade recorded: medium, not "restart pending"', () => {
    tree = host().file('usr/sbin/cron', 'x');
    tree.add(root({ pid: 521, comm: 'cron', cmdline: ['cron'], exe: '/usr/sbin/cron (deleted)' }));
    const f = assessTree(tree).assessments.get(521)!.findings.find((x) => x.id === 'H20')!;
    expect(f.weight).toBe(3);
  });

  it('unowned file put back at a system path: high', () => {
    tree = host().file('usr/bin/updater', 'x');
    tree.add(root({ pid: 522, comm: 'updater', cmdline: ['updater'], exe: '/usr/bin/updater (deleted)' }));
    const a = assessTree(tree);
    expect(a.assessments.get(522)!.findings.find((x) => x.id === 'H20')!.weight).toBeGreaterThanOrEqual(6);
    expect(a.severity(522)).toMatch(/high|critical/);
  });
});

describe('on an RPM host (rpm\'s SQLite database: test/fixtures/rpm/make.py)', () => {
  const rpmHost = () => new ProcTree().withBaseSystem()
    .file('usr/lib/sysimage/rpm/rpmdb.sqlite', readFileSync(join(__dirname, '../fixtures/rpm/plain.sqlite')));
  /** H20 of `pid` when the content collector found the running image replaced by `image`. */
  const h20 = (pid: number, image: NonNullable<ContentFacts['replacedImage']>) => {
    const { snapshot } = assessTree(tree);
    const withContent = { ...snapshot, content: new Map([[pid, { replacedImage: image }]]) };
    return new Detector(hostKnowledge(tree.root)).assess(withContent).get(pid)!.findings.find((f) => f.id === 'H20')!;
  };

  it('an unpackaged kernel-thread name in /usr/sbin is flagged; the packaged sshd is no impostor', () => {
    tree = rpmHost().file('usr/sbin/kthreadd', 'x');
    tree.add(root({ pid: 530, comm: 'kthreadd', cmdline: ['kthreadd'], exe: '/usr/sbin/kthreadd' }));
    tree.add(root({ pid: 531, comm: 'sshd', cmdline: ['sshd: /usr/sbin/sshd -D [listener]'], exe: '/usr/sbin/sshd' }));
    const a = assessTree(tree);
    expect(a.ids(530)).toContain('H01');
    expect(a.assessments.get(530)!.findings.find((f) => f.id === 'H01')!.explanation).toMatch(/no package installed/);
    expect(a.ids(531)).not.toContain('H02');
  });

  it('H20: the new file matches the package\'s SHA-256: restart pending; a different file: medium', () => {
    tree = rpmHost().file('usr/sbin/sshd', 'x');
    tree.add(root({ pid: 532, comm: 'sshd', cmdline: ['/usr/sbin/sshd', '-D'], exe: '/usr/sbin/sshd (deleted)' }));
    const same = h20(532, { runningSha256: '1'.repeat(64), onDiskSha256: 'f'.repeat(64), onDiskMd5: '2'.repeat(32) });
    expect(same.weight).toBe(1);
    expect(same.explanation).toMatch(/matches package openssh-server's checksum/);
    const other = h20(532, { runningSha256: '1'.repeat(64), onDiskSha256: '3'.repeat(64), onDiskMd5: 'f'.repeat(32) });
    expect(other.weight).toBe(3); // an MD5 equal to the SHA-256's first half is no match
  });

  it('H20: installed after the process started, by the rpm database\'s install time: restart pending', () => {
    tree = rpmHost().file('usr/libexec/dribbled/helper', 'x');
    tree.add(root({ pid: 533, comm: 'helper', cmdline: ['helper'], exe: '/usr/libexec/dribbled/helper (deleted)' }));
    const f = h20(533, { runningSha256: '1'.repeat(64), onDiskSha256: '4'.repeat(64), onDiskMd5: null });
    expect(f.weight).toBe(1);
    expect(f.explanation).toMatch(/dribbled was upgraded after it started \(its install time in the rpm database\)/);
  });
});

describe('H49: the executable is not the file its package installed', () => {
  /** H49 of `pid` when the collector hashed its running executable as `image`. */
  const h49 = (pid: number, image: { sha256: string; md5: string }) => {
    const { snapshot } = assessTree(tree);
    const withContent = { ...snapshot, content: new Map([[pid, { exeImage: image }]]) };
    return new Detector(hostKnowledge(tree.root)).assess(withContent).get(pid)?.findings.find((f) => f.id === 'H49');
  };
  const sshd = root({ pid: 540, comm: 'sshd', cmdline: ['sshd: /usr/sbin/sshd -D [listener]'], exe: '/usr/sbin/sshd' });

  it('dpkg: an MD5 other than the one in the package\'s md5sums is flagged; the same one is not', () => {
    tree = new ProcTree().withBaseSystem().dpkg('openssh-server', ['/usr/sbin/sshd'], { '/usr/sbin/sshd': 'a'.repeat(32) }).add(sshd);
    const f = h49(540, { sha256: '1'.repeat(64), md5: 'b'.repeat(32) })!;
    expect(f.weight).toBe(7);
    expect(f.explanation).toBe('/usr/sbin/sshd is not the file package openssh-server installed: its md5 is bbbbbbbbbbbb…, the package database records aaaaaaaaaaaa…');
    expect(h49(540, { sha256: '1'.repeat(64), md5: 'a'.repeat(32) })).toBeUndefined();
  });

  it('rpm: compared by SHA-256', () => {
    tree = new ProcTree().withBaseSystem()
      .file('usr/lib/sysimage/rpm/rpmdb.sqlite', readFileSync(join(__dirname, '../fixtures/rpm/plain.sqlite'))).add(sshd);
    expect(h49(540, { sha256: '2'.repeat(64), md5: 'f'.repeat(32) })!.explanation).toMatch(/its sha256 is 222222222222…, the package database records ffffffffffff…/);
    expect(h49(540, { sha256: 'f'.repeat(64), md5: '3'.repeat(32) })).toBeUndefined();
  });

  it('not compared: a diverted file, a file no package lists, a package without digests', () => {
    tree = new ProcTree().withBaseSystem().dpkg('openssh-server', ['/usr/sbin/sshd'], { '/usr/sbin/sshd': 'a'.repeat(32) })
      .file('var/lib/dpkg/diversions', '/usr/sbin/sshd\n/usr/sbin/sshd.distrib\nmy-sshd-wrapper\n').add(sshd);
    expect(h49(540, { sha256: '1'.repeat(64), md5: 'b'.repeat(32) })).toBeUndefined();
    tree.cleanup();
    tree = new ProcTree().withBaseSystem().dpkg('other', ['/usr/bin/other'], { '/usr/bin/other': 'a'.repeat(32) }).add(sshd);
    expect(h49(540, { sha256: '1'.repeat(64), md5: 'b'.repeat(32) })).toBeUndefined();
    tree.cleanup();
    tree = new ProcTree().withBaseSystem().dpkg('openssh-server', ['/usr/sbin/sshd']).add(sshd);
    expect(h49(540, { sha256: '1'.repeat(64), md5: 'b'.repeat(32) })).toBeUndefined();
  });
});

describe('H44: LD_PRELOAD weighed by location and package', () => {
  const cases: [string, string, number][] = [
    ['packaged jemalloc', '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', 1],
    ['a library in /dev/shm', '/dev/shm/libx.so', 7],
    ['a library in a hidden directory', '/home/abc/.cache/.l/libp.so', 7],
    ['an unpackaged library in /usr/lib', '/usr/lib/libprocesshider.so', 5],
    ['a bare name', 'libhide.so', 5],
  ];
  for (const [what, lib, weight] of cases) {
    it(`${what}: weight ${weight}`, () => {
      tree = host();
      tree.add(root({ pid: 530, comm: 'app', ttyNr: TERM, cmdline: ['app'], exe: '/usr/sbin/nginx', environ: [`LD_PRELOAD=${lib}`] }));
      const f = assessTree(tree).assessments.get(530)?.findings.find((x) => x.id === 'H44');
      expect(f?.weight).toBe(weight);
    });
  }
});
