// The content collector works in the background of the dashboard: between two candidates it gives the
// event loop a turn, so keys and frames never wait for a batch of looks. Live: harmless sleeps of our own
// whose working directory holds a miner's config.json; each is signalled by its PID and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentCollector } from '../../src/content/collector';
import type { Assessment, Finding } from '../../src/model';
import { ProcReader } from '../../src/procfs/reader';

const kids: ChildProcess[] = [];
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mw-content-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ 'donate-level': 1, pools: [{ url: 'pool.invalid:3333', user: 'w' }] }));
  for (let i = 0; i < 6; i++) kids.push(spawn('sleep', ['60'], { cwd: dir, stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 150));
});

afterAll(() => {
  for (const k of kids) if (k.pid && k.exitCode === null) try { process.kill(k.pid, 'SIGKILL'); } catch { /* gone */ }
  rmSync(dir, { recursive: true, force: true });
});

describe('ContentCollector.update', () => {
  it('finds the config of every candidate, giving the event loop a turn between candidates', async () => {
    const r = new ProcReader({ keepDescriptors: false });
    const snapshot = r.sample();
    r.close();
    const pids = kids.map((k) => k.pid!);
    for (const pid of pids) expect(snapshot.processes.get(pid)?.cwd).toBe(dir);
    // flagged (a finding of weight 2 or more makes a process a candidate)
    const finding = { id: 'H01', weight: 3, severity: 'medium', title: 't', explanation: 'e', attack: [] } as unknown as Finding;
    const assessments = new Map<number, Assessment>(pids.map((pid) => [pid, { pid, score: 3, severity: 'medium', findings: [finding] }]));
    // only the cheap looks (the config file, the maps): those are synchronous
    const c = new ContentCollector({ perUpdate: 0 });
    const done = c.update(snapshot, assessments);
    const midway = await new Promise<number>((res) => setImmediate(() => res(c.facts(snapshot).size)));
    await done;
    const facts = c.facts(snapshot);
    for (const pid of pids) expect(facts.get(pid)?.minerConfig?.pools).toEqual(['pool.invalid:3333']);
    expect(midway).toBeLessThan(pids.length);
  });

  it('hashes the whole executable only where its package recorded a digest to compare with', async () => {
    const r = new ProcReader({ keepDescriptors: false });
    const snapshot = r.sample();
    r.close();
    const pids = kids.map((k) => k.pid!);
    const exe = snapshot.processes.get(pids[0])!.exe!;
    const finding = { id: 'H01', weight: 3, severity: 'medium', title: 't', explanation: 'e', attack: [] } as unknown as Finding;
    const assessments = new Map<number, Assessment>(pids.map((pid) => [pid, { pid, score: 3, severity: 'medium', findings: [finding] }]));
    const asked: string[] = [];
    const packaged = new ContentCollector({ packaged: (path) => { asked.push(path); return true; } });
    await packaged.update(snapshot, assessments);
    const bytes = readFileSync(exe);
    const want = { sha256: createHash('sha256').update(bytes).digest('hex'), md5: createHash('md5').update(bytes).digest('hex') };
    for (const pid of pids) expect(packaged.facts(snapshot).get(pid)?.exeImage).toEqual(want);
    expect(asked).toContain(exe);
    const unpackaged = new ContentCollector({ packaged: () => false });
    await unpackaged.update(snapshot, assessments);
    for (const pid of pids) expect(unpackaged.facts(snapshot).get(pid)?.exeImage).toBeUndefined();
  });
});
