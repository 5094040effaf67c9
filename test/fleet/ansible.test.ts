// deploy/ansible against localhost with `-c local`, installing into a temporary prefix (no systemd, no
// root paths touched): binary, units, output directories, one scan of the incident fixture, and the
// host's `scan --json` report fetched to the controller. A scan that cannot run fails the play.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/scan/report';
import { BIN } from '../helpers/cli';
import { incidentHost, MINER_PID, type IncidentHost } from './fixtureHost';
import { haveTool } from './tools';

const PLAYBOOK = join(__dirname, '..', '..', 'deploy', 'ansible', 'minewatch.yml');
const ansible = haveTool('ansible-playbook');

let host: IncidentHost;
let wrapper: string;
beforeAll(() => {
  host = incidentHost();
  // Until `npm run package` builds the single binary, a wrapper around the bundle stands in for it.
  wrapper = join(host.dir, 'minewatch-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  chmodSync(wrapper, 0o755);
});
afterAll(() => host?.remove());

function play(name: string, scanArgs: string[], extra: string[] = [], prefixName = name): Promise<{ code: number | null; out: string; prefix: string; reports: string }> {
  const prefix = join(host.dir, `prefix-${prefixName}`);
  const reports = join(host.dir, `reports-${name}`);
  const tmp = join(host.dir, `ansible-${name}`);
  mkdirSync(tmp);
  const vars = {
    minewatch_prefix: prefix, minewatch_binary_src: wrapper, minewatch_report_dir: reports,
    minewatch_scan_args: scanArgs, minewatch_become: false, ansible_python_interpreter: 'auto_silent',
  };
  writeFileSync(join(tmp, 'vars.json'), JSON.stringify(vars));
  return new Promise((resolve, reject) => {
    const c = spawn('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '-e', `@${join(tmp, 'vars.json')}`, ...extra, PLAYBOOK], {
      env: {
        ...process.env, ANSIBLE_HOME: tmp, ANSIBLE_LOCAL_TEMP: join(tmp, 'local'), ANSIBLE_REMOTE_TEMP: join(tmp, 'remote'),
        ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_CONFIG: join(tmp, 'none.cfg'), ANSIBLE_FORCE_COLOR: '0', ANSIBLE_PIPELINING: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code, out, prefix, reports }));
  });
}

describe.runIf(ansible)('ansible playbook, localhost -c local, into a prefix', () => {
  it('installs, schedules, scans once and fetches the report to the controller', async () => {
    const r = await play('ok', ['--proc', host.proc, '--root', host.root, '--sample', '0']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/localhost\s*: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(r.out).toContain('localhost: 2 flagged processes, 1 flagged persistence entries (exit 1)');
    const report = JSON.parse(readFileSync(join(r.reports, 'localhost.json'), 'utf8')) as ScanReport;
    expect(report.version).toBe(1);
    expect(report.host.hostname).toBe('web-01');
    expect(report.processes.find((p) => p.pid === MINER_PID)?.severity).toBe('critical');
    const bin = join(r.prefix, 'usr/bin/minewatch');
    expect(statSync(bin).mode & 0o777).toBe(0o755);
    const unit = readFileSync(join(r.prefix, 'etc/systemd/system/minewatch-scan.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${bin} scan --format ecs --output ${r.prefix}/var/log/minewatch/alerts.ndjson --textfile-dir ${r.prefix}/var/lib/minewatch/textfile`);
    expect(existsSync(join(r.prefix, 'etc/systemd/system/minewatch-scan.timer'))).toBe(true);
    expect(statSync(join(r.prefix, 'var/log/minewatch')).mode & 0o777).toBe(0o750);
    expect(statSync(join(r.prefix, 'var/lib/minewatch/textfile')).mode & 0o777).toBe(0o755);
  }, 240_000);

  it('fails the host when the scan cannot run (exit 2), not when it finds something (exit 1)', async () => {
    // Installed by the first test: start at the scan, so only the failing task runs.
    const r = await play('broken', ['--proc', join(host.dir, 'no-such-proc'), '--sample', '0'], ['--start-at-task', 'minewatch : Run one scan now (exit 1 means something was found, which is not a failure)'], 'ok');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/localhost\s*: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=1/);
    expect(r.out).toMatch(/cannot list .*no-such-proc/);
    expect(existsSync(join(r.reports, 'localhost.json'))).toBe(false);
  }, 240_000);
});
