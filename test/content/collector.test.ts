// The content collector works in the background of the dashboard: between two candidates it gives the
// event loop a turn, so keys and frames never wait for a batch of looks. Live: harmless sleeps of our own
// whose working directory holds a miner's config.json; each is signalled by its PID and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, ftruncateSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentCollector } from '../../src/content/collector';
import type { Assessment, Finding } from '../../src/model';
import { ProcReader } from '../../src/procfs/reader';
import { proc, snapshot as fakeSnapshot } from '../helpers/snapshot';

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

  it('facts belong to one program: an exec drops them; a container\'s executable is not compared with the host\'s packages', async () => {
    const procRoot = join(dir, 'proc2');
    const link = (pid: number, name: string, target: string) => {
      mkdirSync(join(procRoot, String(pid), 'ns'), { recursive: true });
      try { rmSync(join(procRoot, String(pid), name)); } catch { /* first time */ }
      symlinkSync(target, join(procRoot, String(pid), name));
    };
    writeFileSync(join(dir, 'a'), 'program a');
    writeFileSync(join(dir, 'b'), 'program b');
    link(process.pid, 'ns/mnt', 'mnt:[111]');
    link(911, 'exe', join(dir, 'a'));
    link(911, 'ns/mnt', 'mnt:[111]');
    link(912, 'exe', join(dir, 'a'));
    link(912, 'ns/mnt', 'mnt:[222]'); // a container's process
    const finding = { id: 'H01', weight: 3, severity: 'medium', title: 't', explanation: 'e', attack: [] } as unknown as Finding;
    const flagged = (snap: ReturnType<typeof fakeSnapshot>) => new Map<number, Assessment>([...snap.processes.keys()].map((pid) => [pid, { pid, score: 3, severity: 'medium', findings: [finding] }]));
    const md5 = (t: string) => createHash('md5').update(t).digest('hex');
    const c = new ContentCollector({ procRoot, packaged: () => true });
    const before = fakeSnapshot([proc({ pid: 911, name: 'a', exe: '/usr/bin/a' }), proc({ pid: 912, name: 'java', exe: '/usr/bin/java' })]);
    await c.update(before, flagged(before));
    expect(c.facts(before).get(911)?.exeImage?.md5).toBe(md5('program a'));
    expect(c.facts(before).get(912)?.exeImage).toBeUndefined();
    // PID 911 execs b: same PID, same start time, another program
    link(911, 'exe', join(dir, 'b'));
    const after = fakeSnapshot([proc({ pid: 911, name: 'b', exe: '/usr/bin/b' })]);
    expect(c.facts(after).get(911)).toBeUndefined();
    await c.update(after, flagged(after));
    expect(c.facts(after).get(911)?.exeImage?.md5).toBe(md5('program b'));
  });

  it('does not hash an executable over 1 GiB (no packaged program is; anything can sit at a packaged path in a mount namespace)', async () => {
    // a /proc whose PIDs' exe links lead to a sparse 1.5 GiB file and a small one
    const procRoot = join(dir, 'proc');
    const files = { 901: join(dir, 'big'), 902: join(dir, 'small') };
    const fd = openSync(files[901], 'w');
    ftruncateSync(fd, 1.5 * 1024 ** 3); // sparse: nothing written
    closeSync(fd);
    writeFileSync(files[902], 'small');
    for (const [pid, file] of Object.entries(files)) {
      mkdirSync(join(procRoot, pid), { recursive: true });
      symlinkSync(file, join(procRoot, pid, 'exe'));
    }
    const procs = [proc({ pid: 901, name: 'big', exe: '/usr/bin/big' }), proc({ pid: 902, name: 'small', exe: '/usr/bin/small' })];
    const snap = fakeSnapshot(procs);
    const finding = { id: 'H01', weight: 3, severity: 'medium', title: 't', explanation: 'e', attack: [] } as unknown as Finding;
    const assessments = new Map<number, Assessment>(procs.map((p) => [p.pid, { pid: p.pid, score: 3, severity: 'medium', findings: [finding] }]));
    const c = new ContentCollector({ procRoot, packaged: () => true });
    await c.update(snap, assessments);
    expect(c.facts(snap).get(901)?.exeImage ?? null).toBeNull();
    expect(c.facts(snap).get(902)?.exeImage?.md5).toBe(createHash('md5').update('small').digest('hex'));
  });
});
