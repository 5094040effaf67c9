// The motivating incident and its benign look-alikes, on fixture /proc trees.
import { afterEach, describe, expect, it } from 'vitest';
import { severityRank } from '../../src/model';
import { assessTree } from '../helpers/assess';
import { PF_KTHREAD, ProcTree, type FakeProc } from '../../src/procfs/fake';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const SESSION = '0::/user.slice/user-1001.slice/session-3.scope';

const fakeSshd: FakeProc = {
  pid: 3001, comm: 'sshd', ppid: 1, uid: 1001, ttyNr: 0, session: 3001,
  cmdline: ['/bin/sh', './sshd'], exe: '/usr/bin/dash', cwd: '/home/abc/.x', cgroup: SESSION,
};
const miner: FakeProc = {
  pid: 3002, comm: 'rcu-sched', ppid: 1, uid: 1001, ttyNr: 0, session: 3002, threads: 2,
  cmdline: ['./rcu-sched'], exe: '/home/abc/.x/rcu-sched', cwd: '/home/abc/.x', cgroup: SESSION, startTicks: 100,
};

describe('the incident', () => {
  it('flags the fake sshd script critical, naming every indicator', () => {
    tree = new ProcTree().withBaseSystem().add(fakeSshd);
    const r = assessTree(tree);
    expect(r.severity(3001)).toBe('critical');
    expect(r.ids(3001)).toEqual(['H02', 'H11', 'H12', 'H13', 'H14']);
    const text = r.assessments.get(3001)!.findings.map((f) => f.explanation).join('\n');
    expect(text).toContain('named like the system daemon sshd');
    expect(text).toContain('/usr/bin/dash running the script ./sshd');
    expect(text).toContain('/home/abc/.x/sshd');
    expect(text).toContain('adopted by PID 1');
    expect(text).toContain('session-3.scope');
  });

  it('flags the rcu-sched miner critical even with its argv wiped', () => {
    tree = new ProcTree().withBaseSystem().add(miner);
    const r = assessTree(tree, [{ proc: miner, cpuPercent: 180 }]);
    expect(r.severity(3002)).toBe('critical');
    expect(r.ids(3002)).toEqual(['H01', 'H11', 'H12', 'H13', 'H14', 'H34']);
    const h01 = r.assessments.get(3002)!.findings.find((f) => f.id === 'H01')!;
    expect(h01.explanation).toMatch(/named like kernel thread rcu_sched \(rcu-sched\), but it has an executable file \(\/home\/abc\/\.x\/rcu-sched\), its parent is PID 1 \(systemd\), not kthreadd/);
    expect(h01.attack).toEqual(['T1036.004']);
  });

  it('adds the miner options and pool URL when argv is not wiped', () => {
    const loud = { ...miner, cmdline: ['./rcu-sched', '-o', 'stratum+tcp://pool.example:3333', '--donate-level=1', '-a', 'rx/0'] };
    tree = new ProcTree().withBaseSystem().add(loud);
    const r = assessTree(tree);
    expect(r.ids(3002)).toEqual(expect.arrayContaining(['H01', 'H30', 'H31']));
    expect(r.assessments.get(3002)!.findings.find((f) => f.id === 'H31')!.weight).toBe(9);
  });
});

describe('benign look-alikes stay below high', () => {
  const benign: [string, FakeProc, number][] = [
    ['the real sshd daemon', { pid: 700, comm: 'sshd', ppid: 1, uid: 0, cmdline: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], exe: '/usr/sbin/sshd', cgroup: '0::/system.slice/ssh.service' }, 0],
    ['an sshd session child (pre-9.8)', { pid: 701, comm: 'sshd', ppid: 700, uid: 1001, cmdline: ['sshd: abc@pts/0'], exe: '/usr/sbin/sshd', cgroup: SESSION }, 0],
    ['an sshd-session child (9.8+)', { pid: 702, comm: 'sshd-session', ppid: 700, uid: 1001, cmdline: ['sshd-session: abc@pts/0'], exe: '/usr/lib/openssh/sshd-session', cgroup: SESSION }, 0],
    ['cron', { pid: 703, comm: 'cron', ppid: 1, uid: 0, cmdline: ['/usr/sbin/cron', '-f'], exe: '/usr/sbin/cron', cgroup: '0::/system.slice/cron.service' }, 0],
    ["a developer's ./a.out in a terminal", { pid: 704, comm: 'a.out', ppid: 705, uid: 1002, ttyNr: 34817, cmdline: ['./a.out'], exe: '/home/dev/proj/a.out', cwd: '/home/dev/proj' }, 95],
    ['a node server', { pid: 706, comm: 'node', ppid: 1, uid: 1002, cmdline: ['node', 'server.js'], exe: '/usr/bin/node', cwd: '/srv/app', cgroup: '0::/system.slice/app.service' }, 20],
    ['a python3 server started with nohup', { pid: 707, comm: 'python3', ppid: 1, uid: 1002, cmdline: ['python3', '-m', 'http.server'], exe: '/usr/bin/python3.11', cwd: '/home/dev' }, 5],
    ['a CPU-heavy scientific job', { pid: 708, comm: 'python3', ppid: 1, uid: 1002, threads: 2, cmdline: ['python3', 'train.py'], exe: '/usr/bin/python3.11', cwd: '/home/dev/ml' }, 199],
    ['the watchdog daemon', { pid: 709, comm: 'watchdog', ppid: 1, uid: 0, cmdline: ['/usr/sbin/watchdog'], exe: '/usr/sbin/watchdog', cgroup: '0::/system.slice/watchdog.service' }, 0],
    ['a tmux server', { pid: 710, comm: 'tmux: server', ppid: 1, uid: 1002, cmdline: ['tmux'], exe: '/usr/bin/tmux' }, 1],
    ['vi through its alternatives symlink', { pid: 711, comm: 'vi', ppid: 705, uid: 1002, ttyNr: 34817, cmdline: ['vi', 'notes'], exe: '/usr/bin/vim.basic' }, 0],
    ['a tool in ~/.cargo/bin', { pid: 712, comm: 'rg', ppid: 705, uid: 1002, ttyNr: 34817, cmdline: ['rg', 'x'], exe: '/home/dev/.cargo/bin/rg' }, 50],
  ];
  for (const [what, p, cpu] of benign) {
    it(what, () => {
      tree = new ProcTree().withBaseSystem();
      tree.add({ pid: 705, comm: 'bash', ppid: 1, uid: 1002, ttyNr: 34817, cmdline: ['-bash'], exe: '/usr/bin/bash' });
      if (p.ppid === 700 && p.pid !== 700) tree.add(benign[0][1]);
      tree.add(p);
      const r = assessTree(tree, cpu ? [{ proc: p, cpuPercent: cpu }] : []);
      expect(severityRank(r.severity(p.pid) as never)).toBeLessThan(severityRank('high'));
    });
  }

  it('a busy kswapd0 kernel thread is not flagged at all', () => {
    tree = new ProcTree().withBaseSystem();
    const kswapd = { pid: 40, comm: 'kswapd0', ppid: 2, uid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' };
    const r = assessTree(tree, [{ proc: kswapd, cpuPercent: 45 }]);
    expect(r.snapshot.processes.get(40)!.cpuPercent).toBeCloseTo(45, 0);
    expect(r.assessments.has(40)).toBe(false);
  });
});

describe('amplifiers alone', () => {
  it('cap at medium even when their scores add up past high', () => {
    const job: FakeProc = { pid: 720, comm: 'sim', ppid: 1, uid: 1002, threads: 2, cmdline: ['./sim'], exe: '/home/dev/sim/sim', cwd: '/home/dev/sim' };
    tree = new ProcTree().withBaseSystem().add(job);
    const r = assessTree(tree, [{ proc: job, cpuPercent: 199 }]);
    expect(r.ids(720)).toEqual(['H12', 'H13', 'H34']);
    expect(r.assessments.get(720)!.score).toBeGreaterThanOrEqual(6);
    expect(r.severity(720)).toBe('medium');
  });
});
