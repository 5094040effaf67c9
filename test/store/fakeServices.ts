// A DashboardServices double for store tests: records calls, signals nothing.
import { vi } from 'vitest';
import type { DashboardServices, KillMember, KillPrep } from '../../src/store/types';
import { line } from '../../src/text/content';

export function fakePrep(members = 0, over: Partial<KillPrep> = {}): KillPrep {
  const member = (pid: number, role: KillMember['role']): KillMember => ({ pid, role, name: `p${pid}`, user: 'abc', uid: 1001, exe: `/tmp/p${pid}`, cmdline: [`./p${pid}`] });
  return {
    info: { pid: 3002, name: 'p3002', user: 'abc', uid: 1001, exe: '/tmp/p3002', exeDeleted: false, startedAt: 0, severity: 'critical', score: 14, findings: ['H01'] },
    family: [member(3002, 'target'), ...Array.from({ length: members }, (_, i) => member(4000 + i, i === 0 ? 'launcher' : 'descendant'))],
    excluded: [],
    refusal: null,
    readOnly: null,
    ...over,
  };
}

export function fakeServices(over: Partial<DashboardServices> = {}): DashboardServices & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    readonly: false,
    evidenceDir: '/tmp/evidence',
    inspect: vi.fn((pid, _look, update) => { calls.push(`inspect ${pid}`); update({ title: `Inspect PID ${pid}`, lines: [line('Identity', { tone: 'heading' })] }, 'hashing…'); return () => calls.push(`cancel ${pid}`); }),
    persistence: vi.fn((pid) => {
      calls.push(`persistence ${pid}`);
      return { title: 'P', lines: [line('x '.repeat(200))], actions: [{ entryId: 'e1', label: 'crontab of abc, line 1', kind: 'user-crontab', path: '/var/spool/cron/crontabs/abc', line: 1, raw: '* * * * * x', verb: 'comment the line out' }] };
    }),
    disablePersistence: vi.fn((a) => { calls.push(`disable ${a.entryId}`); return [{ text: 'commented out', status: 'ok' as const }, { text: 'audit log: /tmp/a', status: 'info' as const }]; }),
    prepareKill: vi.fn((pid) => { calls.push(`prepare ${pid}`); return fakePrep(2); }),
    act: vi.fn(async (_prep, signal, family) => { calls.push(`act ${signal} ${family}`); return [{ text: `sent ${signal}`, status: 'ok' as const }]; }),
    ...over,
  };
}
