// `minewatch report` on an evidence directory laid out as a run leaves it: read through the safe
// opener (a planted symlink is refused, never followed), written as two new 0600 files.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runReportCommand } from '../../src/cli/report';
import { loadRun } from '../../src/report/load';

let work: string;
let ev: string;
const sha = 'cd'.repeat(32);
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'mw-report-'));
  ev = join(work, 'evidence');
  mkdirSync(ev, { mode: 0o700 });
  chmodSync(ev, 0o700);
  const rec = (time: string, action: string, message: string, pid = 777) => JSON.stringify({ time, actor: { uid: 0, euid: 0, user: 'root', pid }, action, target: { pid: 3002, startTicks: 1, exe: '/tmp/.x/rcu-sched', uid: 65534 }, result: 'sent', message });
  writeFileSync(join(ev, 'audit.jsonl'), [rec('2026-11-27T08:40:01Z', 'signal', 'sent SIGSTOP to PID 3002'), 'not json', rec('2026-11-27T08:40:02Z', 'signal', 'sent SIGKILL to PID 3002')].join('\n') + '\n', { mode: 0o600 });
  const cap = join(ev, '2026-11-27T08-40-01.500Z-pid3002');
  mkdirSync(cap, { mode: 0o700 });
  writeFileSync(join(cap, 'context.json'), JSON.stringify({ capturedAt: '2026-11-27T08:40:01.500Z', hostname: 'lab', kernel: 'Linux 6', minewatch: { pid: 777 } }));
  writeFileSync(join(cap, 'process-3002.json'), JSON.stringify({ pinned: { pid: 3002, startTicks: 1, name: 'rcu-sched', user: 'nobody', uid: 65534, exe: '/tmp/.x/rcu-sched', cmdline: ['./rcu-sched'] } }));
  writeFileSync(join(cap, 'SHA256SUMS'), `${sha}  exe-3002.bin\n`);
  symlinkSync('/etc/shadow', join(cap, 'process-1.json')); // planted: must be refused, never read
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

it('reads the run through the safe opener and notes what it refused', () => {
  const run = loadRun(ev);
  expect(run.audit).toHaveLength(2);
  expect(run.problems).toEqual(['audit.jsonl line 2: not an audit record (ignored)']);
  expect(run.captures[0].processes).toHaveLength(1);
  expect(run.captures[0].problems.join('\n')).toMatch(/process-1\.json.*symlink/);
  expect(JSON.stringify(run)).not.toMatch(/root:[^:]*:\d+:/); // no shadow line
});

it('writes the Markdown and the JSON as new private files and prints their paths', async () => {
  const lines: string[] = [];
  expect(await runReportCommand([ev], { out: (s) => lines.push(s), now: () => Date.parse('2026-11-27T09:00:00Z') })).toBe(0);
  const files = readdirSync(ev).filter((f) => f.startsWith('incident-report-'));
  expect(files.sort()).toEqual(['incident-report-2026-11-27T09-00-00Z.json', 'incident-report-2026-11-27T09-00-00Z.md']);
  for (const f of files) {
    expect(statSync(join(ev, f)).mode & 0o777).toBe(0o600);
    expect(lines.join('\n')).toContain(join(ev, f));
  }
  const json = JSON.parse(readFileSync(join(ev, files[0]), 'utf8'));
  expect(json.processes[0]).toMatchObject({ pid: 3002, sha256: sha });
  expect(json.actions.map((a: { message: string }) => a.message)).toEqual(['sent SIGSTOP to PID 3002', 'sent SIGKILL to PID 3002']);
  expect(readFileSync(join(ev, files[1]), 'utf8')).toMatch(/^# Incident report: lab/);
  // a second report in the same second does not overwrite the first
  expect(await runReportCommand([ev], { out: () => {}, now: () => Date.parse('2026-11-27T09:00:00Z') })).toBe(0);
  expect(readdirSync(ev).filter((f) => f.startsWith('incident-report-'))).toHaveLength(4);
  // --out: a fresh private directory
  const out = join(work, 'ticket');
  expect(await runReportCommand([ev, '--out', out], { out: () => {} })).toBe(0);
  expect(statSync(out).mode & 0o777).toBe(0o700);
  expect(readdirSync(out)).toHaveLength(2);
});

it('refuses an empty or missing directory with a clear message', async () => {
  await expect(runReportCommand([join(work, 'none')], { out: () => {} })).rejects.toThrow(/holds no audit record and no evidence \(evidence directory not read: /);
});

it('the record pane lists this run\'s captures and audit records, not another run\'s', async () => {
  const { recordOfRun } = await import('../../src/report/record');
  const r = recordOfRun(ev, 777);
  const text = r.lines.map((x) => x.text).join('\n');
  expect(text).toContain(`Evidence directory: ${ev}`);
  expect(text).toContain('2026-11-27T08-40-01.500Z-pid3002: 1 files with SHA-256 sums');
  expect(text).toContain(`PID 3002 rcu-sched /tmp/.x/rcu-sched\nsha256 ${sha}`);
  expect(text).toContain('2 records of this run (minewatch PID 777)');
  expect(text).toContain('08:40:02 signal sent: sent SIGKILL to PID 3002');
  const other = recordOfRun(ev, 778).lines.map((x) => x.text).join('\n');
  expect(other).toContain('no action yet in this run');
  expect(other).toContain('nothing captured in this run yet');
});
