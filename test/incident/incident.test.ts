import { describe, expect, it } from 'vitest';
import { buildIncident, type Incident } from '../../src/incident/incident';
import { proposePlan, runPlan, toggleStep, type PlanExecutor, type StepOutcome } from '../../src/incident/containment';
import type { PersistenceEntry } from '../../src/persistence/types';
import { correlate } from '../../src/scan/correlate';
import { assess, incidentProcs, proc, snapshot } from '../helpers/snapshot';

function cronEntry(over: Partial<PersistenceEntry> = {}): PersistenceEntry {
  return {
    id: '/var/spool/cron/crontabs/abc:2', kind: 'user-crontab', path: '/var/spool/cron/crontabs/abc', line: 2, runsAs: 'abc',
    schedule: '* * * * *', command: 'cd /home/abc/.x && ./sshd >/dev/null 2>&1', raw: '* * * * * cd /home/abc/.x && ./sshd >/dev/null 2>&1',
    file: null, recentlyChanged: false, score: 6, severity: 'high',
    findings: [{ id: 'C1', weight: 6, severity: 'high', title: 'Runs a program from a temporary or hidden directory', explanation: 'x', attack: [], evidence: {} }],
    references: ['/home/abc/.x', '/home/abc/.x/sshd'], ...over,
  };
}

function look(extra: ReturnType<typeof proc>[] = [], entries: PersistenceEntry[] = [cronEntry()]) {
  const snap = snapshot([...incidentProcs(), ...extra]);
  const assessments = assess(snap);
  return { snapshot: snap, assessments, correlation: correlate(entries, snap.processes.values(), assessments) };
}

describe('the incident around a flagged process', () => {
  it('holds the process, its launcher, its children, the linked cron entry and every finding', () => {
    const l = look([proc({ pid: 3003, name: 'xmr-helper', ppid: 3002, uid: 1001, user: 'abc', exe: '/home/abc/.x/helper', cwd: '/home/abc/.x' })]);
    const inc = buildIncident(3002, l, { selfPid: 99999, ancestorPids: [] }) as Incident;
    expect(inc.members.map((m) => [m.pid, m.role])).toEqual([[3002, 'target'], [3001, 'launcher'], [3003, 'child']]);
    const target = inc.members[0];
    expect(target.findings.map((f) => f.id)).toContain('H01');
    expect(target.startTicks).toBe(100);
    expect(inc.persistence).toHaveLength(1);
    const e = inc.persistence[0];
    expect(e).toMatchObject({ label: 'crontab of abc, line 2', disable: 'comment-out', line: 2 });
    expect(e.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['C1', 'C9']));
    expect(e.starts.map((s) => s.pid).sort()).toEqual([3001, 3002, 3003]); // the helper by its cwd
    expect(inc.severity).toBe('critical');
    // the dev's login chain and PID 1 are not part of it
    expect(inc.members.some((m) => [1, 400, 410, 411].includes(m.pid))).toBe(false);
  });

  it('adds processes started by the same entry, but never another user\'s or minewatch\'s', () => {
    const second = proc({ pid: 3100, name: 'sshd', uid: 1001, user: 'abc', exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], cwd: '/home/abc/.x', session: 3100 });
    const foreign = proc({ pid: 3200, name: 'sshd', uid: 1002, user: 'dev', exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], cwd: '/home/abc/.x' });
    const me = proc({ pid: 3300, name: 'node', uid: 1001, user: 'abc', exe: '/usr/bin/node', cmdline: ['node', 'x'], cwd: '/home/abc/.x' });
    const inc = buildIncident(3002, look([second, foreign, me]), { selfPid: 3300, ancestorPids: [] }) as Incident;
    expect(inc.members.find((m) => m.pid === 3100)?.role).toBe('linked');
    expect(inc.members.some((m) => m.pid === 3200 || m.pid === 3300)).toBe(false);
    expect(inc.excluded.find((x) => x.pid === 3200)?.why).toMatch(/another user/);
    expect(inc.excluded.find((x) => x.pid === 3300)?.why).toMatch(/minewatch itself/);
  });

  it('says so when the process is gone', () => {
    expect(buildIncident(777, look())).toEqual({ error: 'process 777 is gone' });
  });
});

describe('the containment plan', () => {
  const inc = buildIncident(3002, look(), { selfPid: 99999, ancestorPids: [] }) as Incident;

  it('is numbered: freeze, evidence, disable each entry, kill, watch; all ticked', () => {
    const plan = proposePlan(inc);
    expect(plan.steps.map((s) => `${s.n} ${s.kind}`)).toEqual(['1 freeze', '2 evidence', '3 disable', '4 kill', '5 watch']);
    expect(plan.steps.every((s) => s.enabled && s.status === 'pending')).toBe(true);
    expect(plan.steps[0].pids.sort()).toEqual([3001, 3002]);
    expect(plan.steps[2].entryId).toBe('/var/spool/cron/crontabs/abc:2');
    // an entry minewatch cannot disable is shown in the incident, not planned
    const keys = buildIncident(3002, look([], [cronEntry(), cronEntry({ id: 'k', kind: 'authorized-keys', line: 1, path: '/home/abc/.ssh/authorized_keys' })])) as Incident;
    expect(proposePlan(keys).steps.filter((s) => s.kind === 'disable')).toHaveLength(1);
  });

  function recorder(over: Partial<Record<'freeze' | 'evidence' | 'disable' | 'kill' | 'watch', StepOutcome | Error>> = {}) {
    const calls: string[] = [];
    const step = (name: keyof typeof over) => async () => {
      calls.push(name);
      const o = over[name];
      if (o instanceof Error) throw o;
      return o ?? { status: 'ok' as const, lines: [{ text: `${name} done`, status: 'ok' as const }] };
    };
    const exec: PlanExecutor = {
      begin: () => { calls.push('begin'); }, end: () => { calls.push('end'); },
      freeze: step('freeze'), evidence: step('evidence'), disable: step('disable'), kill: step('kill'), watch: step('watch'),
    };
    return { calls, exec };
  }

  it('runs the ticked steps in order and shows each state as it happens', async () => {
    const { calls, exec } = recorder({ disable: new Error('cron file changed since it was read') });
    const seen: string[] = [];
    const plan = toggleStep(proposePlan(inc), 4); // untick "watch"
    const done = await runPlan(plan, inc, exec, (p) => seen.push(p.steps.map((s) => s.status[0]).join('')));
    expect(calls).toEqual(['begin', 'freeze', 'evidence', 'disable', 'kill', 'end']);
    expect(done.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'failed', 'ok', 'skipped']);
    expect(done.steps[2].lines[0].text).toBe('cron file changed since it was read');
    expect(done.phase).toBe('done');
    expect(seen).toContain('rpppp'); // step 1 running, the rest pending
    expect(seen).toContain('oofrp'); // a failed step does not stop the kill
  });

  it('stops where a step says so, and runs nothing when the audit record cannot be written', async () => {
    const stop = recorder({ freeze: { status: 'failed', lines: [{ text: 'identity changed', status: 'failed' }], stop: true } });
    const a = await runPlan(proposePlan(inc), inc, stop.exec, () => {});
    expect(stop.calls).toEqual(['begin', 'freeze', 'end']);
    expect(a.steps.slice(1).every((s) => s.status === 'skipped')).toBe(true);

    const noAudit = recorder();
    noAudit.exec.begin = () => { throw new Error('audit.jsonl is a symlink'); };
    const b = await runPlan(proposePlan(inc), inc, noAudit.exec, () => {});
    expect(noAudit.calls).toEqual([]);
    expect(b.steps[0].lines[0].text).toMatch(/audit log could not be written, so nothing was done/);
  });

  it('in read-only mode shows the plan and runs nothing', async () => {
    const { calls, exec } = recorder();
    const done = await runPlan(proposePlan(inc, { readOnly: 'read-only mode (--readonly)' }), inc, exec, () => {});
    expect(calls).toEqual([]);
    expect(done.steps.every((s) => s.status === 'skipped' && s.lines[0].text.includes('--readonly'))).toBe(true);
  });

  it('unticking only works while the plan is being reviewed', () => {
    const p = proposePlan(inc);
    expect(toggleStep(p, 0).steps[0].enabled).toBe(false);
    expect(toggleStep({ ...p, phase: 'running' }, 0).steps[0].enabled).toBe(true);
    expect(toggleStep(p, 99)).toBe(p);
  });
});
