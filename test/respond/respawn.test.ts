import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, defaultAuditPath, safeJson } from '../../src/respond/audit';
import { tempDir } from './fixture';

const auditDirs: string[] = [];
function auditDir(): string {
  const d = tempDir('mw-audit-');
  auditDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of auditDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
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
