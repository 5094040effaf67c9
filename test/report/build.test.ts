import { describe, expect, it } from 'vitest';
import { buildIncidentReport, type RunInput } from '../../src/report/build';
import { renderMarkdown } from '../../src/report/markdown';
import type { AuditRecord } from '../../src/respond/audit';

const actor = (pid: number) => ({ uid: 0, euid: 0, user: 'root', pid });
const rec = (pid: number, time: string, over: Partial<AuditRecord>): AuditRecord => ({
  time, actor: actor(pid), action: 'note', target: null, result: 'ok', message: '', ...over,
});
const sha = 'ab'.repeat(32);

function input(): RunInput {
  const target = (pid: number) => ({ pid, startTicks: 5000 + pid, exe: `/tmp/.x/${pid === 3002 ? 'rcu-sched' : 'sshd'}`, uid: 65534 });
  return {
    evidenceDir: '/var/lib/minewatch/evidence',
    audit: [
      rec(111, '2026-11-27T07:00:00.000Z', { action: 'signal', target: target(42), result: 'sent', message: 'an older run' }),
      rec(222, '2026-11-27T08:40:00.000Z', { result: 'confirmed', message: 'containment plan for PID 3002 confirmed: 1 freeze, 2 evidence, 3 disable, 4 kill, 5 watch' }),
      rec(222, '2026-11-27T08:40:00.100Z', { action: 'signal', target: target(3002), result: 'sent', message: 'sent SIGSTOP to PID 3002 "rcu-sched": suspended it', details: { signal: 'SIGSTOP' } }),
      rec(222, '2026-11-27T08:40:00.900Z', { action: 'persistence-change', result: 'started', message: 'commenting out line 1 of /var/spool/cron/crontabs/nobody', details: { entry: 'cron:1', path: '/var/spool/cron/crontabs/nobody', line: 1 } }),
      rec(222, '2026-11-27T08:40:01.000Z', { action: 'persistence-change', result: 'ok', message: 'commented out line 1 of /var/spool/cron/crontabs/nobody | injected | cells', details: { entry: 'cron:1', path: '/var/spool/cron/crontabs/nobody', backup: '/var/lib/minewatch/evidence/persistence-backups/nobody.2026' } }),
      rec(222, '2026-11-27T08:40:02.000Z', { action: 'signal', target: target(3002), result: 'sent', message: 'sent SIGKILL to PID 3002 "rcu-sched": killed it', details: { signal: 'SIGKILL' } }),
    ],
    captures: [{
      name: '2026-11-27T08-40-00.500Z-pid3002',
      context: {
        capturedAt: '2026-11-27T08:40:00.500Z', hostname: 'lab-server', kernel: 'Linux 6.1.0', uptimeSeconds: 1234, minewatch: { pid: 222 },
        extra: {
          incident: {
            members: [{ pid: 3002, role: 'target', severity: 'critical', findings: [{ id: 'H01', severity: 'critical', title: 'Kernel-thread impostor', explanation: 'named like [rcu_sched]' }] }],
            persistence: [{ entryId: 'cron:1', label: 'crontab of nobody, line 1', path: '/var/spool/cron/crontabs/nobody', line: 1, raw: '* * * * * cd /tmp/.x && ./sshd `x` | y # minewatch-simulate', severity: 'high', findings: [{ id: 'C1', severity: 'high', title: 'Runs a program from a temporary or hidden directory', explanation: '/tmp/.x' }] }],
          },
          inspect: [{ identity: { value: { user: 'abc' } }, logins: { value: { source: '/var/log/auth.log', last: [{ user: 'abc', tty: 'ssh', host: '203.0.113.9', time: Date.parse('2026-11-27T06:00:00Z') }], failed: [{ user: 'abc', tty: 'ssh', host: '198.51.100.7', time: null }] } } }],
        },
      },
      processes: [{ pinned: { pid: 3002, startTicks: 8002, name: 'rcu-sched\x1b[31m', user: 'nobody', uid: 65534, exe: '/tmp/.x/rcu-sched', exeDeleted: false, cmdline: ['./rcu-sched', '-o', 'stratum+tcp://pool.invalid:3333'] } }],
      sums: new Map([['exe-3002.bin', sha]]),
      problems: [],
    }],
    backups: [],
    problems: ['audit.jsonl line 9: not JSON (ignored)'],
  };
}

describe('incident report', () => {
  it('covers the latest run: host, processes with hashes, persistence lines and their change, logins, actions, timeline', () => {
    const r = buildIncidentReport(input(), { now: () => Date.parse('2026-11-27T09:00:00Z') });
    expect(r.run).toMatchObject({ minewatchPid: 222, actor: 'root (uid 0)', from: '2026-11-27T08:40:00.000Z', to: '2026-11-27T08:40:02.000Z' });
    expect(r.host).toEqual({ hostname: 'lab-server', kernel: 'Linux 6.1.0', uptimeSeconds: 1234 });
    expect(r.processes).toHaveLength(1);
    expect(r.processes[0]).toMatchObject({ pid: 3002, sha256: sha, role: 'target', severity: 'critical', evidence: '2026-11-27T08-40-00.500Z-pid3002' });
    expect(r.processes[0].findings[0].id).toBe('H01');
    expect(r.persistence[0]).toMatchObject({ label: 'crontab of nobody, line 1', line: 1, change: { result: 'ok', backup: '/var/lib/minewatch/evidence/persistence-backups/nobody.2026' } });
    expect(r.logins[0].last[0]).toEqual({ user: 'abc', tty: 'ssh', host: '203.0.113.9', time: '2026-11-27T06:00:00.000Z' });
    expect(r.actions.map((a) => a.message)).not.toContain('an older run');
    expect(r.actions.map((a) => `${a.action} ${a.result}`)).toEqual(['note confirmed', 'signal sent', 'persistence-change started', 'persistence-change ok', 'signal sent']);
    expect(r.timeline.map((t) => t.time)).toEqual([...r.timeline.map((t) => t.time)].sort());
    expect(r.timeline.some((t) => t.what.startsWith('evidence captured in'))).toBe(true);
    expect(r.notes).toEqual(['audit.jsonl line 9: not JSON (ignored)']);
    expect(buildIncidentReport(input(), { all: true }).actions).toHaveLength(6);
    expect(r.persistence).toHaveLength(1); // the intent record is not a second entry
  });

  it('renders Markdown in which nothing a process or file wrote can drive a terminal or break the layout', () => {
    const text = renderMarkdown(buildIncidentReport(input()));
    expect(text).toMatch(/^# Incident report: lab-server/);
    for (const h of ['## Processes', '## Persistence', '## Logins of the account', '## Actions and outcomes', '## Timeline']) expect(text).toContain(h);
    expect(text).toContain(`\`${sha}\``);
    expect(text).not.toContain('\x1b');
    expect(text).toContain('rcu-sched\\x1b[31m');
    // the cron line sits in a fence longer than any backtick run in it
    expect(text).toContain('``\n* * * * * cd /tmp/.x && ./sshd `x` | y # minewatch-simulate\n``');
    // table cells: a | in a message cannot open a new column
    const row = text.split('\n').find((l) => l.startsWith('|') && l.includes('commented out line 1'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(7);
    expect(text).toContain('| 2026-11-27T06:00:00.000Z | abc | ssh | 203.0.113.9 |');
  });
});
