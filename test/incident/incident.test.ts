import { describe, expect, it } from 'vitest';
import { buildIncident, type Incident } from '../../src/incident/incident';
import { proposePlan, toggleStep } from '../../src/incident/containment';
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
    // another user's look-alike elsewhere, linked to the entry by its name only
    const elsewhere = proc({ pid: 3400, name: 'sshd', uid: 1001, user: 'abc', exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], cwd: '/tmp/.other', session: 3400 });
    const refs = cronEntry({ references: ['/home/abc/.x', '/home/abc/.x/sshd', 'sshd'] });
    const inc = buildIncident(3002, look([second, foreign, me, elsewhere], [refs]), { selfPid: 3300, ancestorPids: [] }) as Incident;
    expect(inc.members.some((m) => m.pid === 3400)).toBe(false);
    expect(inc.excluded.find((x) => x.pid === 3400)?.why).toMatch(/by name only/);
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

  it('unticking only works while the plan is being reviewed', () => {
    const p = proposePlan(inc);
    expect(toggleStep(p, 0).steps[0].enabled).toBe(false);
    expect(toggleStep({ ...p, phase: 'running' }, 0).steps[0].enabled).toBe(true);
    expect(toggleStep(p, 99)).toBe(p);
  });
});
