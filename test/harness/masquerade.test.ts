import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledFake, groupMembers, isLive, readCmdline, readStat, readUid } from '../../src/simulate/payload';
import { spawnEscapeNamed, spawnFakeMiner, spawnFakeSshd, spawnFamily, waitFor, type Spawned } from '../helpers/masquerade';
import { demandNs } from '../helpers/cpu';

const root = process.getuid?.() === 0;
const cleanup: Array<{ kill(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((s) => s.kill()));
});
function track<T extends { kill(): Promise<void> }>(s: T): T { cleanup.push(s); return s; }

async function expectGone(s: Spawned): Promise<void> {
  await s.kill();
  expect(isLive(s.pid, s.startTicks)).toBe(false);
  expect(groupMembers(s.pgid)).toEqual([]);
  expect(existsSync(s.root)).toBe(false);
}

const impls = (['c', 'sh'] as const).filter((i) => i === 'sh' || compiledFake() !== null);

describe.each(impls)('spawnFakeMiner (payload %s)', (impl) => {
  it('looks like the incident: comm, ./ cmdline, hidden dir, detached parent, exe in the dir', async () => {
    const m = track(await spawnFakeMiner({ impl }));
    expect(m.impl).toBe(impl);
    const st = readStat(m.pid)!;
    expect(st.comm).toBe('rcu-sched');
    expect(st.ppid).toBe(m.ppid);
    expect(m.ppid).not.toBe(process.pid);
    expect(m.ppid).not.toBe(m.pgid); // the intermediate shell has exited
    expect(st.session).toBe(m.pgid); // its own session: not in the test's
    expect(st.session).not.toBe(readStat(process.pid)!.session);
    const argv = readCmdline(m.pid);
    expect(argv[0]).toBe('./rcu-sched');
    expect(argv).toContain('stratum+tcp://pool.invalid:3333');
    expect(argv).toContain('--donate-level=1');
    expect(m.dir.endsWith('/.x')).toBe(true);
    expect(readlinkSync(`/proc/${m.pid}/exe`)).toBe(m.path);
    expect(readlinkSync(`/proc/${m.pid}/cwd`)).toBe(m.dir);
    expect(readFileSync(`/proc/${m.pid}/environ`, 'latin1')).toContain('MINEWATCH_FAKE=1');
    await expectGone(m);
  });

  it('custom name and args, no hidden dir', async () => {
    const m = track(await spawnFakeMiner({ impl, name: 'kworker0', args: ['--foo'], hiddenDir: false }));
    expect(readStat(m.pid)!.comm).toBe('kworker0');
    expect(readCmdline(m.pid)).toContain('--foo');
    expect(m.dir.endsWith('/.x')).toBe(false);
    await expectGone(m);
  });

  it('burnCpu spins; the default idles', async () => {
    const busy = track(await spawnFakeMiner({ impl, burnCpu: true, lifetimeSec: 20 }));
    const idle = track(await spawnFakeMiner({ impl, lifetimeSec: 20 }));
    // Demand (time on a CPU plus time waiting for one, from schedstat), not share: a loaded machine
    // gives the burner less CPU but it still asks for a whole core, and the idle one for nothing.
    const b0 = demandNs(busy.pid);
    const i0 = demandNs(idle.pid);
    const w0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, 1000));
    const wall = Number(process.hrtime.bigint() - w0);
    const pct = (d0: bigint, pid: number) => Number(demandNs(pid) - d0) / wall * 100;
    expect(pct(b0, busy.pid)).toBeGreaterThan(60);
    expect(pct(i0, idle.pid)).toBeLessThan(5);
    await expectGone(busy);
    await expectGone(idle);
  });

  it('exits by itself at its lifetime cap', async () => {
    const m = track(await spawnFakeMiner({ impl, burnCpu: true, lifetimeSec: 1 }));
    expect(isLive(m.pid, m.startTicks)).toBe(true);
    await waitFor(() => !isLive(m.pid, m.startTicks), 6000);
    await m.kill();
  });

  it.runIf(root)('runs as nobody when asked', async () => {
    const m = track(await spawnFakeMiner({ impl, asNobody: true }));
    expect(m.uid).toBe(65534);
    expect(readUid(m.pid)).toBe(65534);
    await expectGone(m);
  });

  it('spawnEscapeNamed puts escape sequences in comm', async () => {
    const e = track(await spawnEscapeNamed(undefined, { impl }));
    expect(readStat(e.pid)!.comm).toBe('x\x1b[31mRED\x1b[2J');
    expect(readFileSync(`/proc/${e.pid}/comm`, 'latin1')).toBe('x\x1b[31mRED\x1b[2J\n');
    await expectGone(e);
  });
});

describe('spawnFakeSshd', () => {
  it('is a shell script: comm sshd, cmdline /bin/sh ./sshd, exe the shell', async () => {
    const s = track(await spawnFakeSshd());
    const st = readStat(s.pid)!;
    expect(st.comm).toBe('sshd');
    expect(s.ppid).not.toBe(process.pid);
    expect(readCmdline(s.pid)).toEqual(['/bin/sh', './sshd']);
    expect(readlinkSync(`/proc/${s.pid}/exe`)).toMatch(/\/(dash|bash|sh|busybox)$/);
    expect(readlinkSync(`/proc/${s.pid}/cwd`)).toBe(s.dir);
    await expectGone(s);
  });

  it.runIf(root)('runs as nobody when asked', async () => {
    const s = track(await spawnFakeSshd({ asNobody: true }));
    expect(readUid(s.pid)).toBe(65534);
    await expectGone(s);
  });
});

describe('spawnFamily', () => {
  it('launcher sshd (detached) is the parent of rcu-sched; kill takes both', async () => {
    const f = track(await spawnFamily());
    expect(readStat(f.launcher.pid)!.comm).toBe('sshd');
    expect(f.launcher.ppid).not.toBe(process.pid);
    const c = readStat(f.child.pid)!;
    expect(c.comm).toBe('rcu-sched');
    expect(c.ppid).toBe(f.launcher.pid);
    expect(readCmdline(f.child.pid)[0]).toBe('./rcu-sched');
    await f.kill();
    expect(isLive(f.child.pid, f.child.startTicks)).toBe(false);
    expect(isLive(f.launcher.pid, f.launcher.startTicks)).toBe(false);
    expect(groupMembers(f.launcher.pgid)).toEqual([]);
  });
});
