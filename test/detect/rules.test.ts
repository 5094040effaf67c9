// Every rule, positive and negative, on fixture /proc trees.
import { mkdirSync, symlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { assessTree } from '../helpers/assess';
import { ProcTree, type FakeProc } from '../../src/procfs/fake';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const TERM = 34817;
const base = (p: Partial<FakeProc> & { pid: number; comm: string }): FakeProc => ({ ppid: 1, uid: 1001, cgroup: '0::/', ...p });

interface Case { rule: string; what: string; proc: FakeProc; cpu?: number; weight?: number; setup?: (t: ProcTree) => void; container?: boolean }

const positives: Case[] = [
  { rule: 'H01', what: 'a user process with an exact kernel-thread name', weight: 9,
    proc: base({ pid: 100, comm: 'kworker/0:1', uid: 0, ttyNr: TERM, cmdline: ['kworker/0:1'], exe: '/usr/local/bin/kw' }) },
  { rule: 'H01', what: 'a fuzzy kernel-thread name with a second sign', weight: 6,
    proc: base({ pid: 101, comm: 'kswapd1', cmdline: ['./kswapd1'], exe: '/home/abc/kswapd1', cwd: '/home/abc' }) },
  { rule: 'H01', what: 'a bracketed argv0 imitating a kernel thread', weight: 6,
    proc: base({ pid: 102, comm: 'ksoftirq', ttyNr: TERM, cmdline: ['[ksoftirq]'], exe: '/opt/x/y' }) },
  { rule: 'H02', what: 'crond copied from /bin/sh into /tmp', weight: 8,
    proc: base({ pid: 110, comm: 'crond', cmdline: ['/tmp/crond'], exe: '/usr/bin/dash' }) },
  { rule: 'H02', what: 'systemd-journald outside /usr/lib/systemd', weight: 8,
    proc: base({ pid: 111, comm: 'systemd-journal', cmdline: ['systemd-journald'], exe: '/var/tmp/systemd-journald' }) },
  { rule: 'H03', what: 'a process that renamed itself with prctl', weight: 2,
    proc: base({ pid: 120, comm: 'innocent', ttyNr: TERM, cmdline: ['/opt/app/server'], exe: '/opt/app/server' }) },
  { rule: 'H10', what: 'a program in /dev/shm', weight: 7, proc: base({ pid: 130, comm: 'x', ttyNr: TERM, cmdline: ['/dev/shm/x'], exe: '/dev/shm/x' }) },
  { rule: 'H10', what: 'a script in /tmp run by bash', weight: 5, proc: base({ pid: 131, comm: 'run.sh', ttyNr: TERM, cmdline: ['bash', '/tmp/run.sh'], exe: '/usr/bin/bash' }) },
  { rule: 'H11', what: 'a program in a hidden home directory', weight: 6, proc: base({ pid: 140, comm: 'upd', ttyNr: TERM, cmdline: ['upd'], exe: '/home/mc/.configrc/a/upd' }) },
  { rule: 'H11', what: 'a program in an X11 look-alike directory', weight: 8, proc: base({ pid: 141, comm: 'aptitude', ttyNr: TERM, cmdline: ['aptitude'], exe: '/tmp/.X25-unix/.rsync/c/aptitude' }) },
  { rule: 'H12', what: 'a ./program without a terminal', weight: 3, proc: base({ pid: 150, comm: 'job', ppid: 2000, cmdline: ['./job'], exe: '/srv/job', cwd: '/srv' }) },
  { rule: 'H13', what: "an ordinary user's process adopted by PID 1", weight: 2, proc: base({ pid: 160, comm: 'agent', cmdline: ['agent'], exe: '/usr/bin/agent' }) },
  { rule: 'H14', what: 'a daemon impostor inside cron\'s cgroup', weight: 3,
    proc: base({ pid: 170, comm: 'sshd', cmdline: ['sshd'], exe: '/home/abc/sshd', cgroup: '0::/system.slice/cron.service' }) },
  { rule: 'H15', what: 'a shell whose parent is kthreadd', weight: 8, proc: base({ pid: 180, comm: 'sh', ppid: 2, uid: 0, cmdline: ['sh'], exe: '/tmp/sh' }) },
  { rule: 'H20', what: 'a self-deleted program from a hidden dir', weight: 8, proc: base({ pid: 190, comm: 'gone', ttyNr: TERM, cmdline: ['gone'], exe: '/home/abc/.x/gone (deleted)' }) },
  { rule: 'H20', what: 'a binary replaced by an upgrade', weight: 1, proc: base({ pid: 191, comm: 'nginx', uid: 0, ttyNr: TERM, cmdline: ['nginx'], exe: '/usr/sbin/nginx (deleted)' }),
    setup: (t) => t.file('usr/sbin/nginx', 'new build') },
  { rule: 'H21', what: 'a memfd executable', weight: 9, proc: base({ pid: 200, comm: 'x', ttyNr: TERM, cmdline: ['x'], exe: '/memfd:x (deleted)' }) },
  { rule: 'H21', what: 'a memfd merely named runc_cloned, under a shell', weight: 9,
    proc: base({ pid: 201, ppid: 202, comm: 'runc', ttyNr: TERM, cmdline: ['runc', 'init'], exe: '/memfd:runc_cloned:/proc/self/exe (deleted)' }),
    setup: (t) => t.add(base({ pid: 202, comm: 'bash', cmdline: ['bash'], exe: '/usr/bin/bash' })) },
  { rule: 'H30', what: 'a stratum URL', weight: 10, proc: base({ pid: 210, comm: 'w', ttyNr: TERM, cmdline: ['w', '--url=stratum+ssl://p.example:443'], exe: '/usr/bin/w' }) },
  { rule: 'H30', what: 'a base64 stratum URL', weight: 10, proc: base({ pid: 211, comm: 'w', ttyNr: TERM, cmdline: ['w', Buffer.from('stratum+tcp://p.example:3333').toString('base64')], exe: '/usr/bin/w' }) },
  { rule: 'H31', what: 'one xmrig-only option', weight: 6, proc: base({ pid: 220, comm: 'w', ttyNr: TERM, cmdline: ['w', '--cpu-max-threads-hint', '50'], exe: '/usr/bin/w' }) },
  { rule: 'H31', what: 'only generic miner options', weight: 2, proc: base({ pid: 221, comm: 'w', ttyNr: TERM, cmdline: ['w', '-o', 'h:1', '-u', 'x', '-p', 'y'], exe: '/usr/bin/w' }) },
  { rule: 'H32', what: 'a process called xmrig', weight: 8, proc: base({ pid: 230, comm: 'xmrig', ttyNr: TERM, cmdline: ['xmrig'], exe: '/opt/xmrig/xmrig' }) },
  { rule: 'H32', what: 'kdevtmpfsi (Kinsing)', weight: 9, proc: base({ pid: 231, comm: 'kdevtmpfsi', ttyNr: TERM, cmdline: ['kdevtmpfsi'], exe: '/opt/kdevtmpfsi' }) },
  { rule: 'H34', what: 'a busy process', weight: 2, cpu: 80, proc: base({ pid: 240, comm: 'make', ttyNr: TERM, cmdline: ['make'], exe: '/usr/bin/make' }) },
  { rule: 'H42', what: 'a mount over /proc/PID', weight: 10, proc: base({ pid: 250, comm: 'x', ttyNr: TERM, cmdline: ['x'], exe: '/usr/bin/x' }),
    setup: (t) => t.procFile('self/mountinfo', '40 22 0:21 /2 /proc/250 rw - proc proc rw\n') },
  { rule: 'H43', what: 'a /proc entry describing another PID', weight: 10, proc: base({ pid: 260, comm: 'kthreadd', statPid: 2, ttyNr: TERM, cmdline: [], exe: null }) },
  { rule: 'H44', what: 'LD_PRELOAD in the environment', weight: 4,
    proc: base({ pid: 270, comm: 'x', ttyNr: TERM, cmdline: ['x'], exe: '/usr/bin/x', environ: ['LD_PRELOAD=/lib/libhide.so'] }) },
];

const negatives: Case[] = [
  { rule: 'H01', what: 'a fuzzy kernel-thread name without a second sign', proc: base({ pid: 300, comm: 'migration', ttyNr: TERM, cmdline: ['migration'], exe: '/srv/app/migration' }) },
  { rule: 'H01', what: 'anything, inside a container (no kthreadd)', container: true, proc: base({ pid: 301, comm: 'kworker', cmdline: ['kworker'], exe: '/tmp/kworker' }) },
  { rule: 'H02', what: 'the real sshd', proc: base({ pid: 310, comm: 'sshd', uid: 0, cmdline: ['/usr/sbin/sshd', '-D'], exe: '/usr/sbin/sshd' }) },
  { rule: 'H02', what: 'the real systemd-journald', proc: base({ pid: 311, comm: 'systemd-journal', uid: 0, cmdline: ['/lib/systemd/systemd-journald'], exe: '/usr/lib/systemd/systemd-journald' }) },
  { rule: 'H03', what: 'a program run through a symlink', proc: base({ pid: 320, comm: 'awk', ttyNr: TERM, cmdline: ['awk', '1'], exe: '/usr/bin/mawk' }) },
  { rule: 'H03', what: 'a script whose interpreter differs from its name', proc: base({ pid: 321, comm: 'backup.sh', ttyNr: TERM, cmdline: ['/bin/sh', '/usr/local/bin/backup.sh'], exe: '/usr/bin/dash' }) },
  { rule: 'H10', what: 'an AppImage mount under /tmp', proc: base({ pid: 330, comm: 'AppRun', ttyNr: TERM, cmdline: ['AppRun'], exe: '/tmp/.mount_appXYZ/AppRun' }) },
  { rule: 'H11', what: 'a toolchain in ~/.local/bin and node_modules/.bin', proc: base({ pid: 340, comm: 'node', ttyNr: TERM, cmdline: ['node', '/home/dev/app/node_modules/.bin/vite'], exe: '/home/dev/.local/bin/node' }) },
  { rule: 'H12', what: './a.out in a terminal', proc: base({ pid: 350, comm: 'a.out', ttyNr: TERM, cmdline: ['./a.out'], exe: '/home/dev/a.out' }) },
  { rule: 'H13', what: 'a root daemon adopted by PID 1', proc: base({ pid: 360, comm: 'd', uid: 0, cmdline: ['d'], exe: '/usr/sbin/d' }) },
  { rule: 'H13', what: "a service of the user's own systemd", proc: base({ pid: 361, comm: 'pipewire', cmdline: ['pipewire'], exe: '/usr/bin/pipewire', cgroup: '0::/user.slice/user-1001.slice/user@1001.service/app.slice/pipewire.service' }) },
  { rule: 'H14', what: 'an honest process in a login session', proc: base({ pid: 370, comm: 'vim', ttyNr: TERM, cmdline: ['vim'], exe: '/usr/bin/vim', cgroup: '0::/user.slice/user-1001.slice/session-3.scope' }) },
  { rule: 'H15', what: 'modprobe started by the kernel', proc: base({ pid: 380, comm: 'modprobe', ppid: 2, uid: 0, cmdline: ['/sbin/modprobe', '-q', 'x'], exe: '/usr/bin/modprobe' }) },
  { rule: 'H20', what: 'a process whose exe is intact', proc: base({ pid: 390, comm: 'ok', ttyNr: TERM, cmdline: ['ok'], exe: '/usr/bin/ok' }) },
  { rule: 'H21', what: "runc's own memfd, under runc", proc: base({ pid: 400, ppid: 399, comm: 'runc', uid: 0, ttyNr: TERM, cmdline: ['runc', 'init'], exe: '/memfd:runc_cloned:/proc/self/exe (deleted)' }),
    setup: (t) => t.add(base({ pid: 399, comm: 'runc', uid: 0, cmdline: ['runc', 'create'], exe: '/usr/bin/runc' })) },
  { rule: 'H30', what: 'a URL that is not stratum', proc: base({ pid: 410, comm: 'curl', ttyNr: TERM, cmdline: ['curl', 'https://example.org/'], exe: '/usr/bin/curl' }) },
  { rule: 'H31', what: 'ordinary -o/-u options', proc: base({ pid: 420, comm: 'gcc', ttyNr: TERM, cmdline: ['gcc', '-o', 'out', '-u', 'sym', 'a.c'], exe: '/usr/bin/gcc' }) },
  { rule: 'H32', what: 'a name that merely contains a miner name', proc: base({ pid: 430, comm: 'xmrig-docs', ttyNr: TERM, cmdline: ['xmrig-docs'], exe: '/usr/bin/xmrig-docs' }) },
  { rule: 'H34', what: 'a lightly loaded process', cpu: 10, proc: base({ pid: 440, comm: 'make', ttyNr: TERM, cmdline: ['make'], exe: '/usr/bin/make' }) },
  { rule: 'H44', what: 'LD_LIBRARY_PATH only', proc: base({ pid: 450, comm: 'x', ttyNr: TERM, cmdline: ['x'], exe: '/usr/bin/x', environ: ['LD_LIBRARY_PATH=/opt/lib'] }) },
];

function run(c: Case) {
  tree = new ProcTree();
  if (!c.container) tree.withBaseSystem();
  else tree.add({ pid: 1, comm: 'tini', ppid: 0, cmdline: ['tini'], exe: '/sbin/tini' });
  c.setup?.(tree);
  tree.add(c.proc);
  return assessTree(tree, c.cpu ? [{ proc: c.proc, cpuPercent: c.cpu }] : []);
}

describe('rules fire on what they describe', () => {
  for (const c of positives) {
    it(`${c.rule}: ${c.what}`, () => {
      const r = run(c);
      const f = r.assessments.get(c.proc.pid)?.findings.find((x) => x.id === c.rule);
      expect(f, `findings: ${r.ids(c.proc.pid).join(',')}`).toBeDefined();
      expect(f!.weight).toBe(c.weight);
      expect(f!.explanation.length).toBeGreaterThan(10);
      expect(f!.attack.length).toBeGreaterThan(0);
    });
  }
});

describe('rules stay quiet on look-alikes', () => {
  for (const c of negatives) {
    it(`${c.rule}: ${c.what}`, () => {
      expect(run(c).ids(c.proc.pid)).not.toContain(c.rule);
    });
  }
});

it('H33: a connection to a strong pool port weighs 5, an everyday port 1', () => {
  tree = new ProcTree().withBaseSystem();
  for (const [pid, inode] of [[500, 11], [501, 12], [502, 13]]) {
    tree.add(base({ pid, comm: `p${pid}`, ttyNr: TERM, cmdline: [`p${pid}`], exe: `/usr/bin/p${pid}` }));
    mkdirSync(`${tree.proc}/${pid}/fd`);
    symlinkSync(`socket:[${inode}]`, `${tree.proc}/${pid}/fd/3`);
  }
  tree.procFile('net/tcp', [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   1: 0F02000A:9C40 0D0D0D0D:0D05 01 00000000:00000000 00:00000000 00000000  1001        0 11 1',
    '   2: 0F02000A:9C41 0D0D0D0D:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 12 1',
    '   3: 0F02000A:9C42 0D0D0D0D:01BB 01 00000000:00000000 00:00000000 00000000  1001        0 13 1',
  ].join('\n'));
  const r = assessTree(tree);
  expect(r.assessments.get(500)?.findings.find((f) => f.id === 'H33')?.weight).toBe(5);
  expect(r.assessments.get(501)?.findings.find((f) => f.id === 'H33')?.weight).toBe(1);
  expect(r.ids(502)).not.toContain('H33'); // 443 is not a pool port
});
