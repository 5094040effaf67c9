import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../src/model';
import { AuditLog, defaultAuditPath, safeJson } from '../../src/respond/audit';
import { RespawnWatch } from '../../src/respond/respawn';
import { tempDir, procInfo } from './fixture';

const auditDirs: string[] = [];
function auditDir(): string {
  const d = tempDir('mw-audit-');
  auditDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of auditDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});


const p = (pid: number, over: Partial<ProcessInfo> = {}) => procInfo(pid, 1, { startTicks: 100, exe: null, ...over });

describe('RespawnWatch', () => {
  const killed = { pid: 4242, exe: '/home/u/.x/rcu-sched', cmdline: ['rcu-sched', '-o', 'pool:3333'], startTicks: 500, sha256: 'ab'.repeat(32) };

  it('matches a new process with the same exe, cmdline or hash; not the old one or an unrelated one', () => {
    let t = 0;
    const w = new RespawnWatch({ now: () => t });
    w.remember(killed);
    t = 30_000;
    expect(w.check(p(5000, { exe: killed.exe }))).toEqual({ oldPid: 4242, why: expect.stringContaining('the same executable /home/u/.x/rcu-sched') });
    expect(w.check(p(5001, { cmdline: [...killed.cmdline], exe: '/tmp/other' }))?.why).toContain('the same command line');
    expect(w.check(p(5002, { exe: '/tmp/renamed' }), killed.sha256)?.why).toContain('the same executable hash');
    // Same pid, new start time: a new process.
    expect(w.check(p(4242, { exe: killed.exe, startTicks: 900 }))?.oldPid).toBe(4242);
    // The killed process itself (still being reaped) is not a respawn.
    expect(w.check(p(4242, { exe: killed.exe, startTicks: 500 }))).toBeNull();
    expect(w.check(p(5003, { exe: '/usr/bin/top', cmdline: ['top'] }), 'cd'.repeat(32))).toBeNull();
  });

  it('expires after the window', () => {
    let t = 0;
    const w = new RespawnWatch({ windowMs: 60_000, now: () => t });
    w.remember(killed);
    t = 60_000;
    expect(w.check(p(5000, { exe: killed.exe }))).not.toBeNull();
    t = 60_001;
    expect(w.check(p(5000, { exe: killed.exe }))).toBeNull();
    expect(w.size).toBe(0);
  });

  it('does not treat every shell as a respawn of a killed shell script', () => {
    const w = new RespawnWatch({ now: () => 0 });
    w.remember({ pid: 10, exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], startTicks: 1 });
    expect(w.check(p(11, { exe: '/usr/bin/dash', cmdline: ['/bin/sh', '-c', 'ls'] }))).toBeNull();
    expect(w.check(p(12, { exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'] }))?.why).toContain('the same command line');
  });
});

describe('AuditLog', () => {
  it('writes one valid JSON line per record with time, actor, action, target, result and message', () => {
    const dir = auditDir();
    const log = new AuditLog(defaultAuditPath(path.join(dir, 'ev')), { now: () => Date.parse('2025-01-01T00:00:00Z') });
    log.append({ action: 'persistence-change', target: null, result: 'ok', message: 'commented out line 3', details: { path: '/var/spool/cron/crontabs/u' } });
    log.append({ action: 'refused', target: { pid: 1, startTicks: 1, exe: '/sbin/init', uid: 0 }, result: 'refused', message: 'evil \u009b2J \u202e name' });
    const raw = fs.readFileSync(log.path, 'utf8');
    const lines = raw.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ time: '2025-01-01T00:00:00.000Z', action: 'persistence-change', result: 'ok', target: null, details: { path: '/var/spool/cron/crontabs/u' } });
    expect(a.actor).toEqual({ uid: process.getuid!(), euid: process.geteuid!(), user: expect.any(String), pid: process.pid });
    // C1 controls and bidi overrides are escaped in the file but round-trip exactly.
    expect(raw).not.toMatch(/[\u009b\u202e]/);
    expect(b.message).toBe('evil \u009b2J \u202e name');
    expect(fs.statSync(log.path).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(log.path)).mode & 0o777).toBe(0o700);
  });

  it('safeJson parses back to the same value', () => {
    const v = { s: 'a\u0000b\u001b[31m\u0085\u2028\u2066' };
    expect(JSON.parse(safeJson(v))).toEqual(v);
  });
});
