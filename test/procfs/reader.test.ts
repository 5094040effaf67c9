import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcReader } from '../../src/procfs/reader';
import { PF_KTHREAD, ProcTree } from '../../src/procfs/fake';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('ProcReader on a fixture /proc', () => {
  it('reads identity, user, start time and tree fields', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 500, comm: 'bash', ppid: 1, uid: 1001, ttyNr: 34816, cmdline: ['-bash'], exe: '/usr/bin/bash', cwd: '/home/abc', startTicks: 5000, rssPages: 10 });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    const s = r.sample();
    const p = s.processes.get(500)!;
    expect(p).toMatchObject({ pid: 500, ppid: 1, name: 'bash', uid: 1001, user: 'abc', ttyNr: 34816, exe: '/usr/bin/bash', cwd: '/home/abc', cmdline: ['-bash'], kernelThread: false });
    expect(p.startTime).toBe(1700000000_000 + (5000 / r.clockTicks) * 1000);
    expect(p.rssBytes).toBeGreaterThan(0);
    expect(s.host.kernelThreadsVisible).toBe(true);
    expect(s.processes.get(2)!.kernelThread).toBe(true);
    expect(s.host.kernelThreadNames.has('kswapd0')).toBe(true);
  });

  it('treats kernel threads, empty cmdlines and missing links as normal', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 600, comm: 'zombie', state: 'Z', cmdline: [], exe: null, cwd: null });
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    expect(s.processes.get(600)).toMatchObject({ cmdline: [], exe: null, exeError: 'ENOENT', cwd: null });
    expect(s.processes.get(16)).toMatchObject({ kernelThread: true, exe: null, exeError: null, cmdline: [] });
  });

  it('skips a process that vanished between listing and reading', () => {
    tree = new ProcTree().withBaseSystem();
    mkdirSync(join(tree.proc, '777')); // listed, but stat is gone
    tree.add({ pid: 778, comm: 'half', exe: '/usr/bin/half' });
    rmSync(join(tree.proc, '778', 'cmdline'));
    rmSync(join(tree.proc, '778', 'status'));
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    expect(s.processes.has(777)).toBe(false);
    expect(s.processes.get(778)).toMatchObject({ name: 'half', cmdline: [] });
  });

  it('recognises deleted and memfd executables and whether the path exists again', () => {
    tree = new ProcTree().withBaseSystem();
    tree.file('usr/sbin/upgraded', 'new');
    tree.add({ pid: 700, comm: 'gone', exe: '/tmp/.x/gone (deleted)' });
    tree.add({ pid: 701, comm: 'upgraded', exe: '/usr/sbin/upgraded (deleted)' });
    tree.add({ pid: 702, comm: 'memfd:x', exe: '/memfd:x (deleted)' });
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    expect(s.processes.get(700)).toMatchObject({ exe: '/tmp/.x/gone', exeDeleted: true, exeMemfd: false, exePathExists: false });
    expect(s.processes.get(701)).toMatchObject({ exeDeleted: true, exePathExists: true });
    expect(s.processes.get(702)).toMatchObject({ exe: '/memfd:x', exeMemfd: true });
  });

  it('computes CPU % from two samples of the same process', () => {
    tree = new ProcTree().withBaseSystem();
    const p = { pid: 800, comm: 'burn', utime: 100 };
    tree.add(p);
    let now = 1_000_000;
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, now: () => now });
    expect(r.sample().processes.get(800)!.cpuPercent).toBe(0);
    tree.setCpu(p, 100 + r.clockTicks * 2); // two seconds of CPU...
    now += 4000; // ...in four seconds
    expect(r.sample().processes.get(800)!.cpuPercent).toBeCloseTo(50, 5);
  });

  it('wakes a resting parent whose child went away: its reaped time is read back, no sweep of every resting process', () => {
    tree = new ProcTree().withBaseSystem();
    const parent = { pid: 500, comm: 'sh', startTicks: 2000 }; // started after PID 1 (1000), as children do
    const child = { pid: 501, comm: 'job', ppid: 500, startTicks: 3000, utime: 0 };
    tree.add(parent);
    tree.add(child);
    // the kernel's task time: what the fixture's processes ran, nothing else
    const hostTicks = (n: number) => writeFileSync(join(tree.proc, 'stat'), `cpu  ${n} 0 0 1000 0 0 0 0 0 0\nbtime 1700000000\n`);
    let now = 1_000_000;
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, now: () => now });
    let ran = 0;
    let size = 0;
    for (let i = 0; i < 6; i++) { // the child works 10 ticks a tick; its parent waits, long enough to rest
      ran += 10;
      tree.setCpu(child, ran);
      hostTicks(ran);
      now += 1000;
      size = r.sample().processes.size;
    }
    expect(r.checked).toBeLessThan(size); // the idle ones rest (the parent among them)
    // the child exits; the parent reaps it: its lifetime moves into the parent's cutime
    tree.remove(501);
    tree.add({ ...parent, cutime: ran });
    for (let i = 0; i < 3; i++) { now += 1000; r.sample(); }
    expect(r.sweeps).toBe(0);
  });

  it('re-reads the cached identity when the process renames itself (exec or prctl)', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 900, comm: 'bash', cmdline: ['bash'], exe: '/usr/bin/bash', startTicks: 50 });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    expect(r.sample().processes.get(900)!.exe).toBe('/usr/bin/bash');
    tree.add({ pid: 900, comm: 'xmrig', cmdline: ['./xmrig'], exe: '/tmp/xmrig', startTicks: 50 });
    expect(r.sample().processes.get(900)).toMatchObject({ exe: '/tmp/xmrig', cmdline: ['./xmrig'] });
  });

  it('keeps a kernel thread\'s identity when it renames itself (a kworker naming its work queue), under the new name', () => {
    tree = new ProcTree().withBaseSystem();
    const kworker = { pid: 41, comm: 'kworker/0:1-events', ppid: 2, uid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/', environ: [], startTicks: 60 };
    tree.add(kworker);
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    expect(r.sample().processes.get(41)).toMatchObject({ name: 'kworker/0:1-events', cgroup: '/' });
    // the cgroup file now says something else: a re-read would show it
    tree.add({ ...kworker, comm: 'kworker/0:1-mm_percpu_wq', cgroup: '0::/moved' });
    expect(r.sample().processes.get(41)).toMatchObject({ name: 'kworker/0:1-mm_percpu_wq', kernelThread: true, cgroup: '/' });
    // a user process that renames itself is read again (exec): the same change is seen there
    tree.add({ pid: 902, comm: 'app', cmdline: ['app'], exe: '/usr/bin/app', cgroup: '0::/user.slice', startTicks: 50 });
    r.sample();
    tree.add({ pid: 902, comm: 'renamed', cmdline: ['app'], exe: '/usr/bin/app', cgroup: '0::/moved', startTicks: 50 });
    expect(r.sample().processes.get(902)).toMatchObject({ name: 'renamed', cgroup: '/moved' });
  });

  it('keeps the cached identity while name and start time are unchanged', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 901, comm: 'app', cmdline: ['app'], exe: '/usr/bin/app', startTicks: 50 });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    r.sample();
    writeFileSync(join(tree.proc, '901', 'cmdline'), 'changed\0');
    expect(r.sample().processes.get(901)!.cmdline).toEqual(['app']);
    // a new process under the same PID (start time differs) is read afresh
    tree.add({ pid: 901, comm: 'app', cmdline: ['app', '--new'], exe: '/usr/bin/app', startTicks: 60 });
    expect(r.sample().processes.get(901)!.cmdline).toEqual(['app', '--new']);
  });

  it('re-reads the identity of a process that ran every 30 s, of an idle one only every 5 minutes', () => {
    tree = new ProcTree().withBaseSystem();
    const busy = { pid: 910, comm: 'app', cmdline: ['app'], utime: 10, startTicks: 50 };
    tree.add(busy);
    tree.add({ pid: 911, comm: 'idle', cmdline: ['idle'], utime: 10, startTicks: 50 });
    let now = 1_000_000;
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, now: () => now });
    r.sample();
    writeFileSync(join(tree.proc, '910', 'cmdline'), 'app\0--rewritten\0');
    writeFileSync(join(tree.proc, '911', 'cmdline'), 'idle\0--rewritten\0');
    now += 47_000; // past the 30 s refresh and its spread
    tree.setCpu(busy, 20);
    let s = r.sample();
    expect(s.processes.get(910)!.cmdline).toEqual(['app', '--rewritten']);
    expect(s.processes.get(911)!.cmdline).toEqual(['idle']); // has not run: cannot have changed it
    now += 317_000;
    s = r.sample();
    expect(s.processes.get(911)!.cmdline).toEqual(['idle', '--rewritten']);
  });

  it('a quick pass reads stat only, and says so; completeQuick names the shown rows; the next sample completes it', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 920, comm: 'miner', ppid: 1, uid: 1001, cmdline: ['./miner', '-o', 'pool'], exe: '/tmp/.x/miner', cwd: '/tmp/.x', startTicks: 70 });
    tree.add({ pid: 921, comm: 'other', ppid: 1, uid: 1001, cmdline: ['other', '--x'], startTicks: 71 });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    const q = r.sample({ statOnly: true });
    expect(q.partial).toBe(true);
    expect(q.processes.get(920)).toMatchObject({ name: 'miner', ppid: 1, cmdline: [], uid: null, exe: null, cwd: null });
    const named = r.completeQuick(q, [920]);
    expect(named.partial).toBe(true);
    expect(named.processes.get(920)).toMatchObject({ cmdline: ['./miner', '-o', 'pool'], uid: 1001, user: 'abc', exe: null, cwd: null });
    expect(named.processes.get(921)).toMatchObject({ cmdline: [], uid: null }); // not shown: left for the full sample
    expect(q.processes.get(920)!.cmdline).toEqual([]); // the quick snapshot itself is not changed
    const full = r.sample();
    expect(full.partial).toBeUndefined();
    expect(full.processes.get(920)).toMatchObject({ exe: '/tmp/.x/miner', cwd: '/tmp/.x', uid: 1001 });
    expect(full.processes.get(921)).toMatchObject({ cmdline: ['other', '--x'], uid: 1001 });
  });

  it('a stat-only pass reads stat alone; readIdentities reads the rest in slices, and the next sample reads no identity again', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 920, comm: 'miner', ppid: 1, uid: 1001, cmdline: ['./miner', '-o', 'pool'], exe: '/tmp/.x/miner', cwd: '/tmp/.x', startTicks: 70, environ: ['LD_PRELOAD=/tmp/.x/h.so'] });
    tree.add({ pid: 921, comm: 'gone', cmdline: ['gone'], startTicks: 71 });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    const first = r.sample({ statOnly: true });
    expect(first.partial).toBe(true);
    expect(first.processes.get(920)).toMatchObject({ name: 'miner', ppid: 1, cmdline: [], uid: null, exe: null, cwd: null, cgroup: null, preloadEnv: null });
    const total = first.processes.size;
    expect(r.readIdentities(2)).toBe(total - 2);
    tree.remove(921);
    expect(r.readIdentities()).toBe(0);
    // what the window read stands: files changed now (without the process running) are not read again
    tree.add({ pid: 920, comm: 'miner', ppid: 1, uid: 1001, cmdline: ['./other'], exe: '/usr/bin/other', cwd: '/', startTicks: 70 });
    const full = r.sample();
    expect(full.partial).toBeUndefined();
    expect(full.processes.get(920)).toMatchObject({ cmdline: ['./miner', '-o', 'pool'], exe: '/tmp/.x/miner', cwd: '/tmp/.x', uid: 1001, user: 'abc', preloadEnv: { LD_PRELOAD: '/tmp/.x/h.so' } });
    expect(full.processes.has(921)).toBe(false);
    expect(full.processes.get(16)).toMatchObject({ kernelThread: true, cmdline: [] });
    // one that exec'd meanwhile (a new name) is read again
    tree.add({ pid: 920, comm: 'xmrig', ppid: 1, uid: 1001, cmdline: ['xmrig'], exe: '/tmp/.x/xmrig', cwd: '/tmp/.x', startTicks: 70 });
    expect(r.sample().processes.get(920)).toMatchObject({ name: 'xmrig', cmdline: ['xmrig'], exe: '/tmp/.x/xmrig' });
  });

  it('a full sample after a stat-only one reads what readIdentities did not get to', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 922, comm: 'app', uid: 1001, cmdline: ['app'], exe: '/usr/bin/app', cwd: '/srv' });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root });
    r.sample({ statOnly: true });
    expect(r.sample().processes.get(922)).toMatchObject({ cmdline: ['app'], exe: '/usr/bin/app', cwd: '/srv', uid: 1001 });
    expect(r.readIdentities()).toBe(0);
  });

  it('lists /proc again only when the kernel allocated a PID since the last sample; a process that exits still goes', () => {
    tree = new ProcTree().withBaseSystem();
    tree.procFile('loadavg', '0.10 0.20 0.30 1/90 930\n');
    tree.add({ pid: 930, comm: 'a', cmdline: ['a'] });
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, listOnNewPidOnly: true });
    expect(r.sample().processes.has(930)).toBe(true);
    expect(r.listings).toBe(1);
    r.sample();
    expect(r.listings).toBe(1); // nothing created: the last listing stands
    tree.add({ pid: 931, comm: 'b', cmdline: ['b'] });
    tree.procFile('loadavg', '0.10 0.20 0.30 1/91 931\n');
    const s = r.sample();
    expect(r.listings).toBe(2);
    expect(s.processes.has(931)).toBe(true);
    tree.remove(930);
    expect(r.sample().processes.has(930)).toBe(false); // gone without any PID allocated
    expect(r.listings).toBe(2);
  });

  it('reads LD_PRELOAD from the environment and ld.so.preload from the root', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 950, comm: 'x', environ: ['HOME=/root', 'LD_PRELOAD=/usr/local/lib/libhide.so'] });
    tree.file('etc/ld.so.preload', '# comment\n/usr/local/lib/libhide.so\n');
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    expect(s.processes.get(950)!.preloadEnv).toEqual({ LD_PRELOAD: '/usr/local/lib/libhide.so' });
    expect(s.host.ldSoPreload).toEqual(['/usr/local/lib/libhide.so']);
  });

  it('warns inside a PID namespace (no kthreadd) and when /proc has hidepid', () => {
    tree = new ProcTree();
    tree.add({ pid: 1, comm: 'tini', ppid: 0 });
    tree.procFile('self/mountinfo', '22 1 0:21 / /proc rw - proc proc rw,hidepid=2\n');
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root, viewer: { ptraceAll: false, groups: [1001] } }).sample();
    expect(s.host.kernelThreadsVisible).toBe(false);
    expect(s.host.hidepid).toBe(true);
    expect(s.warnings.join('\n')).toMatch(/kernel-thread impostor rules are off/);
    expect(s.warnings.join('\n')).toMatch(/hidepid=invisible/);
  });

  it('records a /proc entry that describes another PID', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 4242, comm: 'kworker/0:2', statPid: 16 });
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    expect(s.host.procMismatches).toEqual([{ pid: 4242, reason: '/proc/4242/stat describes PID 16' }]);
    expect(s.processes.get(4242)!.pid).toBe(4242);
  });

  it('attributes a pool-port connection to its process through the socket inode', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 1234, comm: 'miner', exe: '/tmp/miner' });
    mkdirSync(join(tree.proc, '1234', 'fd'));
    symlinkSync('socket:[2222]', join(tree.proc, '1234', 'fd', '3'));
    symlinkSync('/dev/null', join(tree.proc, '1234', 'fd', '0'));
    tree.procFile('net/tcp', [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   1: 0F02000A:9C40 0D0D0D0D:0D05 01 00000000:00000000 00:00000000 00000000  1001        0 2222 1 0 20 4 30 10 -1',
      '   2: 0F02000A:9C41 0100007F:0D05 01 00000000:00000000 00:00000000 00000000  1001        0 3333 1 0 20 4 30 10 -1',
    ].join('\n'));
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: new Set([3333]) });
    // the first frame's quick pass feeds no detection: no socket table, no descriptor links
    expect(r.sample({ statOnly: true }).connections.size).toBe(0);
    const s = r.sample();
    expect(s.connections.get(1234)).toEqual([expect.objectContaining({ remoteAddress: '13.13.13.13', remotePort: 3333, inode: 2222 })]);
    expect(s.connections.size).toBe(1); // the loopback one is not a pool
  });
});
