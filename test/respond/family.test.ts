import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProcessInfo } from '../../src/model';
import { familyOf } from '../../src/respond/family';
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
    expect(f.excluded[0].why).toMatch(/login shell or a shell on a terminal/);
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

  it('is not the session: a lone job among 2,000 background jobs of a terminal shell is alone', () => {
    const shell = p(800, 700, { name: 'bash', exe: '/usr/bin/bash', session: 800, ttyNr: 34817 });
    const jobs = Array.from({ length: 2000 }, (_, i) => p(10_000 + i, 800, { name: 'sleep', exe: '/usr/bin/sleep', session: 800 }));
    const t = table(p(1, 0, { name: 'init', uid: 0, exe: '/sbin/init' }), p(700, 1, { name: 'sshd', exe: '/usr/sbin/sshd', uid: 0 }), shell, ...jobs);
    const started = performance.now();
    const f = familyOf(10_500, t, { selfPid: 9000, ancestorPids: [] });
    expect(performance.now() - started).toBeLessThan(1000); // a few ms when quiet; the 100 ms budget is checked in test/security on real processes
    expect(f.members.map((m) => m.pid)).toEqual([10_500]);
    expect(f.launchers).toEqual([]);
    expect(f.excluded).toContainEqual({ pid: 800, why: 'parent: a login shell or a shell on a terminal' });
  });

  it('climbs the launcher chain to, not including, a terminal session leader; takes their other children and linked processes', () => {
    // login shell 600 (tty, leader) -> nohup'd script 610 -> loop 620 -> miner 630; 610 also runs watchdog 640.
    const t = table(
      p(600, 1, { name: '-bash', exe: '/usr/bin/bash', session: 600, ttyNr: 34816, cmdline: ['-bash'] }),
      p(610, 600, { name: 'run.sh', exe: '/usr/bin/dash', session: 600 }),
      p(620, 610, { name: 'loop', exe: '/usr/bin/dash', session: 600 }),
      p(630, 620, { name: 'rcu-sched', session: 600 }),
      p(631, 630, { name: 'worker', session: 600 }),
      p(640, 610, { name: 'watchdog', session: 600 }),
      p(650, 600, { name: 'vim', exe: '/usr/bin/vim', session: 600, ttyNr: 34816 }),
      p(700, 1, { name: 'other-copy', session: 700 }),
    );
    const f = familyOf(630, t, { selfPid: 9000, ancestorPids: [], linkedPids: [700] });
    expect(f.launchers.map((l) => l.pid)).toEqual([620, 610]);
    expect(f.launcher?.pid).toBe(620);
    expect(f.members.map((m) => m.pid)).toEqual([630, 631, 640, 700]);
    expect(f.roles.get(640)).toBe('descendant');
    expect(f.roles.get(700)).toBe('linked');
    expect(f.excluded).toContainEqual({ pid: 600, why: 'launcher chain: a login shell or a shell on a terminal' });
    expect(f.members.map((m) => m.pid)).not.toContain(650);
  });

  it('survives a parent cycle in the table', () => {
    const t = table(p(5, 6, { name: 'a' }), p(6, 5, { name: 'b' }));
    const f = familyOf(5, t, { selfPid: 9000, ancestorPids: [] });
    expect(f.members.map((m) => m.pid).sort()).toEqual([5, 6]);
    expect(f.launchers).toEqual([]); // never listed twice, so never signalled twice
  });

  it('returns nothing for an unknown pid', () => {
    expect(familyOf(12345, table(...base))).toEqual({ launcher: null, launchers: [], members: [], roles: new Map(), excluded: [] });
  });
});
