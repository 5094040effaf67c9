import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/respond/audit';
import { ancestorsOf, refusal } from '../../src/respond/guard';
import { parseStat } from '../../src/respond/procread';
import { sendSignal, SignalFn } from '../../src/respond/signal';
import { pinTarget, PinnedTarget, verifyTarget } from '../../src/respond/target';
import { FakeProc, FakeProcRoot, tempDir } from './fixture';

const auditDirs: string[] = [];
function auditDir(): string {
  const d = tempDir('mw-audit-');
  auditDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of auditDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});


let proc: FakeProcRoot;
let bin: string;
let exeA: string;
let exeB: string;
const miner: FakeProc = { pid: 4242, comm: 'rcu-sched', ppid: 1, startTicks: 5000, uid: 1000, cmdline: ['rcu-sched', '-o', 'pool:3333'] };

beforeEach(() => {
  proc = new FakeProcRoot();
  bin = tempDir('mw-bin-');
  exeA = path.join(bin, 'a');
  exeB = path.join(bin, 'b');
  fs.writeFileSync(exeA, 'binary A');
  fs.writeFileSync(exeB, 'binary B');
  proc.add({ ...miner, exe: exeA });
});
afterEach(() => {
  proc.cleanup();
  fs.rmSync(bin, { recursive: true, force: true });
});

function pin(pid = 4242): PinnedTarget {
  const t = pinTarget(pid, { procRoot: proc.root });
  if ('error' in t) throw new Error(t.error);
  return t;
}

function deps(kill: SignalFn, extra: Partial<Parameters<typeof sendSignal>[2]> = {}) {
  return { kill, procRoot: proc.root, selfPid: 99999, ancestorPids: [99998], ...extra };
}

describe('parseStat', () => {
  it('finds fields after the LAST ")" even when the name contains ") "', () => {
    const s = parseStat('77 (evil) R 1 2 3 4) S 555 77 77 0 -1 4194560 0 0 0 0 1 2 0 0 20 0 1 0 31337 0 0\n');
    expect(s?.comm).toBe('evil) R 1 2 3 4');
    expect(s?.ppid).toBe(555);
    expect(s?.startTicks).toBe(31337);
  });
  it('rejects garbage', () => {
    expect(parseStat('no parens here')).toBeNull();
  });
});

describe('pinTarget / verifyTarget', () => {
  it('pins pid, start time, exe path and inode, uid, name and cmdline', () => {
    const t = pin();
    expect(t).toMatchObject({ pid: 4242, startTicks: 5000, exe: exeA, uid: 1000, name: 'rcu-sched', kernelThread: false });
    expect(t.cmdline).toEqual(['rcu-sched', '-o', 'pool:3333']);
    expect(t.exeIno).toBe(fs.statSync(exeA).ino);
    expect(verifyTarget(t, { procRoot: proc.root })).toEqual({ ok: true });
  });

  it('notes a deleted executable', () => {
    proc.setExe(4242, exeA + ' (deleted)');
    const t = pin();
    expect(t.exe).toBe(exeA);
    expect(t.exeDeleted).toBe(true);
  });

  it('returns an error for a missing pid', () => {
    expect(pinTarget(31337, { procRoot: proc.root })).toHaveProperty('error');
    expect(pinTarget(0, { procRoot: proc.root })).toHaveProperty('error');
  });

  it('detects a changed start time (PID reuse)', () => {
    const t = pin();
    proc.rewriteStat({ ...miner, startTicks: 9999 });
    const v = verifyTarget(t, { procRoot: proc.root });
    expect(v).toEqual({ ok: false, reason: 'PID 4242 now belongs to another process (start time changed): nothing was sent' });
  });

  it('detects a different executable (path, then inode)', () => {
    const t = pin();
    proc.setExe(4242, exeB);
    expect(verifyTarget(t, { procRoot: proc.root })).toMatchObject({ ok: false, reason: expect.stringContaining('different program') });
    // Same path, new file: the inode changes.
    proc.setExe(4242, exeA);
    // Write the new file before the old one goes away so the inode number cannot be reused.
    fs.writeFileSync(exeA + '.new', 'replaced');
    fs.renameSync(exeA + '.new', exeA);
    expect(verifyTarget(t, { procRoot: proc.root })).toMatchObject({ ok: false, reason: expect.stringContaining('inode changed') });
  });

  it('detects an exited process and a zombie', () => {
    const t = pin();
    proc.rewriteStat({ ...miner, state: 'Z' });
    expect(verifyTarget(t, { procRoot: proc.root })).toMatchObject({ ok: false, reason: expect.stringContaining('zombie') });
    proc.remove(4242);
    expect(verifyTarget(t, { procRoot: proc.root })).toEqual({ ok: false, reason: 'process 4242 has already exited: nothing was sent' });
  });
});

describe('refusal / ancestorsOf', () => {
  const ctx = { selfPid: 500, ancestorPids: [400, 300, 1], kernelThread: false };
  it('refuses PID 1, kernel threads, minewatch and its ancestors, and group pids', () => {
    expect(refusal({ pid: 1 }, ctx)).toMatch(/PID 1/);
    expect(refusal({ pid: 77 }, { ...ctx, kernelThread: true })).toMatch(/kernel thread/);
    expect(refusal({ pid: 500 }, ctx)).toMatch(/minewatch itself/);
    expect(refusal({ pid: 300 }, ctx)).toMatch(/ancestors/);
    expect(refusal({ pid: 0 }, ctx)).toMatch(/not a single process/);
    expect(refusal({ pid: -42 }, ctx)).toMatch(/not a single process/);
  });
  it('allows an ordinary process', () => {
    expect(refusal({ pid: 4242 }, ctx)).toBeNull();
  });
  it('reads the ppid chain', () => {
    proc.add({ pid: 300, ppid: 1 });
    proc.add({ pid: 400, ppid: 300 });
    proc.add({ pid: 500, ppid: 400 });
    expect(ancestorsOf(500, proc.root)).toEqual([400, 300, 1]);
    // A loop in a corrupted tree terminates.
    proc.rewriteStat({ pid: 300, ppid: 500 });
    expect(ancestorsOf(500, proc.root)).toEqual([400, 300]);
  });
  it('finds the real ancestors of this test process', () => {
    expect(ancestorsOf(process.pid)[0]).toBe(process.ppid);
  });
});

describe('sendSignal', () => {
  it('sends after verification and logs it', () => {
    const kill = vi.fn();
    const dir = auditDir();
    const audit = new AuditLog(path.join(dir, 'audit.jsonl'));
    const r = sendSignal(pin(), 'SIGTERM', deps(kill, { audit }));
    expect(r).toMatchObject({ ok: true, pid: 4242, signal: 'SIGTERM', outcome: 'sent' });
    expect(kill).toHaveBeenCalledExactlyOnceWith(4242, 'SIGTERM');
    const line = JSON.parse(fs.readFileSync(audit.path, 'utf8').trim());
    expect(line).toMatchObject({ action: 'signal', result: 'sent', target: { pid: 4242, startTicks: 5000, exe: exeA, uid: 1000 } });
  });

  it('never calls kill when the start time changed between pin and send', () => {
    const kill = vi.fn();
    const t = pin();
    proc.rewriteStat({ ...miner, startTicks: 5001 });
    const r = sendSignal(t, 'SIGKILL', deps(kill));
    expect(kill).not.toHaveBeenCalled();
    expect(r).toMatchObject({ ok: false, outcome: 'refused', message: 'PID 4242 now belongs to another process (start time changed): nothing was sent' });
  });

  it('refuses PID 1, a kernel thread, self and ancestors without calling kill', () => {
    const kill = vi.fn();
    proc.add({ pid: 1, comm: 'init', ppid: 0, uid: 0, exe: exeB });
    proc.add({ pid: 12, comm: 'kworker/0:1', ppid: 2, uid: 0, flags: 0x00208040, exe: null });
    proc.add({ pid: 777, comm: 'node', ppid: 776, exe: exeB });
    proc.add({ pid: 776, comm: 'bash', ppid: 1, exe: exeB, ttyNr: 34816 });
    const d = deps(kill, { selfPid: 777, ancestorPids: undefined });
    expect(sendSignal(pin(1), 'SIGKILL', d).message).toMatch(/^refused: PID 1 /);
    expect(sendSignal(pin(12), 'SIGKILL', d).message).toMatch(/kernel thread/);
    expect(sendSignal(pin(777), 'SIGKILL', d).message).toMatch(/minewatch itself/);
    // Ancestors read from procRoot when not given.
    expect(sendSignal(pin(776), 'SIGKILL', d).message).toMatch(/ancestors/);
    expect(kill).not.toHaveBeenCalled();
    // The control: an unrelated process in the same tree is signalled.
    expect(sendSignal(pin(4242), 'SIGKILL', d).ok).toBe(true);
    expect(kill).toHaveBeenCalledTimes(1);
  });

  it('refuses when a process turned into a kernel thread after pinning (flags re-read)', () => {
    const kill = vi.fn();
    const t = pin();
    proc.rewriteStat({ ...miner, flags: 0x00200000 });
    expect(sendSignal(t, 'SIGSTOP', deps(kill)).outcome).toBe('refused');
    expect(kill).not.toHaveBeenCalled();
  });

  const errno = (code: string) => Object.assign(new Error(`kill ${code}`), { code });

  it('maps EPERM, ESRCH and other errors to words', () => {
    fs.mkdirSync(path.join(proc.root, 'etc'));
    fs.writeFileSync(path.join(proc.root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nabc:x:1000:1000::/home/abc:/bin/sh\n');
    const t = pinTarget(4242, { procRoot: proc.root, root: proc.root }) as PinnedTarget;
    expect(t.user).toBe('abc');
    const eperm = sendSignal(t, 'SIGKILL', deps(() => { throw errno('EPERM'); }));
    expect(eperm).toMatchObject({ ok: false, outcome: 'failed', code: 'EPERM', message: 'not permitted: PID 4242 belongs to user abc; run minewatch as root' });
    const esrch = sendSignal(t, 'SIGKILL', deps(() => { throw errno('ESRCH'); }));
    expect(esrch.message).toBe('process 4242 has already exited');
    const other = sendSignal(t, 'SIGKILL', deps(() => { throw errno('EINVAL'); }));
    expect(other.message).toMatch(/^could not send SIGKILL to PID 4242: EINVAL/);
  });

  it('audits sent, refused and failed attempts, one JSON line each', () => {
    const dir = auditDir();
    const audit = new AuditLog(path.join(dir, 'sub', 'audit.jsonl'));
    const t = pin();
    sendSignal(t, 'SIGSTOP', deps(vi.fn(), { audit }));
    sendSignal(t, 'SIGKILL', deps(() => { throw errno('EPERM'); }, { audit }));
    proc.rewriteStat({ ...miner, startTicks: 1 });
    sendSignal(t, 'SIGKILL', deps(vi.fn(), { audit }));
    const lines = fs.readFileSync(audit.path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.action, l.result, l.details.signal])).toEqual([
      ['signal', 'sent', 'SIGSTOP'],
      ['signal', 'failed', 'SIGKILL'],
      ['refused', 'refused', 'SIGKILL'],
    ]);
    for (const l of lines) {
      expect(new Date(l.time).toISOString()).toBe(l.time);
      expect(l.actor).toMatchObject({ uid: process.getuid!(), pid: process.pid });
      expect(typeof l.actor.user).toBe('string');
      expect(l.target).toEqual({ pid: 4242, startTicks: 5000, exe: exeA, uid: 1000 });
      expect(typeof l.message).toBe('string');
    }
    expect(fs.statSync(audit.path).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(audit.path)).mode & 0o777).toBe(0o700);
  });

  it('sanitizes a hostile name in messages', () => {
    proc.rewriteStat({ ...miner, comm: 'x\u001b[2Jy' });
    const r = sendSignal(pin(), 'SIGTERM', deps(vi.fn()));
    expect(r.message).not.toContain('\u001b');
    expect(r.message).toContain('x\\x1b[2Jy');
  });
});
