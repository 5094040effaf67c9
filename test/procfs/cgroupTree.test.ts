// Every process's cgroup from one walk of the cgroup2 mount (src/procfs/cgroupTree.ts): on fixture
// trees (threaded cgroups, names /proc/PID/cgroup cannot carry, bounds), and on the live host against
// /proc/PID/cgroup read per process, through the reader as the one-shot scan uses it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroup2MountPoint, readCgroupTree } from '../../src/procfs/cgroupTree';
import { attempt, listPids, readCgroup } from '../../src/procfs/pid';
import { ProcReader } from '../../src/procfs/reader';

let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ''; });

/** A cgroup directory with its list; every cgroup above it has a list too, as in cgroupfs. */
function cgroup(rel: string, pids: number[] | 'dir'): void {
  mkdirSync(join(dir, rel), { recursive: true });
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const up = join(dir, ...parts.slice(0, i), 'cgroup.procs');
    if (!existsSync(up)) writeFileSync(up, '');
  }
  if (pids === 'dir') mkdirSync(join(dir, rel, 'cgroup.procs')); // unreadable as a list, as a threaded cgroup's is
  else writeFileSync(join(dir, rel, 'cgroup.procs'), pids.map((p) => `${p}\n`).join(''));
}

describe('readCgroupTree on a fixture tree', () => {
  it('names each listed process by its cgroup, as the 0:: line of /proc/PID/cgroup does', () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-cgroup-'));
    cgroup('', [1, 2, 0]); // 0: a process of another PID namespace
    cgroup('system.slice/cron.service', [300]);
    cgroup('user.slice/user-1000.slice/session-3.scope', [400, 401]);
    writeFileSync(join(dir, 'cgroup.controllers'), 'cpu memory\n');
    expect(readCgroupTree(dir)).toEqual(new Map([
      [1, '/'], [2, '/'], [300, '/system.slice/cron.service'], [400, '/user.slice/user-1000.slice/session-3.scope'],
      [401, '/user.slice/user-1000.slice/session-3.scope'],
    ]));
  });

  it('leaves out what /proc/PID/cgroup would say otherwise: a threaded subtree, a name with a newline', () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-cgroup-'));
    cgroup('', [1]);
    cgroup('app.slice/app.service', [500, 501]); // its threads may sit in t1: /proc/PID/cgroup names the main thread's
    cgroup('app.slice/app.service/t1', 'dir');
    cgroup('app.slice/other.service', [502]);
    cgroup('evil\n0::/system.slice', [600]);
    expect(readCgroupTree(dir)).toEqual(new Map([[1, '/'], [502, '/app.slice/other.service']]));
  });

  it('gives no answer beyond its bounds or without the root list', () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-cgroup-'));
    cgroup('', [1]);
    for (let i = 0; i < 5; i++) cgroup(`s${i}`, [10 + i]);
    expect(readCgroupTree(dir, 6)?.size).toBe(6);
    expect(readCgroupTree(dir, 5)).toBeNull();
    expect(readCgroupTree(join(dir, 'missing'))).toBeNull();
  });

  it('finds the cgroup2 mount whose root is the namespace root', () => {
    const hybrid = '30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n';
    expect(cgroup2MountPoint(hybrid)).toBe('/sys/fs/cgroup/unified');
    const v2 = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n';
    expect(cgroup2MountPoint(v2)).toBe('/sys/fs/cgroup');
    // a bind mount of a subtree names its processes relative to another root: not used
    expect(cgroup2MountPoint('50 24 0:30 /system.slice /mnt/cg rw - cgroup2 cgroup2 rw\n')).toBeNull();
    expect(cgroup2MountPoint('50 24 0:30 / /mnt/my\\040cg rw - cgroup2 cgroup2 rw\n')).toBe('/mnt/my cg');
    expect(cgroup2MountPoint('22 1 0:21 / /proc rw - proc proc rw\n')).toBeNull();
  });
});

const liveMount = process.platform === 'linux' ? cgroup2MountPoint(readFileSync('/proc/self/mountinfo', 'utf8')) : null;

describe.runIf(liveMount !== null)('readCgroupTree on the live host', () => {
  it('agrees with /proc/PID/cgroup for every process it answers for, and answers for ours', () => {
    const before = new Map(listPids('/proc').map((pid) => [pid, attempt(() => readCgroup('/proc', pid))]));
    const map = readCgroupTree(liveMount!)!;
    expect(map).not.toBeNull();
    let compared = 0;
    for (const [pid, path] of map) {
      const was = before.get(pid);
      const now = attempt(() => readCgroup('/proc', pid));
      if (was === undefined || was === null || now !== was) continue; // started, exited or moved meanwhile
      expect(path, `PID ${pid}`).toBe(now);
      compared++;
    }
    expect(compared).toBeGreaterThan(before.size / 2);
    expect(map.get(process.pid)).toBe(readCgroup('/proc', process.pid));
  });

  it('the reader fills each identity read after prefetchCgroups from the walk, with the same cgroups', () => {
    const r = new ProcReader({ keepDescriptors: false });
    r.sample({ statOnly: true });
    expect(r.prefetchCgroups()).toBeGreaterThan(0);
    r.readIdentities();
    const snap = r.sample();
    const me = snap.processes.get(process.pid);
    expect(me?.cgroup).toBe(readCgroup('/proc', process.pid));
    let same = 0;
    let read = 0;
    for (const p of snap.processes.values()) {
      const now = attempt(() => readCgroup('/proc', p.pid));
      if (now === null) continue; // exited meanwhile
      read++;
      if (p.cgroup === now) same++;
    }
    expect(same).toBeGreaterThan(read * 0.9); // a process may move meanwhile; a wrong walk would miss most
  });

  it('a reader of a fixture tree never walks the host', () => {
    dir = mkdtempSync(join(tmpdir(), 'mw-cgroup-proc-'));
    mkdirSync(join(dir, 'self'));
    writeFileSync(join(dir, 'self', 'mountinfo'), `40 30 0:37 / ${liveMount} rw - cgroup2 cgroup2 rw\n`);
    const r = new ProcReader({ procRoot: dir, keepDescriptors: false });
    r.sample({ statOnly: true });
    expect(r.prefetchCgroups()).toBe(0);
  });
});
