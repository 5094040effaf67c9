// Detection in slices (the dashboard's, with turns of the event loop between them) reaches the verdicts
// of detection in one go, and judges afresh only what changed.
import { afterEach, describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/index';
import { POOL_PORTS, STRONG_POOL_PORTS } from '../../src/detect/poolPorts';
import { hostKnowledge } from '../../src/host/knowledge';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('Detector.assessSliced', () => {
  it('gives the verdicts of assess(), with a turn after each process judged afresh', async () => {
    tree = new ProcTree().withBaseSystem();
    // the incident: a downloader named sshd and a miner posing as [rcu_sched], launched from ./ by an ordinary user
    const miner = { pid: 4242, comm: 'rcu-sched', ppid: 1, uid: 1001, cmdline: ['./rcu-sched', '-o', 'pool.example:3333'], exe: '/home/abc/.cache/rcu-sched', cwd: '/home/abc/.cache', utime: 0 };
    tree.add({ pid: 4241, comm: 'sshd', ppid: 1, uid: 1001, cmdline: ['./sshd'], exe: '/home/abc/.cache/sshd', cwd: '/home/abc/.cache' });
    tree.add(miner);
    for (let i = 0; i < 120; i++) tree.add({ pid: 5000 + i, comm: 'sleep', ppid: 1, uid: 1001, cmdline: ['sleep', '60'], exe: '/usr/bin/sleep' });
    let now = 1_700_000_500_000;
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, now: () => now });
    reader.sample();
    tree.setCpu(miner, 2 * reader.clockTicks); // two cores' worth over the second
    now += 1000;
    const snapshot = reader.sample();
    // (the package index lazy and never loaded, as in the dashboard's first ticks: it stays the same)
    const whole = new Detector(hostKnowledge(tree.root, { lazy: true })).assess(snapshot);
    const detector = new Detector(hostKnowledge(tree.root, { lazy: true }));
    let turns = 0;
    const turn = () => { turns++; return new Promise<void>((r) => setImmediate(r)); };
    const sliced = await detector.assessSliced(snapshot, undefined, turn, 0);
    expect([...sliced.entries()]).toEqual([...whole.entries()]);
    expect(sliced.get(4242)?.severity).toMatch(/high|critical/);
    expect(sliced.get(4241)?.findings.map((f) => f.id)).toContain('H02');
    expect(turns).toBeGreaterThanOrEqual(snapshot.processes.size);
    // the same snapshot again: the idle processes keep their cached verdicts (no turn for them); the
    // miner, above the CPU that rules look at, is judged afresh
    turns = 0;
    const again = await detector.assessSliced(snapshot, undefined, turn, 0);
    expect([...again.entries()]).toEqual([...whole.entries()]);
    expect(turns).toBeGreaterThan(0);
    expect(turns).toBeLessThan(5);
  });
});
