// The incident service on the one response routine, on a fixture / and /proc with an INJECTED signal
// function: no real process is signalled, no real crontab is touched. The plan pins the members the
// user saw, writes its audit record first, comments the cron line out in the fixture's crontab,
// keeps evidence, kills, watches; each step's outcome arrives as it ends.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServices } from '../../src/app/services';
import { Detector } from '../../src/detect/index';
import { toggleStep, type ContainmentPlan } from '../../src/incident/containment';
import { createIncidentService } from '../../src/incident/service';
import { ProcReader } from '../../src/procfs/reader';
import { ProcTree } from '../../src/procfs/fake';
import type { SignalFn } from '../../src/respond/index';

const SELF = 99_999;
const CRON = '/var/spool/cron/crontabs/abc';
let tree: ProcTree;
let hidden: string;

beforeEach(() => {
  tree = new ProcTree().withBaseSystem();
  hidden = '/home/abc/.x';
  const real = join(tree.root, hidden);
  mkdirSync(real, { recursive: true });
  writeFileSync(join(real, 'rcu-sched'), 'not really a miner\n');
  writeFileSync(join(real, 'sshd'), '#!/bin/sh\n./rcu-sched\n');
  tree.file(CRON, `# m h dom mon dow command\n* * * * * cd ${hidden} && ./sshd >/dev/null 2>&1\n`);
  tree.add({ pid: 3001, comm: 'sshd', ppid: 1, uid: 1001, session: 3001, exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], cwd: real, startTicks: 5000 });
  tree.add({ pid: 3002, comm: 'rcu-sched', ppid: 3001, uid: 1001, session: 3001, exe: join(real, 'rcu-sched'), cmdline: ['./rcu-sched', '-o', 'stratum+tcp://pool.example:3333'], cwd: real, startTicks: 5001 });
});
afterEach(() => tree.cleanup());

function setup(opts: { readonly?: boolean; evidenceDir?: string } = {}) {
  const signals: string[] = [];
  const kill = vi.fn<SignalFn>((pid, sig) => {
    signals.push(`${sig} ${pid}`);
    if (sig === 'SIGKILL') rmSync(join(tree.proc, String(pid)), { recursive: true, force: true }); // it dies
  });
  const evidenceDir = opts.evidenceDir ?? join(tree.base, 'evidence');
  const services = createServices({ procRoot: tree.proc, root: tree.root, evidenceDir, readonly: opts.readonly ?? false, kill, selfPid: SELF, assumeLiveProc: true });
  const svc = createIncidentService({ procRoot: tree.proc, root: tree.root, readOnly: services.readonlyReason ?? null, selfPid: SELF, runPlan: services.runPlan });
  const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
  const assessments = new Detector().assess(snap);
  const opened = svc.open(3002, snap, assessments);
  if ('error' in opened) throw new Error(opened.error);
  const audit = () => readFileSync(join(evidenceDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  return { svc, ...opened, signals, kill, evidenceDir, audit, services };
}

describe('running a containment plan', () => {
  it('freezes, keeps evidence, comments out the cron line, kills and watches; each step reported as it happens, all audited', async () => {
    const { svc, incident, plan, signals, evidenceDir, audit, services } = setup();
    expect(plan.steps.map((s) => s.kind)).toEqual(['freeze', 'evidence', 'disable', 'kill', 'watch']);
    expect(incident.members.map((m) => m.pid)).toEqual([3002, 3001]);
    const seen: string[] = [];
    const done = await svc.run(plan, incident, (p) => seen.push(p.steps.map((s) => s.status[0]).join('')));
    expect(done.phase).toBe('done');
    expect(done.steps.map((s) => `${s.kind} ${s.status}`)).toEqual(['freeze ok', 'evidence ok', 'disable ok', 'kill ok', 'watch ok']);
    expect(seen).toContain('rpppp'); // the first step running, the rest still to come
    expect(seen).toContain('oorpp'); // the disable step running after two finished
    expect(signals).toEqual(['SIGSTOP 3002', 'SIGSTOP 3001', 'SIGKILL 3002', 'SIGKILL 3001']);
    // the cron line is commented out in the fixture's crontab, a backup kept
    const cron = readFileSync(join(tree.root, CRON), 'utf8');
    expect(cron).toMatch(/^# .*minewatch.*\n?.*\* \* \* \* \* cd \/home\/abc\/\.x/m);
    expect(cron).not.toMatch(/^\* \* \* \* \* cd/m);
    expect(readdirSync(join(evidenceDir, 'persistence-backups')).length).toBeGreaterThan(0);
    // evidence of both members
    const capture = readdirSync(evidenceDir).find((d) => d.includes('pid3002'))!;
    expect(readdirSync(join(evidenceDir, capture))).toEqual(expect.arrayContaining(['SHA256SUMS', 'exe-3002.bin']));
    expect(done.steps[1].lines[0]).toMatchObject({ status: 'ok' });
    expect(done.steps[1].lines[0].text).toContain(join(evidenceDir, capture));
    expect(done.steps[3].lines.map((l) => l.status)).toEqual(['ok', 'ok']);
    expect(services.respawn.size).toBe(2);
    // one plan record first, then every signal once, the persistence change, the evidence
    const log = audit();
    expect(log[0]).toMatchObject({ action: 'plan', result: 'started' });
    expect(log[0].message).toMatch(/plan for PID 3002: freeze \(SIGSTOP\), keep evidence, disable crontab of abc, line 2, send SIGKILL, watch for a respawn/);
    expect(log.filter((r) => r.action === 'signal').map((r) => `${r.details.signal} ${r.target.pid}`)).toEqual(signals);
    expect(log.some((r) => r.action === 'persistence-change' && r.result === 'ok')).toBe(true);
    expect(log.some((r) => r.action === 'evidence')).toBe(true);
    expect(done.auditPath).toBe(join(evidenceDir, 'audit.jsonl'));
  });

  it('runs only the ticked steps: unticked ones say so and touch nothing', async () => {
    const { svc, incident, plan, signals } = setup();
    let p: ContainmentPlan = toggleStep(plan, 2); // keep the cron line
    p = toggleStep(p, 3); // do not kill
    const done = await svc.run(p, incident, () => {});
    expect(done.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'skipped', 'skipped', 'skipped']);
    expect(done.steps[2].lines[0].text).toBe('not run: unticked');
    expect(signals).toEqual(['SIGSTOP 3002', 'SIGSTOP 3001']);
    expect(readFileSync(join(tree.root, CRON), 'utf8')).toMatch(/^\* \* \* \* \* cd/m);
  });

  it('a member whose PID now belongs to another process is left alone', async () => {
    const { svc, incident, plan, signals } = setup();
    tree.add({ pid: 3001, comm: 'bash', ppid: 1, uid: 1002, exe: '/usr/bin/bash', cmdline: ['bash'], startTicks: 9000 }); // PID reused
    const done = await svc.run(plan, incident, () => {});
    expect(signals).toEqual(['SIGSTOP 3002', 'SIGKILL 3002']);
    expect(done.steps[0].lines[0]).toMatchObject({ status: 'failed', text: expect.stringMatching(/^PID 3001 left alone: .*start time changed/) });
    expect(done.steps[3].lines.some((l) => l.text.includes('3001'))).toBe(false);
  });

  it('a member that exited before the confirmation is noted, not a failure', async () => {
    const { svc, incident, plan, signals } = setup();
    tree.remove(3001);
    const done = await svc.run(plan, incident, () => {});
    expect(signals).toEqual(['SIGSTOP 3002', 'SIGKILL 3002']);
    expect(done.steps[0].lines[0]).toEqual({ text: 'PID 3001 had already exited', status: 'info' });
    expect(done.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('in --readonly shows the plan and runs nothing, saying why at each step', async () => {
    const { svc, incident, plan, kill } = setup({ readonly: true });
    expect(plan.readOnly).toMatch(/read-only/);
    const done = await svc.run(plan, incident, () => {});
    expect(kill).not.toHaveBeenCalled();
    expect(done.steps.every((s) => s.status === 'skipped' && /not run: read-only/.test(s.lines[0].text))).toBe(true);
    expect(readFileSync(join(tree.root, CRON), 'utf8')).toMatch(/^\* \* \* \* \* cd/m);
  });

  it('runs nothing when the audit record cannot be written', async () => {
    const blocked = join(tree.base, 'ev-blocked');
    mkdirSync(join(blocked, 'audit.jsonl'), { recursive: true }); // a directory where the log should be
    const { svc, incident, plan, kill } = setup({ evidenceDir: blocked });
    const done = await svc.run(plan, incident, () => {});
    expect(kill).not.toHaveBeenCalled();
    expect(done.stopped).toMatch(/nothing was done/);
    expect(done.steps.every((s) => s.status !== 'ok')).toBe(true);
    expect(readFileSync(join(tree.root, CRON), 'utf8')).toMatch(/^\* \* \* \* \* cd/m);
  });
});
