// The reader on the real /proc: kept stat descriptors, run-time gating of idle processes, re-parenting
// seen without the child running, a PID that exits. Only processes this test spawns are signalled.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcReader } from '../../src/procfs/reader';

const started: ChildProcess[] = [];
const extraPids: number[] = [];
afterEach(() => {
  for (const pid of extraPids.splice(0)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) try { c.kill('SIGKILL'); } catch { /* gone */ }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statPpid(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
}

describe.runIf(process.platform === 'linux')('ProcReader on the live /proc', () => {
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

  it('sees CPU time of a busy process', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 5000; while (Date.now() < end);'], { stdio: 'ignore' });
    started.push(child);
    const r = new ProcReader();
    r.sample();
    await sleep(400);
    r.sample();
    await sleep(400);
    expect(r.sample().processes.get(child.pid!)!.cpuPercent).toBeGreaterThan(30);
    r.close();
  });

  it('notices an idle child re-parented when its parent exits', async () => {
    // sh starts an idle sleep, prints its PID, and exits a moment later without waiting for it.
    const sh = spawn('sh', ['-c', 'sleep 30 & echo $!; sleep 0.6'], { stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(sh);
    const orphan = Number(await new Promise<string>((res) => sh.stdout!.once('data', (d) => res(String(d)))));
    extraPids.push(orphan);
    const r = new ProcReader();
    for (let i = 0; i < 3; i++) { expect(r.sample().processes.get(orphan)!.ppid).toBe(sh.pid); await sleep(60); }
    await new Promise((res) => sh.once('exit', res));
    await sleep(50);
    const actual = statPpid(orphan);
    expect(actual).not.toBe(sh.pid);
    expect(r.sample().processes.get(orphan)!.ppid).toBe(actual);
    r.close();
  });
  it('notices a long-idle process that starts burning, and never reports more than it could use', async () => {
    // idle for ~2 s (so it is checked every other tick), then one busy loop in a single thread
    const child = spawn('sh', ['-c', 'sleep 2; while :; do :; done'], { stdio: 'ignore' });
    started.push(child);
    await sleep(100);
    const r = new ProcReader();
    const cpu: number[] = [];
    for (let i = 0; i < 14; i++) {
      cpu.push(r.sample().processes.get(child.pid!)?.cpuPercent ?? -1);
      await sleep(250);
    }
    expect(cpu.slice(0, 6).every((c) => c >= 0 && c < 20)).toBe(true); // idle while sleeping
    expect(Math.max(...cpu.slice(9))).toBeGreaterThan(40); // seen busy within a tick or two
    expect(Math.max(...cpu)).toBeLessThan(130); // one thread: never a doubled figure after a rested tick
  }, 15_000);
});
