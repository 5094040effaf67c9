// The incident view and its containment plan, driven by keys, on an engine with a fake executor:
// nothing here signals or edits anything.
import { describe, expect, it, vi } from 'vitest';
import { proposePlan, type ContainmentPlan, type PlanStep } from '../../src/incident/containment';
import { buildIncident } from '../../src/incident/incident';
import type { IncidentService } from '../../src/incident/service';
import type { PersistenceEntry } from '../../src/persistence/types';
import { correlate } from '../../src/scan/correlate';
import { incidentProcs } from '../helpers/snapshot';
import { KEY, renderApp } from './render';

const entry: PersistenceEntry = {
  id: 'cron:2', kind: 'user-crontab', path: '/var/spool/cron/crontabs/abc', line: 2, runsAs: 'abc', schedule: '* * * * *',
  command: 'cd /home/abc/.x && ./sshd', raw: '* * * * * cd /home/abc/.x && ./sshd >/dev/null 2>&1', file: null, recentlyChanged: false,
  score: 6, severity: 'high', findings: [{ id: 'C1', weight: 6, severity: 'high', title: 'Runs a program from a temporary or hidden directory', explanation: '/home/abc/.x is hidden', attack: [], evidence: {} }],
  references: ['/home/abc/.x', '/home/abc/.x/sshd'],
};

/**
 * An incident service on the real incident engine (incident, plan), whose run walks the ticked steps
 * one by one, each finishing when the test says so, reporting each state as the real service does.
 */
function service(opts: { readOnly?: string | null } = {}) {
  const calls: string[] = [];
  const gates: (() => void)[] = [];
  const svc: IncidentService = {
    readOnly: opts.readOnly ?? null,
    open: (pid, snapshot, assessments) => {
      const inc = buildIncident(pid, { snapshot, assessments, correlation: correlate([entry], snapshot.processes.values(), assessments) }, { selfPid: 99999, ancestorPids: [] });
      return 'error' in inc ? inc : { incident: inc, plan: proposePlan(inc, { readOnly: opts.readOnly ?? null }) };
    },
    run: async (plan, _incident, update) => {
      let cur: ContainmentPlan = plan;
      const put = (i: number, patch: Partial<PlanStep>) => { cur = { ...cur, steps: cur.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) }; update(cur); };
      if (plan.readOnly) {
        cur = { ...cur, phase: 'done', steps: cur.steps.map((s) => ({ ...s, status: 'skipped', lines: [{ text: `not run: ${plan.readOnly}`, status: 'info' }] })) };
        update(cur);
        return cur;
      }
      cur = { ...cur, phase: 'running' };
      calls.push('begin');
      for (const [i, s] of cur.steps.entries()) {
        if (!s.enabled) { put(i, { status: 'skipped', lines: [{ text: 'not run: unticked', status: 'info' }] }); continue; }
        put(i, { status: 'running' });
        calls.push(`${s.kind} ${s.kind === 'disable' ? s.entryId : s.pids.join(',')}`);
        await new Promise<void>((resolve) => gates.push(resolve));
        put(i, { status: 'ok', lines: [{ text: `${s.kind} done`, status: 'ok' }] });
      }
      calls.push('end');
      cur = { ...cur, phase: 'done' };
      update(cur);
      return cur;
    },
  };
  const release = async () => { await vi.waitFor(() => expect(gates.length).toBeGreaterThan(0)); gates.shift()!(); };
  return { svc, calls, release };
}

describe('incident view', () => {
  it('Enter on a flagged process shows it with its launcher, the cron line that starts them and every finding', async () => {
    const { svc } = service();
    const app = renderApp(incidentProcs(), { incident: svc, rows: 34, cols: 100 });
    app.store.getState().actions.select(3002);
    await app.press(KEY.enter);
    await vi.waitFor(() => expect(app.frame()).toContain('Incident: PID 3002 rcu-sched · CRITICAL · 2 processes · 1 persistence entry'));
    const f = app.frame();
    expect(f).toMatch(/‼ flagged\s+PID 3002\s+rcu-sched/);
    expect(f).toMatch(/launcher\s+PID 3001\s+sshd/);
    expect(f).toContain('H01 Kernel-thread impostor');
    expect(f).toContain("crontab of abc, line 2 (starts PID 3002 by exe, PID 3001 by script)");
    expect(f).toContain('* * * * * cd /home/abc/.x && ./sshd >/dev/null 2>&1');
    expect(f).toContain('C9 ');
    expect(f).toContain('c proposes a containment plan');
    await app.press(KEY.esc);
    await vi.waitFor(() => expect(app.frame()).not.toContain('Incident:'));
  });

  it('x opens it too; Enter on an unflagged process inspects instead', async () => {
    const app = renderApp(incidentProcs(), { incident: service().svc });
    app.store.getState().actions.select(412); // vim: not flagged
    await app.press(KEY.enter);
    await vi.waitFor(() => expect(app.frame()).toContain('inspect is not available here'));
    expect(app.store.getState().overlay).toBe('none');
    await app.press('x');
    await vi.waitFor(() => expect(app.frame()).toContain('Incident: PID 412 vim · not flagged'));
  });

  it('c proposes the numbered plan; Space unticks; y runs the ticked steps once, each outcome shown as it happens', async () => {
    const { svc, calls, release } = service();
    const app = renderApp(incidentProcs(), { incident: svc, rows: 34, cols: 100 });
    app.store.getState().actions.select(3002);
    await app.press('x', 'c');
    await vi.waitFor(() => expect(app.frame()).toContain('Containment plan'));
    const f = app.frame();
    expect(f).toMatch(/› \[x\] 1\. Freeze 2 processes \(SIGSTOP, reversible\): PID 3002, 3001/);
    expect(f).toMatch(/\[x\] 2\. Keep the evidence/);
    expect(f).toMatch(/\[x\] 3\. Disable crontab of abc, line 2: comment the line out \(backup kept\)/);
    expect(f).toMatch(/\[x\] 4\. Kill 2 processes \(SIGKILL, each re-verified\): PID 3002, 3001/);
    expect(f).toMatch(/\[x\] 5\. Watch for a respawn/);
    expect(f).toContain('y runs the 5 ticked steps');
    await app.press(KEY.down, KEY.down, KEY.down, KEY.down, ' ');
    await vi.waitFor(() => expect(app.frame()).toMatch(/› \[ \] 5\. Watch/));
    expect(calls).toEqual([]); // nothing ran while reviewing
    await app.press('y');
    await vi.waitFor(() => expect(app.frame()).toMatch(/\[…\] 1\. Freeze .* running/));
    await release();
    await vi.waitFor(() => expect(app.frame()).toMatch(/\[✓\] 1\. Freeze .* ok/));
    expect(app.frame()).toContain('freeze done');
    await app.press('y'); // a second y does not start it again
    for (let i = 0; i < 3; i++) await release();
    await vi.waitFor(() => expect(app.frame()).toContain('Containment plan: done'));
    expect(app.frame()).toMatch(/\[-\] 5\. Watch .* skipped/);
    expect(calls).toEqual(['begin', 'freeze 3002,3001', 'evidence 3002,3001', 'disable cron:2', 'kill 3002,3001', 'end']);
    await app.press(KEY.enter);
    await vi.waitFor(() => expect(app.store.getState().overlay).toBe('none'));
  });

  it('read-only: the plan is shown, y runs nothing and says why', async () => {
    const { svc, calls } = service({ readOnly: 'read-only mode (--readonly): the plan is shown, nothing is run' });
    const app = renderApp(incidentProcs(), { incident: svc, rows: 34, cols: 100 });
    app.store.getState().actions.select(3002);
    await app.press('x', 'c');
    await vi.waitFor(() => expect(app.frame()).toContain('nothing will run: read-only mode (--readonly)'));
    await app.press('y');
    await vi.waitFor(() => expect(app.frame()).toContain('Containment plan: done'));
    expect(app.frame()).toMatch(/\[-\] 1\. Freeze/);
    expect(calls).toEqual([]);
  });

  it('the key hint stays on screen at 80x24, even with the plan and its outcomes', async () => {
    const { svc, release } = service();
    const app = renderApp(incidentProcs(), { incident: svc, rows: 24, cols: 80 });
    app.store.getState().actions.select(3002);
    await app.press('x');
    await vi.waitFor(() => expect(app.frame()).toContain('c proposes a containment plan'));
    await app.press('c');
    await vi.waitFor(() => expect(app.frame()).toContain('y runs the 5 ticked'));
    await app.press('y');
    for (let i = 0; i < 5; i++) await release();
    await vi.waitFor(() => expect(app.frame()).toContain('Enter or Esc closes'));
    expect(app.frame().split('\n').length).toBeLessThanOrEqual(23);
  });
});

describe('incident view at 80x24', () => {
  it('keeps every process and the cron line on screen (findings as rule IDs), and wraps the plan instead of cutting it', async () => {
    const ro = 'read-only: /tmp/some/long/fixture/directory/proc is not the live /proc of this system, so its PIDs are not processes here';
    const { svc } = service({ readOnly: ro });
    const app = renderApp(incidentProcs(), { incident: svc, rows: 24, cols: 80 });
    app.store.getState().actions.select(3002);
    await app.press('x');
    await vi.waitFor(() => expect(app.frame()).toContain('c proposes a containment plan'));
    let f = app.frame();
    expect(f).toMatch(/‼ flagged\s+PID 3002\s+rcu-sched/);
    expect(f).toMatch(/launcher\s+PID 3001\s+sshd/);
    expect(f).toContain('crontab of abc, line 2');
    expect(f).toContain('* * * * * cd /home/abc/.x && ./sshd');
    expect(f).toMatch(/^│\s+H30 H01 /m); // the miner's findings, one line of rule IDs
    expect(f).not.toMatch(/lines \d+-\d+ of/); // all of it fits
    await app.press('c');
    await vi.waitFor(() => expect(app.frame()).toContain('Containment plan'));
    f = app.frame();
    const text = f.split('\n').map((l) => l.replace(/^│ ?|│$/g, '').trim()).join(' ');
    expect(text).toContain(`nothing will run: ${ro}`);
    expect(text).toContain('Watch for a respawn for 10 minutes (R1 flags a process that comes back)');
    expect(text).toMatch(/Space unticks · ↑↓ choose · Esc back/);
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
    expect(f.split('\n').every((l) => l.length <= 80)).toBe(true);
  });
});

describe('incident record pane', () => {
  it('E shows the evidence directory and this run\'s audit log; Esc closes', async () => {
    let reads = 0;
    const record = () => {
      reads++;
      return {
        title: 'Incident record: evidence and audit log of this run',
        lines: [
          { text: 'Evidence directory: /var/lib/minewatch/evidence', indent: 0, tone: 'heading' as const },
          { text: '08:40:02 signal refused: PID 3001 now belongs to another process', indent: 2, tone: 'warn' as const, severity: 'high' as const },
        ],
      };
    };
    const app = renderApp(incidentProcs(), { record });
    await app.press('E');
    await vi.waitFor(() => expect(app.frame()).toContain('Incident record: evidence and audit log of this run'));
    expect(app.frame()).toContain('Evidence directory: /var/lib/minewatch/evidence');
    expect(app.frame()).toContain('  08:40:02 signal refused: PID 3001 now belongs to another process');
    await app.press('E');
    await vi.waitFor(() => expect(reads).toBe(2));
    await app.press(KEY.esc);
    await vi.waitFor(() => expect(app.frame()).not.toContain('Incident record'));
  });
});

describe('a: known-good by identity', () => {
  it('asks with the hash and path, marks only on y, and a known-good process is dimmed and counted apart', async () => {
    const confirmed: number[] = [];
    const allow = {
      readonly: false,
      prepare: async (p: { pid: number; exe: string | null; startTicks: number; name: string }) => ({ pid: p.pid, startTicks: p.startTicks, name: p.name, path: p.exe!, sha256: 'ab'.repeat(32) }),
      confirm: (ask: { pid: number }) => { confirmed.push(ask.pid); return `marked ${ask.pid}`; },
    };
    const app = renderApp(incidentProcs(), { allow, cols: 100 });
    app.store.getState().actions.select(3002);
    await app.press('a');
    await vi.waitFor(() => expect(app.frame()).toContain('y: mark PID 3002 known-good for this session (any other key: no) · sha256 abababababababab…'));
    await app.press('x'); // anything but y: nothing marked, and the key does nothing else
    await vi.waitFor(() => expect(app.frame()).toContain('nothing was marked'));
    expect(app.store.getState().overlay).toBe('none');
    await app.press('a');
    await vi.waitFor(() => expect(app.store.getState().allowAsk).not.toBeNull());
    await app.press('y');
    await vi.waitFor(() => expect(app.frame()).toContain('marked 3002'));
    expect(confirmed).toEqual([3002]);
    // the poller then sets it aside: dimmed with ✓, counted apart, no why line
    const s = app.store.getState();
    const rest = new Map(s.assessments);
    const setAside = rest.get(3002)!;
    rest.delete(3002);
    s.actions.setKnownGood(new Map([[3002, { pid: 3002, why: 'allow-listed (this session)', entry: { sha256: 'ab'.repeat(32), path: '/home/abc/.x/rcu-sched', note: '', source: 'this session' }, setAside }]]));
    s.actions.ingest(s.snapshot!, rest);
    s.actions.select(1);
    await vi.waitFor(() => expect(app.frame()).toContain('✓1 known-good'));
    expect(app.frame()).toMatch(/✓\s+3002 abc/);
    expect(app.frame()).toContain('‼1 critical');
  });
});
