// Issue 9, item 11: a missing /proc/N/status made the process root (uid defaulted to 0). The owner is
// unknown then: never root, never "an ordinary user", and never a target the response engine pins.
import { afterEach, describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/index';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';
import { pinTarget } from '../../src/respond/target';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('a process whose status cannot be read (issue 9, item 11)', () => {
  it('has an unknown owner, not root', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 900, comm: 'nostatus', uid: 1001, rawStatus: null, exe: '/tmp/.x/nostatus' });
    tree.add({ pid: 901, comm: 'garbled', uid: 1001, rawStatus: 'Name:\tgarbled\nUid:\tnope\n', exe: '/tmp/.x/garbled' });
    tree.add({ pid: 902, comm: 'root', uid: 0 });
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    expect(s.processes.get(900)).toMatchObject({ uid: null, user: '?' });
    expect(s.processes.get(901)).toMatchObject({ uid: null, user: '?' });
    expect(s.processes.get(902)).toMatchObject({ uid: 0, user: 'root' });
  });

  it('detection neither calls it root nor an ordinary user', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 900, comm: 'kworker/0:7', uid: 1001, rawStatus: null, ppid: 1, exe: '/tmp/.x/kw', cmdline: ['kworker/0:7'] });
    const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    const findings = new Detector().assess(snap).get(900)?.findings ?? [];
    const text = findings.map((f) => f.explanation).join('\n');
    expect(findings.length).toBeGreaterThan(0); // a kernel-thread name with an executable in /tmp is still flagged
    expect(text).not.toMatch(/as user|by an ordinary user|runs as user \?/);
    expect(findings.some((f) => f.evidence.uid === 0)).toBe(false);
  });

  it('the response engine refuses to pin it rather than guess an owner', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 900, comm: 'nostatus', uid: 1001, rawStatus: null });
    const pinned = pinTarget(900, { procRoot: tree.proc, root: tree.root });
    expect(pinned).toHaveProperty('error');
    tree.add({ pid: 903, comm: 'ok', uid: 1001 });
    expect(pinTarget(903, { procRoot: tree.proc, root: tree.root })).toMatchObject({ pid: 903, uid: 1001, user: 'abc' });
  });
});
