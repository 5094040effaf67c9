// Rows and selection: the cursor opens on the worst flagged process with its launcher in view, n/N walk
// flagged processes worst first, the cursor follows a process (not a row), a filter lands on a match.
import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../src/store/appStore';
import { rowsUnchanged } from '../../src/store/rowsSlice';
import { flaggedOrder, flaggedOutside } from '../../src/view/tree';
import { assess, incidentProcs, proc, snapshot } from '../helpers/snapshot';
import type { ProcessInfo } from '../../src/model';

function storeWith(procs: ProcessInfo[], opts: Parameters<typeof createAppStore>[0] = {}) {
  const store = createAppStore(opts);
  store.getState().actions.setViewport({ rows: 8 });
  const s = snapshot(procs);
  const a = assess(s);
  store.getState().actions.ingest(s, a);
  return { store, a };
}

/** Many quiet processes under PID 1 before the incident, so the threat is not on the first screen by PID. */
function busyHost(): ProcessInfo[] {
  const quiet = Array.from({ length: 60 }, (_, i) => proc({ pid: 100 + i, name: `worker${i}`, ppid: 1, cpuPercent: i % 7 }));
  return [...incidentProcs(), ...quiet];
}

const procPids = (store: ReturnType<typeof createAppStore>) => store.getState().rows.filter((r) => r.kind === 'proc').map((r) => r.pid);

describe('rows slice', () => {
  it('opens on the worst flagged process, scrolled so its launcher shows above it', () => {
    const { store, a } = storeWith(busyHost());
    const s = store.getState();
    const worst = [...a.values()].sort((x, y) => y.score - x.score)[0].pid;
    expect(s.selectedPid).toBe(worst);
    const launcher = s.snapshot!.processes.get(worst)!.ppid;
    const top = s.scrollTop;
    const visible = s.rows.slice(top, top + s.viewportRows).map((r) => r.pid);
    expect(visible).toContain(worst);
    expect(visible).toContain(launcher);
  });

  it('the default sort puts flagged subtrees first (by concern, then CPU), and t keeps a tree', () => {
    const { store } = storeWith(busyHost());
    const pids = procPids(store);
    expect(pids.slice(0, 3)).toEqual([1, 3001, 3002]); // init, then the flagged launcher and its miner
    expect(store.getState().mode).toBe('tree');
    store.getState().actions.toggleMode();
    expect(store.getState().mode).toBe('list');
    expect(procPids(store).slice(0, 2).sort()).toEqual([3001, 3002]);
  });

  it('keeps the rows of a tick whose changed values leave every row in place, and re-sorts when one moves', () => {
    const { store } = storeWith(busyHost());
    const before = store.getState().rows;
    const forest = store.getState().forest;
    const order = procPids(store);
    // worker6 (cpu 6) goes to 6.5: still between its neighbours by CPU; the rows are the same objects
    const nudged = snapshot(busyHost().map((p) => (p.pid === 106 ? { ...p, cpuPercent: 6.5 } : p)));
    store.getState().actions.ingest(nudged, assess(nudged));
    expect(store.getState().rows).toBe(before);
    expect(store.getState().forest).toBe(forest); // nothing was rebuilt
    expect(store.getState().snapshot).toBe(nudged);
    // worker0 (cpu 0) starts burning: it moves up among PID 1's children
    const busy = snapshot(busyHost().map((p) => (p.pid === 100 ? { ...p, cpuPercent: 90 } : p)));
    store.getState().actions.ingest(busy, assess(busy));
    const after = procPids(store);
    expect(after).not.toEqual(order);
    expect(after.indexOf(100)).toBeLessThan(after.indexOf(106));
    expect(order.indexOf(100)).toBeGreaterThan(order.indexOf(106));
  });

  it('in a list sorted by memory, keeps the rows while the order holds and re-sorts when it does not', () => {
    const { store } = storeWith(busyHost().map((p) => ({ ...p, rssBytes: p.pid * 1000 })), { mode: 'list', sort: 'mem' });
    const before = store.getState().rows;
    const forest = store.getState().forest;
    const first = procPids(store)[0];
    const same = snapshot(busyHost().map((p) => ({ ...p, rssBytes: p.pid * 1000 + (p.pid === 130 ? 1 : 0) })));
    store.getState().actions.ingest(same, assess(same));
    expect(store.getState().rows).toBe(before);
    expect(store.getState().forest).toBe(forest);
    const grown = snapshot(busyHost().map((p) => ({ ...p, rssBytes: p.pid === 101 ? 1e12 : p.pid * 1000 })));
    store.getState().actions.ingest(grown, assess(grown));
    expect(store.getState().rows).not.toBe(before);
    expect(first).not.toBe(101);
    expect(procPids(store).slice(0, 2)).toEqual([101, first]); // biggest first; the old top is now second
  });

  it('in a tree sorted by CPU, compares a changed process with its drawn siblings, not with the rows between them', () => {
    // 20 and 30 are siblings under 10; 20's children are drawn between them
    const host = (cpu30: number, cpu22 = 0) => [
      proc({ pid: 1, name: 'init', ppid: 0 }),
      proc({ pid: 10, name: 'svc', ppid: 1, cpuPercent: 1 }),
      proc({ pid: 20, name: 'a', ppid: 10, cpuPercent: 5 }),
      proc({ pid: 21, name: 'a1', ppid: 20, cpuPercent: 9 }),
      proc({ pid: 22, name: 'a2', ppid: 20, cpuPercent: cpu22 }),
      proc({ pid: 30, name: 'b', ppid: 10, cpuPercent: cpu30 }),
    ];
    const { store } = storeWith(host(3), { mode: 'tree', sort: 'cpu' });
    const before = store.getState().rows;
    expect(procPids(store)).toEqual([1, 10, 20, 21, 22, 30]);
    const still = snapshot(host(4, 2)); // 30 stays below 20; 22 stays below 21
    expect(rowsUnchanged(store.getState(), still, assess(still))).toBe(true);
    store.getState().actions.ingest(still, assess(still));
    expect(store.getState().rows).toBe(before);
    const passes = snapshot(host(6)); // 30 now outruns its sibling 20, three rows above it
    expect(rowsUnchanged(store.getState(), passes, assess(passes))).toBe(false);
    store.getState().actions.ingest(passes, assess(passes));
    expect(store.getState().rows).not.toBe(before);
    expect(procPids(store)).toEqual([1, 10, 30, 20, 21, 22]);
  });

  it('keeps the cursor where the user put it once they moved', () => {
    const { store } = storeWith(busyHost());
    store.getState().actions.moveTo('last');
    const chosen = store.getState().selectedPid;
    const s = snapshot(busyHost().map((p) => (p.pid === 3002 ? { ...p, cpuPercent: 400 } : p)));
    store.getState().actions.ingest(s, assess(s));
    expect(store.getState().selectedPid).toBe(chosen);
  });

  it('n and N walk flagged processes worst first, wrapping, and say when they wrap', () => {
    const procs = [...busyHost(), proc({ pid: 5000, name: 'kworker/0:1', ppid: 1, uid: 1001, user: 'abc', exe: '/tmp/kw', cmdline: ['/tmp/kw'] })];
    const { store, a } = storeWith(procs, { messageMs: 50 });
    const order = [...a.values()].sort((x, y) => y.score - x.score || x.pid - y.pid).map((x) => x.pid);
    expect(order.length).toBeGreaterThanOrEqual(3);
    expect(store.getState().selectedPid).toBe(order[0]);
    for (const expected of order.slice(1)) {
      store.getState().actions.jumpFlagged(1);
      expect(store.getState().selectedPid).toBe(expected);
    }
    store.getState().actions.jumpFlagged(1);
    expect(store.getState().selectedPid).toBe(order[0]);
    expect(store.getState().message).toMatch(/back to the worst/);
    store.getState().actions.jumpFlagged(-1);
    expect(store.getState().selectedPid).toBe(order[order.length - 1]);
  });

  it('n on the only flagged process in view says so, and the cursor then stays where it is', () => {
    const procs = [...busyHost(), proc({ pid: 5000, name: 'kworker/0:1', ppid: 1, uid: 1001, user: 'abc', exe: '/tmp/kw', cmdline: ['/tmp/kw'] })];
    const { store } = storeWith(procs, { messageMs: 50 });
    store.getState().actions.typeFilter('5000');
    const flagged = flaggedOrder(store.getState().rows, store.getState().snapshot!.processes, store.getState().assessments);
    expect(flagged).toEqual([5000]);
    expect(store.getState().selectedPid).toBe(5000);
    expect(store.getState().onThreat).toBe(true);
    store.getState().actions.jumpFlagged(1);
    expect(store.getState().selectedPid).toBe(5000);
    expect(store.getState().message).toMatch(/only flagged process in view/);
    expect(store.getState().onThreat).toBe(false);
  });

  it('counts flagged rows above and below the viewport', () => {
    const later = Array.from({ length: 30 }, (_, i) => proc({ pid: 6000 + i, name: `late${i}`, ppid: 1 }));
    const { store } = storeWith([...busyHost(), ...later], { sort: 'tree' });
    const at = () => { const s = store.getState(); return flaggedOutside(s.flaggedRows, s.scrollTop, s.viewportRows); };
    expect(store.getState().flaggedRows.length).toBe(2);
    store.getState().actions.moveTo('first');
    expect(at()).toEqual({ above: 0, below: 2 });
    store.getState().actions.select(3002);
    expect(at()).toEqual({ above: 0, below: 0 });
    store.getState().actions.moveTo('last');
    expect(at()).toEqual({ above: 2, below: 0 });
  });

  it('a filter puts the cursor on a match, not on a context row', () => {
    const { store } = storeWith(incidentProcs(), { sort: 'tree' });
    store.getState().actions.moveTo('first'); // on PID 1, which the filter keeps as context
    store.getState().actions.startFilter();
    store.getState().actions.typeFilter('vim');
    const rows = store.getState().rows;
    expect(rows.find((r) => r.pid === 1 && r.kind === 'proc')).toMatchObject({ context: true });
    expect(store.getState().selectedPid).toBe(412);
  });

  it('follows a process that moves, and stands on a neighbour when it exits', () => {
    const { store } = storeWith(incidentProcs(), { sort: 'tree' });
    store.getState().actions.select(412);
    const s1 = snapshot([...incidentProcs(), proc({ pid: 20, name: 'early', ppid: 1 })]);
    store.getState().actions.ingest(s1, assess(s1));
    expect(store.getState().selectedPid).toBe(412);
    const s2 = snapshot(incidentProcs().filter((p) => p.pid !== 412));
    store.getState().actions.ingest(s2, assess(s2));
    expect(store.getState().exitedPid).toBe(412);
    expect(store.getState().selectedPid).not.toBe(412);
  });

  it('reuses unchanged row objects when a tick reorders nothing it shows', () => {
    const { store } = storeWith(busyHost());
    const before = store.getState().rows;
    const s = snapshot(busyHost().map((p) => ({ ...p })));
    store.getState().actions.ingest(s, assess(s));
    const after = store.getState().rows;
    expect(after[0]).toBe(before[0]);
  });

  it('freezes: ticks land in `live`, the shown rows stay until unfrozen', () => {
    const { store } = storeWith(incidentProcs());
    store.getState().actions.toggleFreeze();
    const s = snapshot([...incidentProcs(), proc({ pid: 7000, name: 'late', ppid: 1 })]);
    store.getState().actions.ingest(s, assess(s));
    expect(procPids(store)).not.toContain(7000);
    expect(store.getState().live!.snapshot.processes.has(7000)).toBe(true);
    store.getState().actions.toggleFreeze();
    expect(procPids(store)).toContain(7000);
  });
});

describe('rows slice: filters and flagged context', () => {
  it('n reaches a flagged ancestor kept as filter context, and a tick leaves the cursor there', () => {
    const { store } = storeWith(incidentProcs(), { sort: 'tree' });
    store.getState().actions.typeFilter('3002'); // only the miner matches; its launcher 3001 is context
    expect(store.getState().selectedPid).toBe(3002);
    store.getState().actions.jumpFlagged(1);
    expect(store.getState().selectedPid).toBe(3001);
    const s = snapshot(incidentProcs().map((p) => ({ ...p, cpuPercent: p.cpuPercent + 1 })));
    store.getState().actions.ingest(s, assess(s));
    expect(store.getState().selectedPid).toBe(3001);
  });
});
