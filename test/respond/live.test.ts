// The only tests that send real signals: to children spawned here, by the PID spawn returned.
import { ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { useOwnChildren } from '../helpers/children';
import { killFamily } from '../../src/respond/family';
import { defaultSignalFn, sendSignal } from '../../src/respond/signal';
import { pinTarget, PinnedTarget } from '../../src/respond/target';

const { children } = useOwnChildren();

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
  it('freezes then terminates a family with SIGTERM (continued so it can act on it)', async () => {
    const a = child();
    const b = child();
    const targets = [await pinLive(a), await pinLive(b)];
    const res = killFamily(targets, { kill: defaultSignalFn, selfPid: process.pid }, { signal: 'SIGTERM' });
    expect(res.map((r) => r.ok)).toEqual([true, true]);
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
