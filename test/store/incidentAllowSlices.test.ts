// The incident view's slice (open, plan, untick, one confirmation, back), the record pane and the
// allow key's slice, on stores with fake engines: nothing here signals or edits anything.
import { describe, expect, it, vi } from 'vitest';
import { proposePlan, type ContainmentPlan } from '../../src/incident/containment';
import { buildIncident } from '../../src/incident/incident';
import type { IncidentService } from '../../src/incident/service';
import { correlate } from '../../src/scan/correlate';
import { createAppStore, type AllowService, type AppStore } from '../../src/store/appStore';
import { line } from '../../src/text/content';
import { assess, incidentProcs, snapshot } from '../helpers/snapshot';

function loaded(opts: Parameters<typeof createAppStore>[0] = {}): AppStore {
  const store = createAppStore(opts);
  const s = snapshot(incidentProcs());
  store.getState().actions.ingest(s, assess(s));
  return store;
}

/** An incident service on the real incident model whose run waits until the test lets it finish. */
function fakeIncidents(readOnly: string | null = null) {
  const runs: ContainmentPlan[] = [];
  let finish: (() => void) | null = null;
  const svc: IncidentService = {
    readOnly,
    open: (pid, snap, assessments) => {
      const inc = buildIncident(pid, { snapshot: snap, assessments, correlation: correlate([], snap.processes.values(), assessments) }, { selfPid: 99999, ancestorPids: [] });
      return 'error' in inc ? inc : { incident: inc, plan: proposePlan(inc, { readOnly }) };
    },
    run: (plan, _inc, update) => new Promise((resolve) => {
      runs.push(plan);
      const running: ContainmentPlan = { ...plan, phase: 'running' };
      update(running);
      finish = () => { const done: ContainmentPlan = { ...plan, phase: 'done' }; update(done); resolve(done); };
    }),
  };
  return { svc, runs, finish: () => finish?.() };
}

describe('incident slice', () => {
  it('opens around the selected process, proposes the plan, unticks, goes back and closes', () => {
    const { svc } = fakeIncidents();
    const store = loaded({ incident: svc });
    const a = store.getState().actions;
    a.select(3002);
    a.openIncident();
    expect(store.getState().overlay).toBe('incident');
    expect(store.getState().incident).toMatchObject({ pid: 3002, mode: 'incident', error: null });
    expect(store.getState().incident!.incident!.members.map((m) => m.pid)).toEqual([3002, 3001]);
    a.incidentContain();
    expect(store.getState().incident!.mode).toBe('plan');
    a.incidentMove(1);
    a.incidentToggle(); // untick step 2 (evidence)
    expect(store.getState().incident!.plan!.steps.map((s) => s.enabled)).toEqual([true, false, true, true]);
    a.incidentMove(99);
    expect(store.getState().incident!.focus).toBe(3); // stops at the last step
    a.incidentBack(); // plan -> incident
    expect(store.getState().incident!.mode).toBe('incident');
    a.incidentBack(); // incident -> closed
    expect(store.getState()).toMatchObject({ overlay: 'none', incident: null });
  });

  it('runs once on y; the overlay stays until the plan has finished; every step unticked runs nothing', async () => {
    const { svc, runs, finish } = fakeIncidents();
    const store = loaded({ incident: svc });
    const a = store.getState().actions;
    a.select(3002);
    a.openIncident();
    a.incidentConfirm(); // not in the plan view yet: nothing
    expect(runs).toHaveLength(0);
    a.incidentContain();
    a.incidentConfirm();
    a.incidentConfirm(); // a second y while it runs
    expect(runs).toHaveLength(1);
    expect(store.getState().incident!.plan!.phase).toBe('running');
    a.closeOverlay();
    a.incidentBack();
    expect(store.getState().overlay).toBe('incident'); // Esc cannot leave a running plan behind
    finish();
    await vi.waitFor(() => expect(store.getState().incident!.plan!.phase).toBe('done'));
    a.incidentConfirm(); // a finished plan does not run again
    expect(runs).toHaveLength(1);
    a.closeOverlay();
    expect(store.getState().overlay).toBe('none');

    a.openIncident();
    a.incidentContain();
    for (let i = 0; i < 4; i++) { a.incidentMove(i === 0 ? 0 : 1); a.incidentToggle(); }
    a.incidentConfirm();
    expect(runs).toHaveLength(1);
    expect(store.getState().message).toBe('every step is unticked: nothing to run');
  });

  it('without an engine, or on a process that is gone, says so', () => {
    const store = loaded();
    store.getState().actions.openIncident();
    expect(store.getState().overlay).toBe('none');
    expect(store.getState().message).toBe('the incident view is not available here');
    const { svc } = fakeIncidents();
    const other = loaded({ incident: { ...svc, open: () => ({ error: 'process 3002 is gone' }) } });
    other.getState().actions.openIncident();
    expect(other.getState().incident).toMatchObject({ error: 'process 3002 is gone', plan: null });
  });
});

describe('record pane', () => {
  it('E opens this run\'s record as a pane of typed lines, read anew each time; a failed read is said', () => {
    let reads = 0;
    const store = loaded({ record: () => { reads++; return { title: 'Incident record', lines: [line(`read ${reads}`, { tone: 'heading' })] }; } });
    store.getState().actions.openRecord();
    expect(store.getState().overlay).toBe('pane');
    expect(store.getState().pane).toMatchObject({ kind: 'record', title: 'Incident record', lines: [{ text: 'read 1', tone: 'heading' }] });
    store.getState().actions.openRecord();
    expect(store.getState().pane!.lines[0].text).toBe('read 2');
    const broken = loaded({ record: () => { throw new Error('audit.jsonl is a symlink'); } });
    broken.getState().actions.openRecord();
    expect(broken.getState().overlay).toBe('none');
    expect(broken.getState().message).toBe('the incident record could not be read: audit.jsonl is a symlink');
  });
});

describe('allow slice', () => {
  const ask = { pid: 3002, startTicks: 100, name: 'rcu-sched', path: '/home/abc/.x/rcu-sched', sha256: 'ab'.repeat(32) };
  function allow(over: Partial<AllowService> = {}) {
    const confirmed: number[] = [];
    const service: AllowService = { readonly: false, prepare: async () => ask, confirm: (x) => { confirmed.push(x.pid); return `marked ${x.pid}`; }, ...over };
    return { service, confirmed };
  }

  it('asks after hashing; only y marks; the question is pending until answered', async () => {
    const { service, confirmed } = allow();
    const store = loaded({ allow: service });
    const a = store.getState().actions;
    a.select(3002);
    a.allowSelected();
    await vi.waitFor(() => expect(store.getState().allowAsk).toEqual(ask));
    a.allowAnswer(false);
    expect(store.getState().allowAsk).toBeNull();
    expect(store.getState().message).toBe('nothing was marked');
    a.allowSelected();
    await vi.waitFor(() => expect(store.getState().allowAsk).not.toBeNull());
    a.allowAnswer(true);
    expect(confirmed).toEqual([3002]);
    expect(store.getState().message).toBe('marked 3002');
  });

  it('read-only, a hashing error, an unwritable audit log and an already known-good process mark nothing', async () => {
    const ro = loaded({ allow: allow({ readonly: true }).service });
    ro.getState().actions.allowSelected();
    expect(ro.getState().message).toMatch(/read-only mode .*\/etc\/minewatch\/allow/);

    const failing = loaded({ allow: allow({ prepare: async () => ({ error: 'PID 3002 runs from memory (memfd)' }) }).service });
    failing.getState().actions.select(3002);
    failing.getState().actions.allowSelected();
    await vi.waitFor(() => expect(failing.getState().message).toBe('PID 3002 runs from memory (memfd)'));
    expect(failing.getState().allowAsk).toBeNull();

    const noAudit = loaded({ allow: allow({ confirm: () => { throw new Error('audit.jsonl is a symlink'); } }).service });
    noAudit.getState().actions.select(3002);
    noAudit.getState().actions.allowSelected();
    await vi.waitFor(() => expect(noAudit.getState().allowAsk).not.toBeNull());
    noAudit.getState().actions.allowAnswer(true);
    expect(noAudit.getState().message).toMatch(/^nothing was marked: the audit log could not be written/);

    const { service, confirmed } = allow();
    const known = loaded({ allow: service });
    known.getState().actions.setKnownGood(new Map([[3002, { pid: 3002, why: 'allow-listed', entry: null, setAside: null } as never]]));
    known.getState().actions.select(3002);
    known.getState().actions.allowSelected();
    expect(known.getState().message).toMatch(/^PID 3002 is already known-good/);
    expect(confirmed).toEqual([]);
  });
});
