// The only tests that send real signals: to children spawned here, by the PID spawn returned.
import { ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { useOwnChildren } from '../helpers/children';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from '../../src/respond/audit';
import { isLiveProc } from '../../src/procfs/live';
import { prepareResponse, runPlan, standardPlan } from '../../src/respond/plan';
import type { Snapshot } from '../../src/model';
import { procInfo } from './fixture';
import { defaultSignalFn, sendSignal } from '../../src/respond/signal';
import { pinTarget, PinnedTarget } from '../../src/respond/target';

const { children, dirs } = useOwnChildren();

function child(): ChildProcess {
  const c = spawn('/bin/sleep', ['300'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

const exited = (c: ChildProcess) =>
  new Promise<NodeJS.Signals | null>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve(c.signalCode);
    else c.once('exit', (_code, sig) => resolve(sig));
  });

async function pinLive(c: ChildProcess): Promise<PinnedTarget> {
  for (let i = 0; i < 200; i++) {
    const t = pinTarget(c.pid!);
    if (!('error' in t) && t.exe?.endsWith('/sleep')) return t;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('child did not start');
}

describe('live signalling of our own children', () => {
  it('the response routine freezes, keeps evidence and terminates a family with SIGTERM (continued so it can act on it)', async () => {
    expect(isLiveProc('/proc')).toBe(true);
    const a = child();
    const b = child();
    const [ta, tb] = [await pinLive(a), await pinLive(b)];
    // As the dashboard saw it: b runs under a (the family is built from the snapshot, pinned from /proc).
    const processes = new Map([
      [ta.pid, procInfo(ta.pid, process.pid, { startTicks: ta.startTicks, exe: ta.exe, uid: ta.uid, name: 'sleep' })],
      [tb.pid, procInfo(tb.pid, ta.pid, { startTicks: tb.startTicks, exe: tb.exe, uid: tb.uid, name: 'sleep' })],
    ]);
    const snap = { processes, bootTime: 0, host: { clockTicks: 100 } } as unknown as Snapshot;
    const prep = prepareResponse(ta.pid, snap, new Map(), { procRoot: '/proc', root: '/', live: true });
    if ('error' in prep) throw new Error(prep.error);
    expect(prep.members.map((m) => m.pid)).toEqual([tb.pid]);
    const ev = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-live-ev-'));
    dirs.push(ev);
    const r = await runPlan(prep, standardPlan('SIGTERM'), {
      procRoot: '/proc', root: '/', live: true, evidenceDir: ev, scope: 'family', kill: defaultSignalFn, audit: new AuditLog(path.join(ev, 'audit.jsonl')),
    });
    expect(r.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'skipped']);
    expect(r.steps[2].members.every((m) => m.stillRunning !== true)).toBe(true);
    expect(await exited(a)).toBe('SIGTERM');
    expect(await exited(b)).toBe('SIGTERM');
  });

  it('does not signal a pinned child after it exited and was reaped', async () => {
    const c = child();
    const t = await pinLive(c);
    process.kill(c.pid!, 'SIGKILL');
    await exited(c);
    const kill = vi.fn(defaultSignalFn);
    const r = sendSignal(t, 'SIGKILL', { kill, selfPid: process.pid });
    expect(kill).not.toHaveBeenCalled();
    expect(r.outcome).toBe('refused');
    // Either the PID is gone, or (rarely) already reused by another process: both are refused.
    expect(r.message).toMatch(/has already exited|now belongs to another process/);
  });
});
