// Host knowledge re-reads /etc/passwd every minute; an unchanged file must not look like a change, or
// detection drops every cached verdict and judges the whole table again each minute.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/index';
import { hostKnowledge } from '../../src/host/knowledge';
import { FIXTURE_PASSWD, ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('host knowledge: accounts', () => {
  it('hands back the same table when a re-read finds /etc/passwd unchanged, a new one when it changed', () => {
    tree = new ProcTree();
    let now = 1_000_000;
    const k = hostKnowledge(tree.root, { now: () => now });
    const first = k.accounts();
    expect(first.get(1001)?.home).toBe('/home/abc');
    now += 61_000;
    expect(k.accounts()).toBe(first);
    writeFileSync(join(tree.root, 'etc/passwd'), FIXTURE_PASSWD.replace('/home/abc:/bin/bash', '/srv/abc:/bin/bash'));
    now += 61_000;
    const changed = k.accounts();
    expect(changed).not.toBe(first);
    expect(changed.get(1001)?.home).toBe('/srv/abc');
  });

  it('lets detection keep its cached verdicts across the minute\'s re-read', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 700, comm: 'rcu-sched', ppid: 1, uid: 1001, cmdline: ['./rcu-sched'], exe: '/tmp/.x/rcu-sched', cwd: '/tmp/.x' });
    let now = 1_000_000;
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root, now: () => now });
    const detector = new Detector(hostKnowledge(tree.root, { now: () => now }));
    detector.assess(reader.sample()); // the first judgement also builds the package index (a new generation)
    now += 1000;
    const before = detector.assess(reader.sample()).get(700);
    expect(before).toBeDefined();
    now += 61_000;
    // same process object (nothing changed), same accounts: the cached verdict, not a new judgement
    expect(detector.assess(reader.sample()).get(700)).toBe(before);
  });
});
