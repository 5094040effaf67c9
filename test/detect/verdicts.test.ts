// Issue 10 items 4-7 on fixture trees: service accounts, honest renames, covered /proc entries,
// identity without CPU, detached jobs of ordinary users.
import { afterEach, describe, expect, it } from 'vitest';
import { assessTree } from '../helpers/assess';
import { ProcTree, type FakeProc } from '../../src/procfs/fake';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const TERM = 34817;
const p = (x: Partial<FakeProc> & { pid: number; comm: string }): FakeProc => ({ ppid: 1, uid: 1001, cgroup: '0::/', ...x });

function host(): ProcTree {
  const t = new ProcTree().withBaseSystem();
  t.file('etc/passwd', [
    'root:x:0:0:root:/root:/bin/bash',
    'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
    'postgres:x:110:118:PostgreSQL:/var/lib/postgresql:/bin/bash',
    'jenkins:x:120:120:Jenkins:/var/lib/jenkins:/bin/bash',
    'abc:x:1001:1001:abc:/home/abc:/bin/bash',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  ].join('\n') + '\n');
  return t;
}

describe('H17: a service account runs a program from a place it can write to', () => {
  it('www-data running an ELF from an upload directory, or /tmp, is high on its own', () => {
    tree = host();
    tree.add(p({ pid: 600, comm: 'php', uid: 33, ppid: 590, cmdline: ['./php'], exe: '/var/www/html/uploads/php', cwd: '/var/www/html/uploads' }));
    tree.add(p({ pid: 601, comm: 'x', uid: 65534, ppid: 590, cmdline: ['/tmp/x'], exe: '/tmp/x' }));
    tree.add(p({ pid: 602, comm: 'kdevtmpfs', uid: 110, ppid: 590, cmdline: ['kdevtmpfs'], exe: '/var/lib/postgresql/kdevtmpfs' }));
    const a = assessTree(tree);
    for (const pid of [600, 601, 602]) {
      expect(a.ids(pid)).toContain('H17');
      expect(a.severity(pid)).toMatch(/high|critical/);
    }
  });

  it('stays quiet for packaged programs, scripts of interpreters, and accounts with a login shell building in their home', () => {
    tree = host();
    tree.add(p({ pid: 610, comm: 'php-fpm8.2', uid: 33, ppid: 590, cmdline: ['php-fpm: pool www'], exe: '/usr/sbin/php-fpm8.2' }));
    tree.add(p({ pid: 611, comm: 'postgres', uid: 110, ppid: 590, cmdline: ['postgres: checkpointer'], exe: '/usr/lib/postgresql/15/bin/postgres' }));
    tree.add(p({ pid: 612, comm: 'a.out', uid: 120, ppid: 590, ttyNr: 0, cmdline: ['./a.out'], exe: '/var/lib/jenkins/workspace/build/a.out', cwd: '/var/lib/jenkins/workspace/build' }));
    const a = assessTree(tree);
    expect(a.ids(610)).not.toContain('H17');
    expect(a.ids(611)).not.toContain('H17');
    expect(a.ids(612)).not.toContain('H17');
    expect(a.severity(612)).not.toMatch(/high|critical/);
  });
});

describe('honest work stays quiet', () => {
  it('"<program>: <role>" names are not renames (tmux: server, postgres children)', () => {
    tree = host();
    tree.add(p({ pid: 620, comm: 'tmux: server', cmdline: ['tmux'], exe: '/usr/bin/tmux' }));
    tree.add(p({ pid: 621, comm: 'postgres: walwr', uid: 110, ppid: 611, cmdline: ['postgres: walwriter'], exe: '/usr/lib/postgresql/15/bin/postgres' }));
    const a = assessTree(tree);
    expect(a.ids(620)).not.toContain('H03');
    expect(a.ids(621)).not.toContain('H03');
  });

  it('a detached ./sim of an ordinary user stays at most medium, however busy', () => {
    tree = host();
    const sim = p({ pid: 630, comm: 'sim', threads: 2, cmdline: ['./sim', '--steps', '1e9'], exe: '/home/abc/proj/sim', cwd: '/home/abc/proj', startTicks: 10 });
    tree.add(sim);
    const a = assessTree(tree, [{ proc: sim, cpuPercent: 199 }]);
    expect(a.ids(630)).toEqual(expect.arrayContaining(['H12', 'H13', 'H34']));
    expect(a.severity(630)).toBe('medium');
  });

  it('a throttled kernel-thread impostor is caught as well as a busy one', () => {
    tree = host();
    const idle = p({ pid: 640, comm: 'rcu-sched', cmdline: ['./rcu-sched'], exe: '/home/abc/.x/rcu-sched', cwd: '/home/abc/.x' });
    const busy = p({ pid: 641, comm: 'rcu-sched', cmdline: ['./rcu-sched'], exe: '/home/abc/.x/rcu-sched', cwd: '/home/abc/.x' });
    tree.add(idle).add(busy);
    const a = assessTree(tree, [{ proc: busy, cpuPercent: 180 }]);
    expect(a.ids(640)).toContain('H01');
    expect(a.ids(641)).toContain('H01');
    expect(a.severity(640)).toBe('critical');
  });
});

describe('H42: a mount over /proc/N', () => {
  it('is reported even when /proc/N/stat cannot be read: the finding names N, the host warns', async () => {
    tree = host();
    tree.procFile('self/mountinfo', '40 22 0:21 / /proc/4321 rw - tmpfs tmpfs rw\n');
    const a = assessTree(tree);
    expect(a.snapshot.processes.has(4321)).toBe(true);
    expect(a.ids(4321)).toContain('H42');
    expect(a.severity(4321)).toBe('critical');
    const { hostWarnings } = await import('../../src/detect/index');
    expect(hostWarnings(a.snapshot).join('\n')).toMatch(/\/proc\/4321/);
  });
});
