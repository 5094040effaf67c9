// The poller's first frame: a quick pass (stat only) for the tree, then the command line and owner of
// the rows that frame shows, before anything is rendered.
import { afterEach, describe, expect, it } from 'vitest';
import { Poller } from '../../src/app/poller';
import { hostKnowledge } from '../../src/host/knowledge';
import { ProcTree } from '../../src/procfs/fake';
import { createAppStore } from '../../src/store/appStore';
import { turnsWhile } from '../helpers/turns';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('Poller.primeQuick', () => {
  it('names the rows the first frame shows and leaves the rest to the full sample', () => {
    tree = new ProcTree().withBaseSystem();
    for (let i = 0; i < 40; i++) tree.add({ pid: 1000 + i, comm: `w${i}`, ppid: 1, uid: 1001, cmdline: [`./w${i}`, '--n', String(i)], startTicks: 100 + i });
    const store = createAppStore();
    const poller = new Poller(store, { procRoot: tree.proc, root: tree.root, gpu: false });
    poller.primeQuick(10);
    const s = store.getState();
    expect(s.snapshot?.partial).toBe(true);
    expect(s.snapshot?.processes.size).toBeGreaterThan(40);
    const shown = s.rows.slice(s.scrollTop, s.scrollTop + Math.max(10, s.viewportRows)).map((r) => r.pid);
    const named = shown.filter((pid) => (s.snapshot!.processes.get(pid)?.cmdline.length ?? 0) > 0);
    expect(named.length).toBeGreaterThan(5);
    for (const pid of shown) {
      const p = s.snapshot!.processes.get(pid)!;
      if (!p.kernelThread && pid >= 1000) expect(p).toMatchObject({ cmdline: [`./w${pid - 1000}`, '--n', String(pid - 1000)], uid: 1001 });
    }
    // the last worker is far below the first screen: its command line waits for the full sample
    expect(shown).not.toContain(1039);
    expect(s.snapshot!.processes.get(1039)).toMatchObject({ cmdline: [], uid: null });
    poller.stop();
  });

  it('reads the rest on the next tick in slices, with turns of the event loop between them', async () => {
    tree = new ProcTree().withBaseSystem();
    for (let i = 0; i < 600; i++) tree.add({ pid: 1000 + i, comm: `w${i}`, ppid: 1, uid: 1001, cmdline: [`./w${i}`, '--n', String(i)], startTicks: 100 + i });
    const store = createAppStore();
    const poller = new Poller(store, { procRoot: tree.proc, root: tree.root, gpu: false });
    poller.primeQuick(10);
    const unread = poller.identitiesLeft;
    expect(unread).toBeGreaterThan(590);
    // what a key handler would see between slices: some read, some not yet
    const seen: number[] = [];
    let done = false;
    const tick = poller.tick().finally(() => { done = true; });
    while (!done) {
      seen.push(poller.identitiesLeft);
      await new Promise((r) => setImmediate(r));
    }
    await tick;
    expect(seen.some((n) => n > 0 && n < unread)).toBe(true);
    expect(poller.identitiesLeft).toBe(0);
    const s = store.getState();
    expect(s.snapshot?.partial).toBeFalsy();
    expect(s.snapshot!.processes.get(1599)).toMatchObject({ cmdline: ['./w599', '--n', '599'], uid: 1001 });
    poller.stop();
  });
});

describe('Poller.tick on a large table', () => {
  it('hands the event loop turns during a full sample (keys are answered while thousands of processes are read)', async () => {
    tree = new ProcTree().withBaseSystem();
    for (let i = 0; i < 300; i++) tree.add({ pid: 2000 + i, comm: `s${i}`, ppid: 1, uid: 1001, cmdline: ['sleep', '60'], startTicks: 100 + i });
    const store = createAppStore();
    const poller = new Poller(store, { procRoot: tree.proc, root: tree.root, gpu: false, sampleSliceMs: 0 });
    poller.primeQuick(10);
    await poller.tick(); // the identities the quick pass left, then the first full sample
    // the second full sample: no identity left to read, so every turn it hands out is the sample's
    const turns = await turnsWhile(poller.tick());
    // a turn after every process read (the host figures' reads add a few)
    expect(turns).toBeGreaterThan(300);
    expect(store.getState().snapshot!.processes.get(2299)).toMatchObject({ name: 's299', cmdline: ['sleep', '60'] });
    poller.stop();
  });
});

describe('Poller warnings', () => {
  it('says in the header when the package database could not be read (ownership then unknown)', async () => {
    tree = new ProcTree().withBaseSystem().file('var/lib/rpm/Packages', Buffer.alloc(4096));
    const store = createAppStore();
    const knowledge = hostKnowledge(tree.root, { lazy: true });
    await knowledge.packages.loadAsync();
    const poller = new Poller(store, { procRoot: tree.proc, root: tree.root, gpu: false, knowledge, quickFirstFrame: false });
    await poller.tick();
    expect(store.getState().snapshot!.warnings).toContainEqual(expect.stringMatching(/^package ownership unknown: rpm database not readable \(.*not a Berkeley DB hash database\)$/));
    poller.stop();
  });
});
