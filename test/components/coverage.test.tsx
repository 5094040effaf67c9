// Honest views: a process whose rules could not all run (executable unreadable, vanished, owner
// unknown) is marked and counted, instead of looking exactly like a clean one.
import { afterEach, describe, expect, it } from 'vitest';
import { countUnchecked, uncheckedReason } from '../../src/view/coverage';
import { assess, incidentProcs, proc, snapshot } from '../helpers/snapshot';
import { renderApp, rowOf, tick } from './render';

let app: ReturnType<typeof renderApp> | null = null;
afterEach(() => { app?.ui.unmount(); app = null; });

const hidden = () => [
  proc({ pid: 700, name: 'secretd', ppid: 1, uid: 1003, user: 'eve', exe: null, exeError: 'EACCES' }),
  proc({ pid: 701, name: 'gone', ppid: 1, exe: null, exeError: 'ENOENT' }),
  proc({ pid: 702, name: 'whose', ppid: 1, uid: null, user: '?' }),
];

describe('processes detection could not fully check', () => {
  it('says why, per process, and counts them; kernel threads are not counted', () => {
    const [a, b, c] = hidden();
    expect(uncheckedReason(a, false)).toMatch(/unreadable \(not root\)/);
    expect(uncheckedReason(a, true)).toMatch(/even to root/);
    expect(uncheckedReason(b, true)).toMatch(/vanished/);
    expect(uncheckedReason(c, true)).toMatch(/owner is unknown/);
    const all = new Map([...incidentProcs(), ...hidden()].map((p) => [p.pid, p]));
    expect(countUnchecked(all, true)).toBe(3);
  });

  it('marks them with ? in the table, counts them in the header and explains in the detail panel', async () => {
    app = renderApp([...incidentProcs(), ...hidden()], { sort: 'tree', rows: 40, cols: 120 });
    await tick();
    const f = app.frame();
    expect(rowOf(f, 702)).toMatch(/^\?/); // unflagged but not fully checked
    expect(rowOf(f, 701)).toMatch(/^\?/);
    expect(rowOf(f, 412)).toMatch(/^ /); // readable and clean: no mark
    expect(f).toMatch(/flagged: .*· \?3 not fully checked/);
    app.store.getState().actions.select(700);
    await tick();
    expect(app.frame()).toMatch(/\? not fully checked: its executable is unreadable even to root; the rules that need it could not run/);
  });
});

describe('the first frame, from the quick pass', () => {
  it('says "checking…" instead of counting flagged processes, then counts them once assessed', async () => {
    app = renderApp([], { rows: 30, cols: 120 });
    const procs = incidentProcs();
    app.store.getState().actions.ingest(snapshot(procs, { partial: true }), new Map());
    await tick();
    expect(app.frame()).toMatch(/\d+ processes · checking…/);
    expect(app.frame()).not.toMatch(/flagged:/);
    const full = snapshot(procs);
    app.store.getState().actions.ingest(full, assess(full));
    await tick();
    expect(app.frame()).toMatch(/\d+ processes · flagged: ‼[1-9]\d* critical/);
    expect(app.frame()).not.toMatch(/checking…/);
  });
});
