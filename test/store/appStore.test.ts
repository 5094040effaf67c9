import { describe, expect, it } from 'vitest';
import { createAppStore } from '../../src/store/appStore';
import { assess, incidentProcs, proc, snapshot } from '../helpers/snapshot';

function ingest(store: ReturnType<typeof createAppStore>, procs = incidentProcs()) {
  const s = snapshot(procs);
  store.getState().actions.ingest(s, assess(s));
}

describe('store', () => {
  it('keeps the same rows when a tick changes nothing structural, and rebuilds them when it does', () => {
    const store = createAppStore({ sort: 'tree' });
    ingest(store);
    const rows = store.getState().rows;
    ingest(store, incidentProcs().map((p) => ({ ...p, cpuPercent: p.cpuPercent + 1 }))); // only values moved
    expect(store.getState().rows).toBe(rows);
    ingest(store, [...incidentProcs(), proc({ pid: 7000, name: 'new', ppid: 1 })]);
    expect(store.getState().rows).not.toBe(rows);
    expect(store.getState().rows.some((r) => r.pid === 7000)).toBe(true);
  });

  it('rebuilds rows in list mode, where values order them', () => {
    const store = createAppStore({ mode: 'list', sort: 'cpu' });
    ingest(store);
    const rows = store.getState().rows;
    ingest(store, incidentProcs().map((p) => (p.pid === 412 ? { ...p, cpuPercent: 500 } : p)));
    expect(store.getState().rows).not.toBe(rows);
    expect(store.getState().rows[0].pid).toBe(412);
  });

  it('takes host figures in the same write as the processes (one render per tick)', () => {
    const store = createAppStore();
    let writes = 0;
    store.subscribe(() => { writes++; });
    const s = snapshot(incidentProcs());
    store.getState().actions.ingest(s, assess(s), { cpuPercent: 12, memUsed: 1, memTotal: 2, swapUsed: 0, swapTotal: 0, load: [0, 0, 0], uptimeSec: 5 });
    expect(writes).toBe(1);
    expect(store.getState().hostStats?.cpuPercent).toBe(12);
    expect(store.getState().cpuHistory).toEqual([12]);
  });
});
