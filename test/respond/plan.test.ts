// The response routine on a fixture /proc with an INJECTED signal function: no real process is signalled.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProcessInfo, Snapshot } from '../../src/model';
import { AuditError, AuditLog, type AuditInput } from '../../src/respond/audit';
import { prepareResponse, runPlan, standardPlan, type PlanDeps, type ResponsePrep, type StepOutcome } from '../../src/respond/plan';
import type { SignalFn } from '../../src/respond/signal';
import { FakeProcRoot, procInfo, tempDir, type FakeProc } from './fixture';

let proc: FakeProcRoot;
let work: string;
let bin: string;
const SELF = 99_000;

// launcher script 700 (setsid'd, no tty) -> miner 710 -> worker 711; watchdog 720 started by 700.
const family: FakeProc[] = [
  { pid: 700, comm: 'sshd', ppid: 1, session: 700, startTicks: 700 },
  { pid: 710, comm: 'rcu-sched', ppid: 700, session: 700, startTicks: 710 },
  { pid: 711, comm: 'worker', ppid: 710, session: 700, startTicks: 711 },
  { pid: 720, comm: 'watchdog', ppid: 700, session: 700, startTicks: 720 },
];

beforeEach(() => {
  proc = new FakeProcRoot();
  work = tempDir('mw-plan-');
  bin = path.join(work, 'm');
  fs.writeFileSync(bin, 'miner');
  proc.add({ pid: 1, comm: 'init', ppid: 0, uid: 0, exe: null });
  proc.add({ pid: SELF, comm: 'minewatch', ppid: 1, uid: 0, exe: null });
  for (const f of family) proc.add({ ...f, exe: bin, uid: 1000 });
});
afterEach(() => {
  proc.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

function snapshot(over: Record<number, Partial<ProcessInfo>> = {}): Snapshot {
  const processes = new Map<number, ProcessInfo>();
  processes.set(1, procInfo(1, 0, { name: 'init', uid: 0, exe: '/sbin/init', startTicks: 1000 }));
  for (const f of family) processes.set(f.pid, procInfo(f.pid, f.ppid!, { name: f.comm, session: f.session, startTicks: f.startTicks, exe: bin, ...over[f.pid] }));
  return { takenAt: 0, intervalMs: 0, bootTime: 0, processes, connections: new Map(), host: { clockTicks: 100 } as Snapshot['host'], root: true, unreadableExe: 0, warnings: [] };
}

function prep(pid = 710, snap = snapshot(), live = true): ResponsePrep {
  const r = prepareResponse(pid, snap, new Map(), { procRoot: proc.root, root: '/', live, selfPid: SELF });
  if ('error' in r) throw new Error(r.error);
  return r;
}

function deps(over: Partial<PlanDeps> = {}): PlanDeps & { kill: ReturnType<typeof vi.fn<SignalFn>> } {
  const kill = vi.fn<SignalFn>();
  return {
    procRoot: proc.root, root: '/', live: true, selfPid: SELF, evidenceDir: path.join(work, 'ev'), scope: 'family', kill,
    audit: new AuditLog(path.join(work, 'ev', 'audit.jsonl')), exitWaitMs: 0, ...over,
  } as PlanDeps & { kill: ReturnType<typeof vi.fn<SignalFn>> };
}

const auditLines = () => fs.readFileSync(path.join(work, 'ev', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('prepareResponse', () => {
  it('pins the target and its family as seen: launcher, descendants, the launcher\'s other children', () => {
    const p = prep();
    expect(p.target.pid).toBe(710);
    expect(p.family.map((m) => [m.pid, m.role])).toEqual([[710, 'target'], [700, 'launcher'], [711, 'descendant'], [720, 'descendant']]);
    expect(p.members.map((m) => m.pid)).toEqual([700, 711, 720]);
    expect(p.refusal).toBeNull();
    expect(p.readOnly).toBeNull();
    expect(p.protectedPids).toEqual([1]);
  });

  it('drops a member whose PID was reused since the snapshot, and refuses a target that was', () => {
    proc.rewriteStat({ pid: 720, comm: 'innocent', ppid: 700, session: 700, startTicks: 99_999 });
    const p = prep();
    expect(p.members.map((m) => m.pid)).toEqual([700, 711]);
    expect(p.excluded.find((e) => e.pid === 720)?.why).toMatch(/no longer the process shown/);
    proc.rewriteStat({ pid: 710, comm: 'innocent', ppid: 700, session: 700, startTicks: 99_999 });
    const r = prepareResponse(710, snapshot(), new Map(), { procRoot: proc.root, root: '/', live: true, selfPid: SELF });
    expect(r).toEqual({ error: expect.stringMatching(/PID 710 is no longer the process shown/) });
  });

  it('marks a fixture /proc read-only', () => {
    expect(prep(710, snapshot(), false).readOnly).toMatch(/not the live \/proc.*read-only/);
  });
});

describe('runPlan', () => {
  it('SIGKILL on a family: exactly one SIGSTOP and one SIGKILL per member, each audited once, freeze before any kill', async () => {
    const d = deps();
    const seen: StepOutcome[] = [];
    const r = await runPlan(prep(), standardPlan('SIGKILL'), d, (o) => seen.push(o));
    const calls = d.kill.mock.calls.map(([pid, sig]) => `${pid}:${sig}`);
    for (const pid of [700, 710, 711, 720]) {
      expect(calls.filter((c) => c === `${pid}:SIGSTOP`), `${pid}`).toHaveLength(1);
      expect(calls.filter((c) => c === `${pid}:SIGKILL`), `${pid}`).toHaveLength(1);
    }
    expect(calls).toHaveLength(8);
    expect(calls.slice(0, 4).every((c) => c.endsWith('SIGSTOP'))).toBe(true);
    const signals = auditLines().filter((l) => l.action === 'signal');
    expect(signals.map((l) => `${l.target.pid}:${l.details.signal}`).sort()).toEqual([...calls].sort());
    expect(auditLines()[0]).toMatchObject({ action: 'plan', result: 'started' });
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => [s.step.kind, s.status])).toEqual([['freeze', 'ok'], ['evidence', 'ok'], ['signal', 'ok'], ['watch', 'skipped']]);
    expect(seen.map((o) => o.status)).toEqual(['running', 'ok', 'running', 'ok', 'running', 'ok', 'running', 'skipped']);
    expect(r.lines[r.lines.length - 1]).toMatch(/^audit log: /);
  });

  it('SIGTERM resumes each frozen member once so it can act on it; the target alone when scope is target', async () => {
    const d = deps({ scope: 'target' });
    await runPlan(prep(), standardPlan('SIGTERM'), d);
    expect(d.kill.mock.calls.map(([pid, sig]) => `${pid}:${sig}`)).toEqual(['710:SIGSTOP', '710:SIGTERM', '710:SIGCONT']);
  });

  it('does nothing when the audit log cannot be written (a symlink planted in its place)', async () => {
    fs.mkdirSync(path.join(work, 'ev'), { mode: 0o700 });
    fs.symlinkSync(path.join(work, 'elsewhere'), path.join(work, 'ev', 'audit.jsonl'));
    const d = deps();
    const r = await runPlan(prep(), standardPlan('SIGKILL'), d);
    expect(d.kill).not.toHaveBeenCalled();
    expect(r.ok).toBe(false);
    expect(r.stopped).toMatch(/audit log cannot be written.*symlink.*nothing was done/);
    expect(fs.existsSync(path.join(work, 'elsewhere'))).toBe(false);
  });

  it('stops at the first signal whose audit record fails', async () => {
    class Flaky extends AuditLog {
      n = 0;
      append(input: AuditInput) {
        if (input.action === 'signal' && ++this.n === 2) throw new AuditError('the audit log cannot be written: disk full');
        return super.append(input);
      }
    }
    const d = deps({ audit: new Flaky(path.join(work, 'ev', 'audit.jsonl')) });
    const r = await runPlan(prep(), standardPlan('SIGKILL'), d);
    expect(d.kill.mock.calls).toHaveLength(2);
    expect(d.kill.mock.calls.every(([, sig]) => sig === 'SIGSTOP')).toBe(true);
    expect(r.stopped).toMatch(/disk full: the plan stopped/);
  });

  it('sends nothing on a fixture /proc, nor in --readonly', async () => {
    const d = deps({ live: false });
    const r = await runPlan(prep(710, snapshot(), false), standardPlan('SIGKILL'), d);
    expect(d.kill).not.toHaveBeenCalled();
    expect(r.stopped).toMatch(/read-only/);
    const ro = deps({ readonly: true });
    expect((await runPlan(prep(), standardPlan('SIGKILL'), ro)).stopped).toMatch(/--readonly/);
    expect(ro.kill).not.toHaveBeenCalled();
  });

  it('re-verifies each member before each signal: a PID reused after the dialog opened gets nothing', async () => {
    const p = prep();
    proc.rewriteStat({ pid: 720, comm: 'innocent', ppid: 1, session: 5, startTicks: 99_999 });
    const d = deps();
    const r = await runPlan(p, standardPlan('SIGKILL'), d);
    expect(d.kill.mock.calls.filter(([pid]) => pid === 720)).toEqual([]);
    expect(r.steps[0].members.find((m) => m.pid === 720)).toMatchObject({ outcome: 'refused', message: expect.stringMatching(/start time changed/) });
    expect(r.steps[2].members.find((m) => m.pid === 720)?.outcome).toBe('skipped');
    expect(r.steps[0].status).toBe('partial');
  });

  it('reports a PID-namespace init that ignores SIGTERM as still running', async () => {
    const status = path.join(proc.root, '710', 'status');
    fs.writeFileSync(status, 'Name:\trcu-sched\nUid:\t1000\t1000\t1000\t1000\nNSpid:\t710\t1\n');
    const d = deps({ scope: 'target', exitWaitMs: 60 });
    const p = prep();
    expect(p.target.nsInit).toBe(true);
    const r = await runPlan(p, standardPlan('SIGTERM'), d);
    const m = r.steps[2].members[0];
    expect(m.stillRunning).toBe(true);
    expect(m.message).toMatch(/still running .*init of a PID namespace/);
    expect(r.lines.join('\n')).toMatch(/still running/);
  });

  it('refuses PID 1 and minewatch itself without sending anything', async () => {
    const snap = snapshot();
    snap.processes.set(SELF, procInfo(SELF, 1, { name: 'minewatch', uid: 0, exe: null, startTicks: 1000 }));
    for (const pid of [1, SELF]) {
      const p = prepareResponse(pid, snap, new Map(), { procRoot: proc.root, root: '/', live: true, selfPid: SELF });
      if ('error' in p) throw new Error(p.error);
      const d = deps();
      const r = await runPlan(p, standardPlan('SIGKILL'), d);
      expect(d.kill).not.toHaveBeenCalled();
      expect(r.stopped).toMatch(/refused/);
    }
  });
});
