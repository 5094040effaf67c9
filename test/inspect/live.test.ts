// Live tests on the real /proc. They only touch processes they spawned themselves and kill those by
// PID in afterEach; temp files are removed afterwards.

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useOwnChildren } from '../helpers/children';
import { hashFile } from '../../src/inspect/executable';
import { inspectProcess, inspectQuick } from '../../src/inspect/index';

const SLEEP = fs.realpathSync('/usr/bin/sleep');
const { children, dirs: tempDirs } = useOwnChildren();

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'minewatch-inspect-live-'));
  tempDirs.push(d);
  return d;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Spawn `exe 30` and wait until the child has exec'd it (its /proc exe link points at it). */
async function spawnSleeper(exe: string): Promise<number> {
  const child = spawn(exe, ['30'], { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid!;
  expect(pid).toBeGreaterThan(0);
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/exe`).startsWith(exe)) return pid;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`child ${pid} did not exec ${exe}`);
}

describe('live /proc', () => {
  it('inspects its own sleep child: exe, hash, cmdline, parent; no miner strings in coreutils', async () => {
    const pid = await spawnSleeper(SLEEP);
    const t0 = process.cpuUsage(); // CPU time: a loaded machine must not fail the test
    const q = inspectQuick(pid);
    const used = process.cpuUsage(t0);
    expect((used.user + used.system) / 1000).toBeLessThan(200);
    expect(q.executable.ok && q.executable.data.sha256).toBe(null);

    const r = await inspectProcess(pid);
    if (!r.executable.ok) throw new Error(r.executable.reason);
    expect(r.executable.data.path).toBe(SLEEP);
    expect(r.executable.data.deleted).toBe(false);
    expect(r.executable.data.sha256).toBe(sha256(SLEEP));
    expect(r.executable.data.md5).toBe(crypto.createHash('md5').update(fs.readFileSync(SLEEP)).digest('hex'));
    expect(r.executable.data.fileType).toMatch(/^ELF (64|32)-bit/);
    expect(r.executable.data.stringsHits).toEqual([]);
    expect(r.cmdline).toEqual({ ok: true, data: [SLEEP, '30'] });
    if (!r.identity.ok) throw new Error(r.identity.reason);
    expect(r.identity.data.ppid).toBe(process.pid);
    expect(r.identity.data.ancestry[0]?.pid).toBe(process.pid);
    expect(r.identity.data.ancestry.at(-1)?.pid).toBe(1);
    expect(r.identity.data.uid).toBe(process.getuid!());
    expect(Math.abs(r.identity.data.startTime - Date.now())).toBeLessThan(60_000);
  });

  it('hashes a deleted executable through /proc/PID/exe', async () => {
    const dir = tempDir();
    const copy = path.join(dir, 'kworker');
    fs.copyFileSync(SLEEP, copy);
    fs.chmodSync(copy, 0o755);
    const expected = sha256(copy);
    const pid = await spawnSleeper(copy);
    fs.unlinkSync(copy);
    const r = await inspectProcess(pid);
    if (!r.executable.ok) throw new Error(r.executable.reason);
    expect(r.executable.data).toMatchObject({ path: copy, deleted: true, memfd: false, sha256: expected });
    if (!r.memoryMaps.ok) throw new Error(r.memoryMaps.reason);
    expect(r.memoryMaps.data.deletedLibs).toContain(copy);
  });

  it('a process that has exited is reported as such', async () => {
    const child = spawn(SLEEP, ['0'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    const r = await inspectProcess(pid);
    expect(r.identity).toEqual({ ok: false, reason: 'process has exited' });
    expect(r.executable).toEqual({ ok: false, reason: 'process has exited' });
  });
});

describe('hashing a large file', () => {
  const SIZE = 200 * 1024 * 1024;

  function bigFile(): { file: string; head: Buffer } {
    const file = path.join(tempDir(), 'big.bin');
    const head = Buffer.from('\x7fELF....stratum+tcp://pool.example.com:3333\0', 'latin1');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, head, 0, head.length, 0);
    fs.ftruncateSync(fd, SIZE); // sparse: quick to create, real to read
    fs.closeSync(fd);
    return { file, head };
  }

  function expectedSha256(file: string): string {
    const h = crypto.createHash('sha256');
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(8 * 1024 * 1024);
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
    fs.closeSync(fd);
    return h.digest('hex');
  }

  it('streams 200 MB without blocking the event loop, reporting progress', async () => {
    const { file } = bigFile();
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 10);
    const progress: [number, number][] = [];
    const tickAt: number[] = []; // timer ticks seen before each progress report
    let r;
    try {
      last = performance.now();
      r = await hashFile(file, { onProgress: (d, t) => { progress.push([d, t]); tickAt.push(ticks); } });
    } finally {
      clearInterval(timer);
    }
    expect(r.bytes).toBe(SIZE);
    expect(r.sha256).toBe(expectedSha256(file));
    expect(r.stringsHits).toEqual([{ kind: 'stratum', text: 'stratum+tcp://pool.example.com:3333' }]);
    expect(r.stringsScanned).toBe(32 * 1024 * 1024);
    expect(progress.length).toBeGreaterThan(100);
    expect(progress.at(-1)).toEqual([SIZE, SIZE]);
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThan(progress[i - 1]![0]);
    expect(ticks).toBeGreaterThan(5);
    // The timer ran all along: no long run of progress reports without a timer tick between them.
    // (Counted in reports, not milliseconds, so a loaded machine slows both alike.)
    const perTick = new Map<number, number>();
    for (const t of tickAt) perTick.set(t, (perTick.get(t) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBeLessThan(Math.max(20, progress.length / 5));
    expect(maxGap).toBeGreaterThan(0);
  });

  it('aborts on signal and stops reading', async () => {
    const { file } = bigFile();
    const ac = new AbortController();
    let calls = 0;
    let doneAtAbort = 0;
    const p = hashFile(file, {
      signal: ac.signal,
      onProgress: (d) => {
        calls++;
        if (calls === 3) {
          doneAtAbort = d;
          ac.abort();
        }
      },
    });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(doneAtAbort).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(4);
  });

  it('inspectProcess rejects at once with an already-aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(inspectProcess(process.pid, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
