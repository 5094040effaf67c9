// R1: a process killed from the dashboard that comes back. The respawn watch keeps the facts (what was
// killed, when); the rule in src/detect judges every new process against them, like every other rule.
import { describe, expect, it } from 'vitest';
import { Detector, RULES } from '../../src/detect/index';
import { R1, respawnOf, sharedExecutable } from '../../src/detect/rules/respawn';
import { findingsSection } from '../../src/docs/readmeSections';
import type { KilledProcess, ProcessInfo } from '../../src/model';
import { RespawnWatch } from '../../src/respond/respawn';
import { procInfo } from '../respond/fixture';
import { snapshot } from '../helpers/snapshot';

const KILLED_AT = 1_700_000_600_000;
const killed: KilledProcess = { pid: 4242, exe: '/home/u/.x/rcu-sched', cmdline: ['rcu-sched', '-o', 'pool:3333'], startTicks: 500, at: KILLED_AT };
/** A process that started `after` ms after the kill. */
const p = (pid: number, over: Partial<ProcessInfo> = {}, after = 5000) =>
  procInfo(pid, 1, { startTicks: 100_000, startTime: KILLED_AT + after, exe: null, ...over });

describe('R1 (respawned after a kill)', () => {
  it('matches a new process with the same executable or command line; not the killed one, not an unrelated one', () => {
    expect(respawnOf(p(5000, { exe: killed.exe }), killed)).toContain('the same executable /home/u/.x/rcu-sched');
    expect(respawnOf(p(5001, { cmdline: [...killed.cmdline], exe: '/tmp/other' }), killed)).toBe('the same command line');
    // Same PID, new start time: a new process.
    expect(respawnOf(p(4242, { exe: killed.exe, startTicks: 900 }), killed)).not.toBeNull();
    // The killed process itself (still being reaped) is not a respawn.
    expect(respawnOf(p(4242, { exe: killed.exe, startTicks: 500 }), killed)).toBeNull();
    expect(respawnOf(p(5003, { exe: '/usr/bin/top', cmdline: ['top'] }), killed)).toBeNull();
  });

  it('ignores a process that was already running when the other was killed', () => {
    expect(respawnOf(p(5004, { exe: killed.exe }, -60_000), killed)).toBeNull();
    expect(respawnOf(p(5005, { exe: killed.exe }, -500), killed)).not.toBeNull(); // within a clock tick / btime second
  });

  it('ignores shared system executables unless the command line matches too (issue 9: any new sleep was "respawned")', () => {
    const sleep: KilledProcess = { pid: 77, exe: '/usr/bin/sleep', cmdline: ['sleep', '600'], startTicks: 1, at: KILLED_AT };
    expect(sharedExecutable('/usr/bin/sleep')).toBe(true);
    expect(sharedExecutable('/home/u/.x/rcu-sched')).toBe(false);
    expect(respawnOf(p(78, { exe: '/usr/bin/sleep', cmdline: ['sleep', '1'] }), sleep)).toBeNull();
    expect(respawnOf(p(79, { exe: '/usr/bin/sleep', cmdline: ['sleep', '600'] }), sleep)).toBe('the same command line');
  });

  it('does not treat every shell as a respawn of a killed shell script', () => {
    const script: KilledProcess = { pid: 10, exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], startTicks: 1, at: KILLED_AT };
    expect(respawnOf(p(11, { exe: '/usr/bin/dash', cmdline: ['/bin/sh', '-c', 'ls'] }), script)).toBeNull();
    expect(respawnOf(p(12, { exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'] }), script)).toBe('the same command line');
    const bare: KilledProcess = { ...script, cmdline: ['bash'] };
    expect(respawnOf(p(13, { exe: '/usr/bin/dash', cmdline: ['bash'] }), bare)).toBeNull();
  });

  it('is a rule like the others: in RULES, in the README table, fed by the watch on every tick while the window lasts', () => {
    expect(RULES).toContain(R1);
    expect(findingsSection()).toMatch(/^\| R1 \| Respawned after a kill \|/m);
    let now = KILLED_AT;
    const watch = new RespawnWatch({ windowMs: 60_000, now: () => now });
    watch.remember({ pid: killed.pid, exe: killed.exe, cmdline: killed.cmdline, startTicks: killed.startTicks });
    const back = p(5000, { exe: killed.exe, name: 'rcu-sched' });
    const bystander = p(5001, { exe: '/usr/bin/sleep', name: 'sleep', cmdline: ['sleep', '5'] });
    const detector = new Detector();
    const snap = () => ({ ...snapshot([back, bystander]), takenAt: now });
    for (const dt of [1000, 2000, 30_000]) {
      now = KILLED_AT + dt;
      const a = detector.assess(snap(), watch.facts());
      const r1 = a.get(5000)?.findings.find((f) => f.id === 'R1');
      expect(r1, `tick at +${dt} ms`).toMatchObject({ weight: 10, evidence: { oldPid: 4242 } });
      expect(r1!.explanation).toContain('PID 4242');
      expect(a.get(5001)?.findings.some((f) => f.id === 'R1') ?? false).toBe(false);
    }
    now = KILLED_AT + 60_001;
    expect(watch.size).toBe(0);
    expect(detector.assess(snap(), watch.facts()).get(5000)?.findings.some((f) => f.id === 'R1') ?? false).toBe(false);
  });
});
