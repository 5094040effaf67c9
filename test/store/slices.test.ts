// One describe per slice: view settings, panes, the signal dialog, host history, the status line.
import { describe, expect, it, vi } from 'vitest';
import { createAppStore, KILL_CHOICES, type AppStore } from '../../src/store/appStore';
import { HISTORY } from '../../src/store/hostSlice';
import { assess, incidentProcs, proc, snapshot } from '../helpers/snapshot';
import { fakePrep, fakeServices } from './fakeServices';

function loaded(opts: Parameters<typeof createAppStore>[0] = {}): AppStore {
  const store = createAppStore(opts);
  const s = snapshot(incidentProcs());
  store.getState().actions.ingest(s, assess(s));
  return store;
}

const stats = (cpu: number) => ({ cpuPercent: cpu, memUsed: 1, memTotal: 4, swapUsed: 0, swapTotal: 0, load: [0, 0, 0] as [number, number, number], uptimeSec: 5 });

describe('view slice', () => {
  it('cycles sorts with their natural direction and reverses', () => {
    const store = loaded({ mode: 'list', sort: 'name' });
    const a = store.getState().actions;
    a.cycleSort(); // name -> cpu
    expect(store.getState()).toMatchObject({ sort: 'cpu', descending: true });
    a.cycleSort(); a.cycleSort(); a.cycleSort(); // mem, score, pid
    expect(store.getState()).toMatchObject({ sort: 'pid', descending: false });
    a.reverseSort();
    expect(store.getState().descending).toBe(true);
    expect(store.getState().rows[0].pid).toBe(3002); // the biggest PID first
  });

  it('sorts a list by name and by user in localeCompare order (case, accents, digits), ties by PID', () => {
    const names = ['b', 'B', 'a10', 'a9', 'é', 'e', 'Z', '_x', 'kworker/0:1', 'kworker/0:10', 'b'];
    const procs = names.map((name, i) => proc({ pid: 100 + i, name, ppid: 1, user: name }));
    const byLocale = (key: 'name' | 'user') => [...procs].sort((x, y) => x[key].localeCompare(y[key]) || x.pid - y.pid).map((p) => p.pid);
    for (const sort of ['name', 'user'] as const) {
      const store = createAppStore({ mode: 'list', sort });
      const s = snapshot(procs);
      store.getState().actions.ingest(s, assess(s));
      expect(store.getState().rows.filter((r) => r.kind === 'proc').map((r) => r.pid), sort).toEqual(byLocale(sort));
    }
  });

  it('filter editing refreshes rows as it goes; Esc clears', () => {
    const store = loaded();
    const a = store.getState().actions;
    a.startFilter();
    expect(store.getState().editingFilter).toBe(true);
    a.typeFilter('v'); a.typeFilter('i'); a.typeFilter('m');
    expect(store.getState().rows.some((r) => r.pid === 3002)).toBe(false);
    a.backspaceFilter();
    expect(store.getState().filter).toBe('vi');
    a.clearFilter();
    expect(store.getState()).toMatchObject({ filter: '', editingFilter: false });
    expect(store.getState().rows.some((r) => r.pid === 3002)).toBe(true);
  });

  it('t switches tree and list; a PID-ordered tree becomes a list by concern', () => {
    const store = loaded({ sort: 'tree' });
    store.getState().actions.toggleMode();
    expect(store.getState()).toMatchObject({ mode: 'list', sort: 'score', descending: true });
    store.getState().actions.toggleMode();
    expect(store.getState().mode).toBe('tree');
  });

  it('changes the interval in steps and says so', () => {
    const store = loaded({ intervalMs: 1000 });
    store.getState().actions.changeInterval(1);
    expect(store.getState().intervalMs).toBe(2000);
    expect(store.getState().message).toBe('refresh every 2 s');
    for (let i = 0; i < 20; i++) store.getState().actions.changeInterval(-1);
    expect(store.getState().intervalMs).toBe(250);
  });
});

describe('pane slice', () => {
  it('opens the inspector with the services content wrapped to the width, and cancels on close', () => {
    const services = fakeServices();
    const store = loaded({ services });
    store.getState().actions.select(3002);
    store.getState().actions.openInspect();
    expect(store.getState().overlay).toBe('pane');
    expect(store.getState().pane).toMatchObject({ kind: 'inspect', pid: 3002, title: 'Inspect PID 3002', status: 'hashing…' });
    expect(store.getState().pane!.lines[0]).toMatchObject({ text: 'Identity', tone: 'heading' });
    store.getState().actions.closeOverlay();
    expect(services.calls).toContain('cancel 3002');
    expect(store.getState()).toMatchObject({ overlay: 'none', pane: null });
  });

  it('wraps long lines once, and scrolls within bounds', () => {
    const store = loaded({ services: fakeServices() });
    store.getState().actions.setViewport({ rows: 10, cols: 60, paneRows: 3 });
    store.getState().actions.openPersistence(true);
    const pane = store.getState().pane!;
    expect(pane.lines.length).toBeGreaterThan(3);
    expect(pane.lines.every((l) => l.indent + l.text.length <= 59)).toBe(true);
    store.getState().actions.scrollPane(1e9);
    expect(store.getState().pane!.scroll).toBe(pane.lines.length - 3);
    store.getState().actions.scrollPane(-1e9);
    expect(store.getState().pane!.scroll).toBe(0);
  });

  it('asks before disabling, does it only on yes, and reports the outcome', () => {
    const services = fakeServices();
    const store = loaded({ services });
    store.getState().actions.openPersistence(false);
    store.getState().actions.paneAskDisable();
    expect(store.getState().pane!.confirming?.entryId).toBe('e1');
    store.getState().actions.paneAnswer(false);
    expect(services.disablePersistence).not.toHaveBeenCalled();
    expect(store.getState().pane!.status).toBe('nothing was changed');
    store.getState().actions.paneAskDisable();
    store.getState().actions.paneAnswer(true);
    expect(services.disablePersistence).toHaveBeenCalledTimes(1);
    expect(store.getState().pane!.status).toBe('commented out · audit log: /tmp/a');
  });

  it('refuses to change anything read-only', () => {
    const services = fakeServices({ readonly: true });
    const store = loaded({ services });
    store.getState().actions.openPersistence(false);
    store.getState().actions.paneAskDisable();
    store.getState().actions.paneAnswer(true);
    expect(services.disablePersistence).not.toHaveBeenCalled();
    expect(store.getState().pane!.status).toMatch(/read-only/);
  });
});

describe('kill dialog slice', () => {
  it('opens on Cancel; Enter on Cancel closes without acting', () => {
    const services = fakeServices();
    const store = loaded({ services });
    store.getState().actions.select(3002);
    store.getState().actions.openKill();
    expect(store.getState().kill).toMatchObject({ pid: 3002, focus: 0, phase: 'choose', family: false });
    expect(KILL_CHOICES[0]).toBe('cancel');
    store.getState().actions.killConfirm();
    expect(store.getState().kill).toBeNull();
    expect(services.act).not.toHaveBeenCalled();
  });

  it('acts on the chosen signal with the family when asked, and ends in done with the outcome', async () => {
    const services = fakeServices();
    const store = loaded({ services });
    const a = store.getState().actions;
    a.select(3002);
    a.openKill();
    a.killMove(2);
    a.killToggleFamily();
    a.killConfirm();
    expect(store.getState().kill!.phase).toBe('working');
    a.closeOverlay(); // not while working
    expect(store.getState().kill).not.toBeNull();
    await vi.waitFor(() => expect(store.getState().kill!.phase).toBe('done'));
    expect(services.act).toHaveBeenCalledWith(expect.anything(), 'SIGKILL', true);
    expect(store.getState().kill!.result).toEqual([{ text: 'sent SIGKILL', status: 'ok' }]);
  });

  it('a refused target cannot be signalled, whatever is chosen', () => {
    const services = fakeServices({ prepareKill: vi.fn(() => fakePrep(0, { refusal: 'PID 1 (init) is never signalled' })) });
    const store = loaded({ services });
    store.getState().actions.openKill();
    store.getState().actions.killMove(2);
    store.getState().actions.killConfirm();
    expect(services.act).not.toHaveBeenCalled();
    expect(store.getState().kill!.error).toMatch(/PID 1/);
  });

  it('scrolls the member list within bounds', () => {
    const services = fakeServices({ prepareKill: vi.fn(() => fakePrep(40)) });
    const store = loaded({ services });
    store.getState().actions.openKill();
    store.getState().actions.killScrollMembers(100);
    const { paneRows } = store.getState();
    expect(store.getState().kill!.memberScroll).toBe(40 - (paneRows + 2 - 2 - 5 - 7 - 1 - 1));
    store.getState().actions.killScrollMembers(-100);
    expect(store.getState().kill!.memberScroll).toBe(0);
  });

  it('opened before the first full check, it is prepared again from the first assessed snapshot', () => {
    // the quick pass: nothing assessed, no family known
    const prepareKill = vi.fn()
      .mockReturnValueOnce(fakePrep(0, { info: { ...fakePrep().info, severity: null, score: null, findings: [] } }))
      .mockReturnValue(fakePrep(2));
    const store = createAppStore({ services: fakeServices({ prepareKill }) });
    const quick = { ...snapshot(incidentProcs()), partial: true as const };
    const a = store.getState().actions;
    a.ingest(quick, new Map());
    a.select(3002);
    a.openKill();
    a.killMove(2);
    expect(store.getState().kill).toMatchObject({ checking: true, focus: 2 });
    expect(store.getState().kill!.prep!.family).toHaveLength(1);
    // another partial snapshot changes nothing
    a.ingest(quick, new Map());
    expect(prepareKill).toHaveBeenCalledTimes(1);
    const full = snapshot(incidentProcs());
    a.ingest(full, assess(full));
    expect(prepareKill).toHaveBeenCalledTimes(2);
    expect(prepareKill).toHaveBeenLastCalledWith(3002, full, expect.anything());
    expect(store.getState().kill).toMatchObject({ checking: false, focus: 2, phase: 'choose' });
    expect(store.getState().kill!.prep!.family).toHaveLength(3);
    // and only once
    a.ingest(full, assess(full));
    expect(prepareKill).toHaveBeenCalledTimes(2);
  });

  it('whoever pages the family before the first full check keeps their place when it comes', () => {
    let fullFamily = 40; // what the full check finds; the quick pass sees 40 either way
    const prepareKill = vi.fn((_pid: number, snap: { partial?: boolean }) => fakePrep(snap.partial ? 40 : fullFamily));
    const store = createAppStore({ services: fakeServices({ prepareKill }) });
    const quick = { ...snapshot(incidentProcs()), partial: true as const };
    const a = store.getState().actions;
    a.ingest(quick, new Map());
    a.select(3002);
    a.openKill();
    a.killPage(1);
    a.killPage(1);
    const at = store.getState().kill!.memberScroll;
    expect(at).toBeGreaterThan(0);
    const full = snapshot(incidentProcs());
    a.ingest(full, assess(full));
    expect(prepareKill).toHaveBeenCalledTimes(2);
    expect(store.getState().kill).toMatchObject({ checking: false, memberScroll: at });
    expect(store.getState().kill!.prep!.family).toHaveLength(41);
    // a family that shrank brings the window back only as far as its last line
    fullFamily = 5;
    a.closeOverlay();
    a.ingest(quick, new Map());
    a.openKill();
    a.killPage(1);
    a.killPage(1);
    a.killPage(1);
    expect(store.getState().kill!.memberScroll).toBeGreaterThan(5);
    a.ingest(full, assess(full));
    expect(store.getState().kill).toMatchObject({ checking: false });
    expect(store.getState().kill!.memberScroll).toBe(0); // 6 members fit: nothing to scroll
  });

  it('read-only or without services: says so and opens nothing', () => {
    const store = loaded({ services: fakeServices({ readonly: true }) });
    store.getState().actions.openKill();
    expect(store.getState().kill).toBeNull();
    expect(store.getState().message).toMatch(/read-only/);
  });
});

describe('host slice', () => {
  it('keeps the last HISTORY samples of CPU and memory', () => {
    const store = createAppStore();
    for (let i = 0; i < HISTORY + 5; i++) store.getState().actions.setHostStats(stats(i));
    const s = store.getState();
    expect(s.cpuHistory).toHaveLength(HISTORY);
    expect(s.cpuHistory[HISTORY - 1]).toBe(HISTORY + 4);
    expect(s.memHistory[0]).toBe(25);
  });
});

describe('status slice', () => {
  it('a message expires by itself; a newer one is not cut short by the older timer', async () => {
    const store = createAppStore({ messageMs: 60 });
    store.getState().actions.say('first');
    await new Promise((r) => setTimeout(r, 40));
    store.getState().actions.say('second');
    await new Promise((r) => setTimeout(r, 40));
    expect(store.getState().message).toBe('second');
    await vi.waitFor(() => expect(store.getState().message).toBeNull(), { timeout: 1000 });
  });

  it('quit is a flag the app reads', () => {
    const store = createAppStore();
    store.getState().actions.requestQuit();
    expect(store.getState().quit).toBe(true);
  });
});
