// deploy/systemd: `systemd-analyze verify` passes on the units (in a scratch root that holds the
// system's own units and a /usr/bin/minewatch, so nothing on this machine is touched), the sandbox
// scores as systemd-analyze security rates it, and the unit's ExecStart line runs as written.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli';
import { incidentHost, type IncidentHost } from './fixtureHost';
import { haveTool } from './tools';

const UNITS = join(__dirname, '..', '..', 'deploy', 'systemd');
const SERVICE = readFileSync(join(UNITS, 'minewatch-scan.service'), 'utf8');
const TIMER = readFileSync(join(UNITS, 'minewatch-scan.timer'), 'utf8');
const analyze = haveTool('systemd-analyze');
const SYSTEM_UNITS = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => { try { return statSync(d).isDirectory(); } catch { return false; } });

/** A scratch root with the system's units, ours in /etc/systemd/system and an executable /usr/bin/minewatch. */
function scratchRoot(service = SERVICE): string {
  const root = mkdtempSync(join(tmpdir(), 'mw-units-'));
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  writeFileSync(join(root, 'usr/bin/minewatch'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(root, 'usr/bin/minewatch'), 0o755);
  if (SYSTEM_UNITS) cpSync(SYSTEM_UNITS, join(root, 'usr/lib/systemd/system'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(join(root, 'etc/systemd/system/minewatch-scan.service'), service);
  writeFileSync(join(root, 'etc/systemd/system/minewatch-scan.timer'), TIMER);
  return root;
}

/** `systemd-analyze verify`: silent and 0 when the units are right (a bad value only warns, so output counts). */
function verify(root: string): { status: number | null; output: string } {
  // --man=no: Documentation= names the man page, which the package installs, not this checkout.
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, 'minewatch-scan.service', 'minewatch-scan.timer'], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: (r.stdout + r.stderr).trim() };
}

const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

describe.runIf(analyze)('systemd units', () => {
  it('systemd-analyze verify passes, and fails on a broken copy (control)', () => {
    const good = scratchRoot();
    roots.push(good);
    expect(verify(good)).toEqual({ status: 0, output: '' });
    const bad = scratchRoot(SERVICE.replace('ProtectSystem=strict', 'ProtectSystem=bogus'));
    roots.push(bad);
    expect(verify(bad).output).toMatch(/minewatch-scan\.service:\d+: Failed to parse protect system value/);
    const noExe = scratchRoot();
    roots.push(noExe);
    rmSync(join(noExe, 'usr/bin/minewatch'));
    expect(verify(noExe).status).not.toBe(0);
  });

  it('is sandboxed: systemd-analyze security rates the exposure OK (below 3 of 10)', () => {
    const root = scratchRoot();
    roots.push(root);
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', `--root=${root}`, '--no-pager', 'minewatch-scan.service'], { encoding: 'utf8', timeout: 60_000 });
    const m = /Overall exposure level for minewatch-scan\.service: ([\d.]+)/.exec(r.stdout + r.stderr);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(3);
  });
});

describe('what the units say', () => {
  it('the timer fires every 10 minutes with a randomised, per-host fixed delay', () => {
    expect(TIMER).toMatch(/^OnCalendar=\*:0\/10$/m);
    expect(TIMER).toMatch(/^RandomizedDelaySec=\S+$/m);
    expect(TIMER).toMatch(/^FixedRandomDelay=yes$/m);
    expect(TIMER).toMatch(/^Unit=minewatch-scan\.service$/m);
  });

  it('the service keeps the sandbox the issue asks for, and nothing that would blind the scan', () => {
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/minewatch /var/log/minewatch',
      'PrivateTmp=yes', 'ProtectHome=read-only', 'CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH', 'SuccessExitStatus=1']) {
      expect(SERVICE).toMatch(new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    }
    for (const blinding of [/^PrivateNetwork=yes/m, /^ProtectProc=invisible/m, /^ProcSubset=pid/m, /^MemoryDenyWriteExecute=yes/m]) {
      expect(SERVICE).not.toMatch(blinding);
    }
  });

  describe('its ExecStart line, run against the incident fixture', () => {
    let host: IncidentHost;
    beforeAll(() => { host = incidentHost(); });
    afterAll(() => host?.remove());

    it('writes the ECS log and the textfile where node_exporter and a shipper expect them', async () => {
      const exec = /^ExecStart=(.*)$/m.exec(SERVICE)![1]!.split(/\s+/);
      expect(exec[0]).toBe('/usr/bin/minewatch');
      const lib = join(host.dir, 'var/lib/minewatch');
      const log = join(host.dir, 'var/log/minewatch');
      mkdirSync(join(lib, 'textfile'), { recursive: true });
      mkdirSync(log, { recursive: true });
      const args = exec.slice(1).map((a) => a.replace('/var/lib/minewatch', lib).replace('/var/log/minewatch', log));
      const r = await runCli([...args, ...host.scanArgs]);
      expect(BIN).toMatch(/minewatch\.js$/);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1); // SuccessExitStatus=1: findings are not a unit failure
      expect(readFileSync(join(log, 'alerts.ndjson'), 'utf8')).toMatch(/"rule":\{"id":"H01"/);
      expect(readFileSync(join(lib, 'textfile/minewatch.prom'), 'utf8')).toMatch(/^minewatch_scan_success 1$/m);
    });
  });
});
