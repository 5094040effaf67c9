// The plan's steps on a fixture /proc with an injected signal function: no real process is signalled.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { proposePlan, runPlan } from '../../src/incident/containment';
import { createExecutor } from '../../src/incident/executor';
import { buildIncident, type Incident } from '../../src/incident/incident';
import { Detector } from '../../src/detect/index';
import { ProcReader } from '../../src/procfs/reader';
import { AuditLog, RespawnWatch } from '../../src/respond/index';
import type { PersistenceEntry } from '../../src/persistence/types';
import { correlate } from '../../src/scan/correlate';
import { ProcTree } from '../../src/procfs/fake';

let tree: ProcTree;
let hidden: string;
beforeEach(() => {
  tree = new ProcTree().withBaseSystem();
  hidden = join(tree.base, 'home/abc/.x');
  mkdirSync(hidden, { recursive: true });
  writeFileSync(join(hidden, 'rcu-sched'), 'not really a miner\n');
  tree.add({ pid: 3001, comm: 'sshd', ppid: 1, uid: 1001, session: 3001, exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], cwd: hidden, startTicks: 5000 });
  tree.add({ pid: 3002, comm: 'rcu-sched', ppid: 3001, uid: 1001, session: 3001, exe: join(hidden, 'rcu-sched'), cmdline: ['./rcu-sched', '-o', 'stratum+tcp://pool.example:3333'], cwd: hidden, startTicks: 5001 });
});
afterEach(() => tree.cleanup());

function incident(): Incident {
  const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
  const assessments = new Detector().assess(snap);
  const entry: PersistenceEntry = {
    id: 'cron:1', kind: 'user-crontab', path: '/var/spool/cron/crontabs/abc', line: 1, runsAs: 'abc', schedule: '* * * * *',
    command: `cd ${hidden} && ./sshd`, raw: `* * * * * cd ${hidden} && ./sshd`, file: null, recentlyChanged: false, score: 6, severity: 'high',
    findings: [], references: [hidden, join(hidden, 'sshd')],
  };
  const inc = buildIncident(3002, { snapshot: snap, assessments, correlation: correlate([entry], snap.processes.values(), assessments) }, { selfPid: 99999, ancestorPids: [] });
  if ('error' in inc) throw new Error(inc.error);
  return inc;
}

function setup(inc: Incident) {
  const signals: string[] = [];
  const disabled: string[] = [];
  const evidenceDir = join(tree.base, 'evidence');
  const audit = new AuditLog(join(evidenceDir, 'audit.jsonl'));
  const respawn = new RespawnWatch();
  const exec = createExecutor(inc, {
    procRoot: tree.proc, root: tree.root, evidenceDir, audit, respawn, selfPid: 99999, killWaitMs: 200,
    kill: (pid, sig) => {
      signals.push(`${sig} ${pid}`);
      if (sig === 'SIGKILL') rmSync(join(tree.proc, String(pid)), { recursive: true, force: true }); // it dies
    },
    disable: (e) => { disabled.push(e.entryId); return [{ text: `commented out line ${e.line} of ${e.path}`, status: 'ok' }]; },
  });
  const records = () => readFileSync(audit.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { signals, disabled, evidenceDir, exec, records, respawn };
}

it('freezes, keeps evidence, disables the entry, kills, watches; every step audited', async () => {
  const inc = incident();
  const { signals, disabled, evidenceDir, exec, records, respawn } = setup(inc);
  const done = await runPlan(proposePlan(inc), inc, exec, () => {});
  expect(done.steps.map((s) => `${s.kind} ${s.status}`)).toEqual(['freeze ok', 'evidence ok', 'disable ok', 'kill ok', 'watch ok']);
  expect(signals).toEqual(['SIGSTOP 3002', 'SIGSTOP 3001', 'SIGKILL 3002', 'SIGKILL 3001']);
  expect(disabled).toEqual(['cron:1']);
  const capture = readdirSync(evidenceDir).find((d) => d.includes('pid3002'))!;
  expect(readdirSync(join(evidenceDir, capture))).toEqual(expect.arrayContaining(['SHA256SUMS', 'exe-3002.bin', 'process-3001.json']));
  expect(done.steps[1].lines[0].text).toContain(join(evidenceDir, capture));
  expect(respawn.size).toBe(2);
  const log = records();
  expect(log[0]).toMatchObject({ action: 'note', result: 'confirmed' });
  expect(log[0].message).toMatch(/containment plan for PID 3002 confirmed: 1 freeze, 2 evidence, 3 disable, 4 kill, 5 watch/);
  expect(log.filter((r) => r.action === 'signal').map((r) => `${r.details.signal} ${r.target.pid}`)).toEqual(signals);
  expect(log.some((r) => r.action === 'evidence')).toBe(true);
  expect(log[log.length - 1].message).toMatch(/finished: 1 freeze ok, 2 evidence ok, 3 disable ok, 4 kill ok, 5 watch ok/);
});

it('a member whose PID now belongs to another process is left alone', async () => {
  const inc = incident();
  // PID 3001 exits and the PID is reused by an unrelated process before the user confirms
  tree.add({ pid: 3001, comm: 'bash', ppid: 1, uid: 1002, exe: '/usr/bin/bash', cmdline: ['bash'], startTicks: 9000 });
  const { signals, exec } = setup(inc);
  const done = await runPlan(proposePlan(inc), inc, exec, () => {});
  expect(signals).toEqual(['SIGSTOP 3002', 'SIGKILL 3002']);
  expect(done.steps[0].status).toBe('partial');
  expect(done.steps[0].lines.map((l) => l.text).join('\n')).toMatch(/PID 3001 left alone: .*start time changed/);
});

it('says so when a process survives SIGKILL', async () => {
  const inc = incident();
  const s = setup(inc);
  const stubborn = createExecutor(inc, {
    procRoot: tree.proc, root: tree.root, evidenceDir: s.evidenceDir, audit: new AuditLog(join(s.evidenceDir, 'audit.jsonl')), selfPid: 99999, killWaitMs: 100,
    kill: () => {}, disable: () => [],
  });
  const done = await runPlan({ ...proposePlan(inc), steps: proposePlan(inc).steps.map((x) => ({ ...x, enabled: x.kind === 'kill' })) }, inc, stubborn, () => {});
  const kill = done.steps.find((x) => x.kind === 'kill')!;
  expect(kill.status).toBe('partial');
  expect(kill.lines.map((l) => l.text)).toContain('PID 3002 is still running after SIGKILL');
});
