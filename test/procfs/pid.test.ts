// The one per-PID reader (src/procfs/pid.ts) and the host rules next to it (boot time, clock ticks),
// on fixture trees.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectQuick } from '../../src/inspect/index';
import { clockTicks, readBootTime, startTimeMs } from '../../src/procfs/host';
import { ProcTree } from '../../src/procfs/fake';
import {
  attempt, hasPid, listPids, parseCgroup, parseCgroupLines, readCgroupLines, readCmdline, readComm, readExe, readFdinfo, readFds,
  readEnviron, readEnvironVars, readNamespaces, readStat, readStatus, readStatusBrief, socketInode,
} from '../../src/procfs/pid';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('per-PID reader', () => {
  it('names the real and the effective uid of a setuid process', () => {
    tree = new ProcTree();
    tree.add({ pid: 10, comm: 'passwd', uid: 1001, euid: 0, groups: [27, 1001] });
    expect(readStatus(tree.proc, 10)).toMatchObject({ realUid: 1001, effectiveUid: 0, groups: [27, 1001], pid: 10, tgid: 10, nsPids: [10] });
    expect(readStat(tree.proc, 10)).toMatchObject({ pid: 10, comm: 'passwd' });
    expect(readComm(tree.proc, 10)).toBe('passwd');
    expect(listPids(tree.proc)).toEqual([10]);
    expect(hasPid(tree.proc)).toBe(true);
    // The inspector names both when they differ (the dashboard's USER is the effective one).
    const id = inspectQuick(10, { procRoot: tree.proc, root: tree.root }).identity;
    expect(id.ok && id.data).toMatchObject({ uid: 1001, user: 'abc', effectiveUid: 0, effectiveUser: 'root' });
    tree.add({ pid: 15, comm: 'plain', uid: 1001 });
    const plain = inspectQuick(15, { procRoot: tree.proc, root: tree.root }).identity;
    expect(plain.ok && plain.data.effectiveUid).toBeUndefined();
  });

  it('the brief status read agrees with the full one: effective uid, NSpid depth, the same refusals', () => {
    tree = new ProcTree();
    const cases: [string, { uid: number; depth: number } | null][] = [
      ['Name:\tx\nUid:\t1001\t0\t0\t0\nNSpid:\t7\n', { uid: 0, depth: 1 }],
      ['Uid:\t5 6 7 8\nNSpid:\t900\t12\t1\n', { uid: 6, depth: 3 }],
      ['Name:\tx\nUid:\t1 2 3 4\nGid:\t0 0 0 0\nUid:\t9 10 11 12\n', { uid: 10, depth: 0 }], // the last line wins, as in the map
      ['Name:\tx\nUid:\t1 2 3\n', null], // three uids: not well formed
      ['Name:\tx\nXUid:\t1 2 3 4\nNSpid:\n', null],
    ];
    for (const [i, [text, want]] of cases.entries()) {
      const pid = 40 + i;
      tree.add({ pid, comm: 'x' });
      tree.procFile(`${pid}/status`, text);
      const full = attempt(() => readStatus(tree.proc, pid));
      const brief = attempt(() => readStatusBrief(tree.proc, pid));
      expect(brief, text).toEqual(want && { effectiveUid: want.uid, nsDepth: want.depth });
      expect(brief?.effectiveUid ?? null, text).toBe(full?.effectiveUid ?? null);
      expect(brief?.nsDepth ?? null, text).toBe(full ? full.nsPids.length : null);
    }
    expect(attempt(() => readStatusBrief(tree.proc, 99))).toBeNull();
  });

  it('reads only the named environment variables, as readEnviron spells them', () => {
    tree = new ProcTree();
    const env = ['PATH=/usr/bin', 'LD_PRELOAD=/tmp/.x/a.so', 'XLD_PRELOAD=no', 'LD_PRELOADX=no', 'LD_AUDIT', 'LD_AUDIT=', '=LD_PRELOAD', 'LD_LIBRARY_PATH=/opt/\u00e9', 'LD_PRELOAD=/second.so'];
    tree.add({ pid: 50, comm: 'x', environ: env });
    const names = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT'];
    const want = readEnviron(tree.proc, 50).filter((kv) => kv.indexOf('=') > 0 && names.includes(kv.slice(0, kv.indexOf('='))));
    expect(readEnvironVars(tree.proc, 50, names)).toEqual(want);
    expect(want).toEqual(['LD_PRELOAD=/tmp/.x/a.so', 'LD_AUDIT=', 'LD_LIBRARY_PATH=/opt/\u00e9', 'LD_PRELOAD=/second.so']);
    // without a trailing NUL, with an invalid UTF-8 byte next to a NUL, and empty
    tree.procFile('50/environ', Buffer.concat([Buffer.from('A=\xff'), Buffer.from([0xe2, 0]), Buffer.from('LD_AUDIT=\u00e9'), Buffer.from([0xe2])]));
    expect(readEnvironVars(tree.proc, 50, names)).toEqual(readEnviron(tree.proc, 50).filter((kv) => kv.startsWith('LD_AUDIT=')));
    expect(readEnvironVars(tree.proc, 50, names)).toEqual(['LD_AUDIT=\u00e9\ufffd']);
    tree.procFile('50/environ', '');
    expect(readEnvironVars(tree.proc, 50, names)).toEqual([]);
  });

  it('caps argv and says so', () => {
    tree = new ProcTree();
    tree.add({ pid: 11, comm: 'big', cmdline: ['a'.repeat(100), 'b'.repeat(100)] });
    expect(readCmdline(tree.proc, 11)).toEqual({ argv: ['a'.repeat(100), 'b'.repeat(100)], truncated: false });
    const cut = readCmdline(tree.proc, 11, 150);
    expect(cut.truncated).toBe(true);
    expect(cut.argv).toEqual(['a'.repeat(100), 'b'.repeat(49)]);
    expect(readCmdline(tree.proc, 11, 202).truncated).toBe(false); // exactly the cap: nothing was cut
  });

  it('reads exe as a link (deleted, memfd), fds in order with their targets, fdinfo and namespaces', () => {
    tree = new ProcTree();
    tree.add({ pid: 12, comm: 'x', exe: '/memfd:payload (deleted)' });
    expect(readExe(tree.proc, 12)).toEqual({ path: '/memfd:payload', deleted: true, memfd: true });
    const fd = join(tree.proc, '12', 'fd');
    mkdirSync(fd);
    symlinkSync('socket:[4242]', join(fd, '10'));
    symlinkSync('/dev/nvidia0', join(fd, '2'));
    symlinkSync('pipe:[7]', join(fd, '0'));
    const r = readFds(tree.proc, 12);
    expect(r.fds).toEqual([{ fd: 0, target: 'pipe:[7]' }, { fd: 2, target: '/dev/nvidia0' }, { fd: 10, target: 'socket:[4242]' }]);
    expect(r.total).toBe(3);
    expect(socketInode('socket:[4242]')).toBe(4242);
    expect(socketInode('pipe:[7]')).toBeNull();
    tree.procFile('12/fdinfo/2', 'pos:\t0\nflags:\t02\ndrm-driver:\ti915\ndrm-engine-render:\t12345 ns\n');
    expect(readFdinfo(tree.proc, 12, 2).get('drm-engine-render')).toBe('12345 ns');
    mkdirSync(join(tree.proc, '12', 'ns'));
    symlinkSync('pid:[4026531836]', join(tree.proc, '12', 'ns', 'pid'));
    symlinkSync('net:[4026531840]', join(tree.proc, '12', 'ns', 'net'));
    expect(readNamespaces(tree.proc, 12)).toEqual({ pid: 4026531836, net: 4026531840 });
  });

  it('parses cgroup lines: v2, else name=systemd, else the first hierarchy', () => {
    expect(parseCgroupLines('12:cpu,cpuacct:/docker/abc\n0::/x\n')).toEqual([
      { id: 12, controllers: 'cpu,cpuacct', path: '/docker/abc' }, { id: 0, controllers: '', path: '/x' }]);
    expect(parseCgroup('12:cpu,cpuacct:/docker/abc\n0::/x\n')).toBe('/x');
    expect(parseCgroup('12:cpu,cpuacct:/docker/abc\n1:name=systemd:/system.slice/docker-abc.scope\n')).toBe('/system.slice/docker-abc.scope');
    expect(parseCgroup('12:cpu,cpuacct:/docker/abc\n')).toBe('/docker/abc');
    tree = new ProcTree();
    tree.add({ pid: 13, comm: 'c', cgroup: '0::/system.slice/x.service' });
    expect(readCgroupLines(tree.proc, 13)).toEqual([{ id: 0, controllers: '', path: '/system.slice/x.service' }]);
  });

  it('gone and unreadable come back as errors with a code; attempt turns them into null', () => {
    tree = new ProcTree();
    expect(() => readStat(tree.proc, 99)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(attempt(() => readStat(tree.proc, 99))).toBeNull();
    tree.add({ pid: 14, comm: 'garbage', rawStat: 'not a stat line' });
    expect(() => readStat(tree.proc, 14)).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
  });
});

describe('host rules', () => {
  it('one boot-time rule: btime, else now minus uptime, else now', () => {
    tree = new ProcTree();
    expect(readBootTime(tree.proc, 5_000_000)).toBe(1_700_000_000_000);
    writeFileSync(join(tree.proc, 'stat'), 'cpu  1 2 3 4\n');
    expect(readBootTime(tree.proc, 5_000_000)).toBe(5_000_000 - 1_000_000);
    rmSync(join(tree.proc, 'uptime'));
    expect(readBootTime(tree.proc, 5_000_000)).toBe(5_000_000);
    expect(startTimeMs(1_000_000, 250, 100)).toBe(1_002_500);
  });

  it('the real clock-tick rate, as getconf reports it', () => {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(clockTicks()).toBe(Number(r.stdout.trim()));
  });
});

describe('hasPid', () => {
  it('says whether a proc root lists a process, reading up to the first; throws when it cannot be listed', () => {
    tree = new ProcTree();
    tree.procFile('stat', 'cpu 1 2 3 4\n');
    tree.procFile('2x/stat', 'not a process\n');
    expect(hasPid(tree.proc)).toBe(false);
    tree.add({ pid: 42, comm: 'x', uid: 1001 });
    expect(hasPid(tree.proc)).toBe(true);
    expect(() => hasPid(tree.proc + '/missing')).toThrow(/ENOENT/);
    if (process.platform === 'linux') expect(hasPid('/proc')).toBe(true);
  });
});

describe.runIf(process.platform === 'linux')('readChildren on the live /proc', () => {
  it('lists a child this test started, and not once it is reaped', async () => {
    const { spawn } = await import('node:child_process');
    const { readChildren } = await import('../../src/procfs/pid');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      expect(readChildren('/proc', process.pid)).toContain(child.pid);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    expect(readChildren('/proc', process.pid)).not.toContain(child.pid);
  });
});

describe.runIf(process.platform === 'linux')('one read(2) per single-record /proc file', () => {
  it('returns what reading until the end returns: stat, status, cgroup, and a command line and environment of several pages', async () => {
    const { spawn } = await import('node:child_process');
    const { readCapped } = await import('../../src/procfs/files');
    // 3 pages of argv and 6 of environment: the kernel copies them page by page within one read.
    const long = ['sh', '-c', 'read x', 'sh', 'a'.repeat(12_000)];
    const child = spawn(long[0], long.slice(1), { stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: process.env.PATH, BIG: 'b'.repeat(24_000) } });
    try {
      await new Promise((r) => child.once('spawn', r));
      // wait for the exec: the command line is the shell's once the kernel shows it
      const deadline = Date.now() + 10_000;
      while (!attempt(() => readCmdline('/proc', child.pid!).argv.length === long.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(readCmdline('/proc', child.pid!).argv).toEqual(long);
      expect(readEnvironVars('/proc', child.pid!, ['BIG'])).toEqual(['BIG=' + 'b'.repeat(24_000)]);
      const caps: [string, number][] = [['stat', 4096], ['status', 16 * 1024], ['cgroup', 64 * 1024], ['cmdline', 32 * 1024 + 1], ['environ', 256 * 1024]];
      for (const pid of [child.pid!, process.pid, 1]) {
        for (const [name, cap] of caps) {
          const path = `/proc/${pid}/${name}`;
          const whole = attempt(() => Buffer.from(readCapped(path, cap)));
          if (whole === null) continue; // not ours to read
          const once = Buffer.from(readCapped(path, cap, true));
          // stat moves (CPU time, RSS) between two reads of a running process: same length class, same start
          if (name === 'stat' || name === 'status') expect(once.length).toBeGreaterThan(whole.length / 2);
          else expect(once.equals(whole), `${path}: ${once.length} vs ${whole.length} bytes`).toBe(true);
        }
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});
