import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProcessInfo } from '../../src/model';
import { familyOf, killFamily } from '../../src/respond/family';
import { pinTarget, PinnedTarget } from '../../src/respond/target';
import { FakeProcRoot, tempDir, procInfo } from './fixture';

const p = procInfo;

function table(...ps: ProcessInfo[]): Map<number, ProcessInfo> {
  return new Map(ps.map((x) => [x.pid, x]));
}

describe('familyOf', () => {
  // init(1) -> launcher sh (700, session 700) -> miner (710) -> child (711) -> grandchild (712)
  //                                          -> watchdog (720, same session, no tty)
  const base = [
    p(1, 0, { name: 'init', uid: 0, exe: '/sbin/init' }),
    p(2, 0, { name: 'kthreadd', uid: 0, kernelThread: true, exe: null }),
    p(700, 1, { name: 'sh', exe: '/usr/bin/dash', session: 700 }),
    p(710, 700, { name: 'rcu-sched', session: 700 }),
    p(711, 710, { name: 'child', session: 700 }),
    p(712, 711, { name: 'grandchild', session: 700 }),
    p(720, 700, { name: 'watchdog', session: 700 }),
    p(730, 1, { name: 'other', session: 730 }),
    p(740, 1, { name: 'same-session-other-user', session: 700, uid: 1001 }),
    p(750, 1, { name: 'same-session-tty', session: 700, ttyNr: 34816 }),
  ];

  it('collects target, descendants, launcher and watchdog siblings, nothing else', () => {
    const f = familyOf(710, table(...base), { selfPid: 9000, ancestorPids: [] });
    expect(f.launcher?.pid).toBe(700);
    expect(f.members.map((m) => m.pid)).toEqual([710, 711, 712, 720]);
  });

  it('takes a script that only calls itself sshd as the launcher, but never the real sshd', () => {
    const fake = [...base.filter((x) => x.pid !== 700), p(700, 1, { name: 'sshd', exe: '/usr/bin/dash', session: 700 })];
    expect(familyOf(710, table(...fake), { selfPid: 9000, ancestorPids: [] }).launcher?.pid).toBe(700);
    const real = [...base.filter((x) => x.pid !== 700), p(700, 1, { name: 'sshd', exe: '/usr/sbin/sshd', session: 700 })];
    const f = familyOf(710, table(...real), { selfPid: 9000, ancestorPids: [] });
    expect(f.launcher).toBeNull();
    expect(f.excluded.map((e) => e.pid)).toContain(700);
  });

  it('does not take PID 1, kthreadd or a user tty shell as launcher', () => {
    const adopted = familyOf(730, table(...base), { selfPid: 9000, ancestorPids: [] });
    expect(adopted.launcher).toBeNull();
    expect(adopted.excluded).toContainEqual({ pid: 1, why: 'parent: PID 1 (init)' });
    const fromShell = table(p(800, 1, { name: 'bash', exe: '/usr/bin/bash', ttyNr: 34817 }), p(810, 800, { name: 'x', session: 800 }));
    const f = familyOf(810, fromShell, { selfPid: 9000, ancestorPids: [] });
    expect(f.launcher).toBeNull();
    expect(f.excluded[0].why).toMatch(/interactive shell/);
  });

  it('does not take a parent of another user, an init-like parent, or minewatch ancestors', () => {
    const t = table(
      p(900, 1, { name: 'cron', exe: '/usr/sbin/cron', uid: 1000 }),
      p(910, 900, { name: 'job', session: 910 }),
      p(920, 1, { name: 'launcher', uid: 0 }),
      p(921, 920, { name: 'job2', session: 921 }),
      p(930, 1, { name: 'sh', exe: '/usr/bin/dash' }),
      p(931, 930, { name: 'job3', session: 931 }),
    );
    expect(familyOf(910, t, { selfPid: 9000, ancestorPids: [] }).launcher).toBeNull();
    expect(familyOf(921, t, { selfPid: 9000, ancestorPids: [] }).launcher).toBeNull();
    expect(familyOf(931, t, { selfPid: 9000, ancestorPids: [] }).launcher?.pid).toBe(930);
    expect(familyOf(931, t, { selfPid: 9000, ancestorPids: [930] }).launcher).toBeNull();
  });

  it('derives minewatch ancestors from the table and never includes them', () => {
    // minewatch (9000) runs from a no-tty shell 8990 in the same session as the target.
    const t = table(
      p(8990, 1, { name: 'sh', exe: '/usr/bin/dash', session: 8990 }),
      p(9000, 8990, { name: 'node', exe: '/usr/bin/node', session: 8990 }),
      p(9010, 8990, { name: 'miner', session: 8990 }),
    );
    const f = familyOf(9010, t, { selfPid: 9000 });
    expect(f.launcher).toBeNull();
    expect(f.members.map((m) => m.pid)).toEqual([9010]);
  });

  it('returns nothing for an unknown pid', () => {
    expect(familyOf(12345, table(...base))).toEqual({ launcher: null, members: [], excluded: [] });
  });
});

describe('killFamily', () => {
  let proc: FakeProcRoot;
  let bin: string;
  beforeEach(() => {
    proc = new FakeProcRoot();
    bin = tempDir('mw-bin-');
    fs.writeFileSync(path.join(bin, 'm'), 'miner');
    for (const pid of [710, 711, 720]) proc.add({ pid, ppid: 700, startTicks: pid, exe: path.join(bin, 'm') });
  });
  afterEach(() => {
    proc.cleanup();
    fs.rmSync(bin, { recursive: true, force: true });
  });
  const pins = () => [710, 711, 720].map((pid) => pinTarget(pid, { procRoot: proc.root }) as PinnedTarget);

  it('stops every member before sending any SIGKILL, and does not continue after SIGKILL', () => {
    const kill = vi.fn();
    const res = killFamily(pins(), { kill, procRoot: proc.root, selfPid: 1, ancestorPids: [] }, { signal: 'SIGKILL' });
    expect(kill.mock.calls).toEqual([
      [710, 'SIGSTOP'], [711, 'SIGSTOP'], [720, 'SIGSTOP'],
      [710, 'SIGKILL'], [711, 'SIGKILL'], [720, 'SIGKILL'],
    ]);
    expect(res.every((r) => r.ok)).toBe(true);
  });

  it('continues members after SIGTERM so they can act on it', () => {
    const kill = vi.fn();
    killFamily(pins(), { kill, procRoot: proc.root, selfPid: 1, ancestorPids: [] }, { signal: 'SIGTERM' });
    const signals = kill.mock.calls.map((c) => c[1]);
    expect(signals).toEqual(['SIGSTOP', 'SIGSTOP', 'SIGSTOP', 'SIGTERM', 'SIGTERM', 'SIGTERM', 'SIGCONT', 'SIGCONT', 'SIGCONT']);
  });

  it('skips a member whose identity changed, and one that could not be stopped', () => {
    const kill = vi.fn((pid: number) => {
      if (pid === 720) throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
    });
    const pinned = pins();
    proc.rewriteStat({ pid: 711, ppid: 700, startTicks: 9999 }); // PID 711 reused
    const res = killFamily(pinned, { kill, procRoot: proc.root, selfPid: 1, ancestorPids: [] }, { signal: 'SIGKILL' });
    expect(kill.mock.calls).toEqual([[710, 'SIGSTOP'], [720, 'SIGSTOP'], [710, 'SIGKILL']]);
    expect(res.map((r) => [r.pid, r.ok])).toEqual([[710, true], [711, false], [720, false]]);
    expect(res[1].message).toMatch(/start time changed/);
    expect(res[2].message).toMatch(/^not permitted/);
  });

  it('reports a member left suspended when its kill failed', () => {
    let n = 0;
    const kill = vi.fn((_pid: number, sig: string) => {
      if (sig === 'SIGKILL' && n++ === 0) throw Object.assign(new Error('EIO'), { code: 'EIO' });
    });
    const res = killFamily(pins(), { kill, procRoot: proc.root, selfPid: 1, ancestorPids: [] }, { signal: 'SIGKILL' });
    expect(res[0].ok).toBe(false);
    expect(res[0].message).toMatch(/still suspended/);
    expect(res[1].ok).toBe(true);
  });
});
