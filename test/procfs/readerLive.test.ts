// The reader on the real /proc: kept stat descriptors, run-time gating of idle processes, re-parenting
// seen without the child running, a PID that exits. Only processes this test spawns are signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readCgroup } from '../../src/procfs/pid';
import { ProcReader } from '../../src/procfs/reader';

const started: ChildProcess[] = [];
const extraPids: number[] = [];
afterEach(() => {
  for (const pid of extraPids.splice(0)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) try { c.kill('SIGKILL'); } catch { /* gone */ }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CLK = 100; // USER_HZ on Linux

function statTicks(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function statPpid(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
}

describe.runIf(process.platform === 'linux')('ProcReader on the live /proc', () => {
  it('takes the cgroups of the full sample after a quick one from one walk, the same as each process says', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    started.push(child);
    await sleep(100);
    const r = new ProcReader();
    const walk = vi.spyOn(r, 'prefetchCgroups');
    r.sample({ statOnly: true });
    expect(walk).not.toHaveBeenCalled();
    const full = r.sample();
    expect(walk).toHaveBeenCalledTimes(1);
    const own = readCgroup('/proc', child.pid!);
    expect(full.processes.get(child.pid!)?.cgroup).toBe(own);
    r.sample(); // later samples read few identities: no walk
    expect(walk).toHaveBeenCalledTimes(1);
    r.close();
  });

  it('keeps an idle process in every sample, unchanged, and drops it once it exits', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    started.push(child);
    await sleep(100);
    const r = new ProcReader();
    const seen = [];
    for (let i = 0; i < 4; i++) {
      seen.push(r.sample().processes.get(child.pid!));
      await sleep(50);
    }
    expect(seen.every((p) => p?.name === 'sleep' && p.cmdline[1] === '30' && p.ppid === process.pid)).toBe(true);
    expect(seen[3]).toBe(seen[2]); // nothing changed: the same object comes back
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    expect(r.sample().processes.has(child.pid!)).toBe(false);
    r.close();
  });

  it('sees CPU time of a busy process, as much as the kernel says it used', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 15000; while (Date.now() < end);'], { stdio: 'ignore' });
    started.push(child);
    const r = new ProcReader();
    r.sample();
    // On a loaded machine the child may get little CPU: compare with what the kernel counted over the
    // same interval rather than with a fixed figure, and wait until it has run at all.
    for (let i = 0; i < 40; i++) {
      const t0 = statTicks(child.pid!);
      const w0 = performance.now();
      await sleep(300);
      const seen = r.sample().processes.get(child.pid!)!.cpuPercent;
      const truth = ((statTicks(child.pid!) - t0) / CLK) / ((performance.now() - w0) / 1000) * 100;
      if (truth < 5) continue;
      expect(seen).toBeGreaterThan(0);
      // the reader and this test read the child's stat a moment apart: near, not equal
      expect(Math.abs(seen - truth)).toBeLessThan(Math.max(30, truth * 0.6));
      r.close();
      return;
    }
    throw new Error('the busy child never ran');
  }, 20_000);

  it('notices an idle child re-parented when its parent exits', async () => {
    // sh starts an idle sleep, prints its PID, and exits when its stdin closes, without waiting for it.
    const sh = spawn('sh', ['-c', 'sleep 30 & echo $!; read x'], { stdio: ['pipe', 'pipe', 'ignore'] });
    started.push(sh);
    const orphan = Number(await new Promise<string>((res) => sh.stdout!.once('data', (d) => res(String(d)))));
    extraPids.push(orphan);
    const r = new ProcReader();
    for (let i = 0; i < 3; i++) { expect(r.sample().processes.get(orphan)!.ppid).toBe(sh.pid); await sleep(60); }
    const exited = new Promise((res) => sh.once('exit', res));
    sh.stdin!.end();
    await exited;
    for (let i = 0; i < 100 && statPpid(orphan) === sh.pid; i++) await sleep(20);
    const actual = statPpid(orphan);
    expect(actual).not.toBe(sh.pid);
    expect(r.sample().processes.get(orphan)!.ppid).toBe(actual);
    r.close();
  });
  it('notices a long-idle process that starts burning, and never reports more than it could use', async () => {
    // idle until told (long enough to rest: checked only one tick in 16 unless the kernel's CPU total
    // says someone unread ran), then one busy loop in a single thread
    const child = spawn('sh', ['-c', 'read x; while :; do :; done'], { stdio: ['pipe', 'ignore', 'ignore'] });
    started.push(child);
    await sleep(100);
    const r = new ProcReader();
    const cpu: number[] = [];
    const truth: number[] = [];
    let t0 = statTicks(child.pid!);
    let w0 = performance.now();
    const IDLE = 8;
    for (let i = 0; i < IDLE + 6; i++) {
      if (i === IDLE) child.stdin!.write('go\n');
      cpu.push(r.sample().processes.get(child.pid!)?.cpuPercent ?? -1);
      const t1 = statTicks(child.pid!);
      const w1 = performance.now();
      truth.push(((t1 - t0) / CLK) / ((w1 - w0) / 1000) * 100);
      t0 = t1; w0 = w1;
      await sleep(250);
    }
    const seen = JSON.stringify({ cpu: cpu.map(Math.round), truth: truth.map(Math.round) });
    expect(cpu.slice(0, IDLE).every((c) => c === 0), seen).toBe(true); // idle while waiting
    // Seen busy within a tick or two, as busy as the kernel counted (a loaded machine may give it little).
    expect(Math.max(...truth.slice(IDLE + 1)), seen).toBeGreaterThan(2);
    expect(Math.max(...cpu.slice(IDLE + 1, IDLE + 3)), seen).toBeGreaterThan(Math.min(40, Math.max(...truth.slice(IDLE, IDLE + 3)) * 0.5));
    expect(Math.max(...cpu), seen).toBeLessThan(130); // one thread: never a doubled figure after a rested tick
  }, 30_000);

  it('a one-shot reader keeps no descriptor between samples; a long-lived one does', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    started.push(child);
    await sleep(100);
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    const once = new ProcReader({ keepDescriptors: false });
    once.sample({ statOnly: true });
    once.readIdentities();
    const s = once.sample();
    expect(open()).toBe(before);
    expect(s.processes.get(child.pid!)).toMatchObject({ name: 'sleep', cmdline: ['sleep', '30'], pidNsDepth: 1 });
    const kept = new ProcReader();
    kept.sample({ statOnly: true });
    // the first frame's pass keeps none either (growing the descriptor table waits on RCU): the full ones do
    expect(open()).toBeLessThanOrEqual(before + 1);
    kept.sample();
    kept.sample();
    expect(open()).toBeGreaterThan(before + 1);
    kept.close();
    expect(open()).toBe(before);
  });
});
