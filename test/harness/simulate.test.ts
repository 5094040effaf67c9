import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLive, readCmdline, readStat, readUid, shq, spawnDetached, waitFor } from '../../src/simulate/payload';
import { CRON_MARK, findCronDaemon, parseDuration, readState, runSimulateCommand, startSimulation, stopSimulation } from '../../src/simulate';
import { spawnFakeSshd } from '../helpers/masquerade';
import { demandNs } from '../helpers/cpu';
import { ProcTree } from '../../src/procfs/fake';
import { proc } from '../helpers/snapshot';

let work: string;
let stateDir: string;
let crontab: string;
let cronFile: string;

// A fake crontab program: never touches the real user's crontab. `-u USER` selects crontab.USER.txt
// (another account's crontab); without it, crontab.txt (the invoking user's).
function makeFakeCrontab(dir: string): { cmd: string; file: string } {
  const file = join(dir, 'crontab.txt');
  const cmd = join(dir, 'crontab');
  writeFileSync(cmd, `#!/bin/sh
f=${JSON.stringify(file)}
if [ "$1" = -u ]; then f=${JSON.stringify(dir)}/crontab.$2.txt; shift 2; fi
case "$1" in
  -l) [ -f "$f" ] || { echo "no crontab for test" >&2; exit 1; }; cat "$f" ;;
  -) cat > "$f" ;;
  *) exit 2 ;;
esac
`, { mode: 0o755 });
  return { cmd, file };
}

/** What cron runs for a crontab line: the command after five time fields, with \% turned into %. */
function cronCommand(line: string): string {
  expect(line).toMatch(/^\* \* \* \* \* /);
  return line.replace(/^(\S+ ){5}/, '').replace(/\\%/g, '%');
}


beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'mw-simtest-'));
  stateDir = join(work, 'state');
  ({ cmd: crontab, file: cronFile } = makeFakeCrontab(work));
});
afterEach(async () => {
  await stopSimulation({ stateDir, crontab }).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('minewatch simulate', () => {
  it('starts the detached sshd script and the fake rcu-sched, with cron persistence; stop undoes all of it', async () => {
    writeFileSync(cronFile, 'MAILTO=nobody\n0 * * * * echo keep\n');
    const r = await startSimulation({ duration: 30_000, persistence: true, stateDir, crontab });
    const launcher = r.pids.find((p) => p.role === 'launcher')!;
    const miner = r.pids.find((p) => p.role === 'miner')!;

    const ls = readStat(launcher.pid)!;
    expect(ls.comm).toBe('sshd');
    expect(ls.ppid).not.toBe(process.pid);
    expect(readCmdline(launcher.pid)).toEqual(['/bin/sh', './sshd']);
    expect(readlinkSync(`/proc/${launcher.pid}/cwd`)).toBe(r.dir);
    expect(r.dir.endsWith('/.x')).toBe(true);

    const ms = readStat(miner.pid)!;
    expect(ms.comm).toBe('rcu-sched');
    expect(ms.ppid).toBe(launcher.pid);
    expect(readlinkSync(`/proc/${miner.pid}/exe`)).toBe(join(r.dir, 'rcu-sched'));
    expect(readCmdline(miner.pid)[0]).toBe('./rcu-sched');
    expect(readCmdline(miner.pid)).toContain('stratum+tcp://pool.invalid:3333');

    expect(r.expected).toHaveLength(3);
    expect(r.expected[0]).toContain(`PID ${miner.pid} rcu-sched`);
    expect(r.expected[1]).toContain(`PID ${launcher.pid} sshd`);
    expect(r.expected[2]).toContain(CRON_MARK);

    const cron = readFileSync(cronFile, 'utf8');
    expect(cron).toContain('MAILTO=nobody\n0 * * * * echo keep\n');
    expect(cron).toContain(`cd '${r.dir}' && ./sshd`);
    expect(cron.trimEnd().split('\n').pop()).toMatch(/# minewatch-simulate$/);

    const st = readState(stateDir)!;
    expect(st.pids.map((p) => p.pid).sort()).toEqual([launcher.pid, miner.pid].sort());

    await expect(startSimulation({ duration: 30_000, stateDir, crontab })).rejects.toThrow(/already running/);

    const stop = await stopSimulation({ stateDir, crontab });
    expect(stop.killed.map((p) => p.pid).sort()).toEqual([launcher.pid, miner.pid].sort());
    expect(isLive(launcher.pid, launcher.startTicks)).toBe(false);
    expect(isLive(miner.pid, miner.startTicks)).toBe(false);
    expect(readFileSync(cronFile, 'utf8')).toBe('MAILTO=nobody\n0 * * * * echo keep\n');
    expect(existsSync(r.root)).toBe(false);
    expect(readState(stateDir)).toBeNull();
    expect((await stopSimulation({ stateDir, crontab })).wasRunning).toBe(false);
  });

  it('burns roughly 30% of one core', async () => {
    const r = await startSimulation({ duration: 20_000, stateDir });
    const miner = r.pids.find((p) => p.role === 'miner')!;
    await new Promise((res) => setTimeout(res, 300));
    // Demand, not share: time on a CPU plus time waiting for one (schedstat), so a busy machine that
    // gives the payload less CPU does not change what it asks for.
    const d0 = demandNs(miner.pid);
    const w0 = process.hrtime.bigint();
    await new Promise((res) => setTimeout(res, 1500));
    const pct = Number(demandNs(miner.pid) - d0) / Number(process.hrtime.bigint() - w0) * 100;
    expect(pct).toBeGreaterThan(15);
    expect(pct).toBeLessThan(60);
  });

  it('the cron command restarts a killed launcher once (single instance), and stop kills the restarted processes too', async () => {
    const r = await startSimulation({ duration: 30_000, persistence: true, stateDir, crontab });
    const cmd = cronCommand(r.cronLine!);
    const launcher = r.pids.find((p) => p.role === 'launcher')!;
    const miner = r.pids.find((p) => p.role === 'miner')!;

    // While the launcher lives, a cron run is a no-op.
    const noop = await spawnDetached(`sh -c ${shq(cmd)}`, { cwd: work });
    await waitFor(() => !isLive(noop.pid), 5000);
    expect(readFileSync(join(r.dir, '.pids'), 'utf8').trim().split('\n')).toHaveLength(2);

    // Kill our own launcher and miner (by pid), then let "cron" restart them.
    process.kill(launcher.pid, 'SIGKILL');
    process.kill(miner.pid, 'SIGKILL');
    await waitFor(() => !isLive(launcher.pid, launcher.startTicks) && !isLive(miner.pid, miner.startTicks), 5000);
    await spawnDetached(`sh -c ${shq(cmd)}`, { cwd: work });
    await waitFor(() => readFileSync(join(r.dir, '.pids'), 'utf8').trim().split('\n').length === 4, 5000);
    const restarted = readFileSync(join(r.dir, '.pids'), 'utf8').trim().split('\n').slice(2).map((l) => Number(l.split(' ')[0]));
    await waitFor(() => restarted.every((p) => isLive(p)) && readStat(restarted[1])?.comm === 'rcu-sched', 5000);

    const stop = await stopSimulation({ stateDir, crontab });
    expect(stop.killed.map((p) => p.pid).sort()).toEqual([...restarted].sort());
    expect(stop.gone.map((p) => p.pid).sort()).toEqual([launcher.pid, miner.pid].sort());
    for (const p of restarted) expect(isLive(p)).toBe(false);
    expect(readFileSync(cronFile, 'utf8')).not.toContain(CRON_MARK);
  });

  it('stop never kills a recorded pid that is not a simulation process', async () => {
    const r = await startSimulation({ duration: 30_000, stateDir });
    const bystander = await spawnFakeSshd(); // named sshd, but elsewhere
    try {
      writeFileSync(join(r.dir, '.pids'), `${bystander.pid} ${bystander.startTicks} sshd\n`, { flag: 'a' });
      const stop = await stopSimulation({ stateDir, crontab });
      expect(stop.killed).toHaveLength(2);
      expect(stop.gone.map((p) => p.pid)).toContain(bystander.pid);
      expect(isLive(bystander.pid, bystander.startTicks)).toBe(true);
    } finally {
      await bystander.kill();
    }
  });

  it('everything exits by itself at the deadline, and the cron command does nothing afterwards', async () => {
    const r = await startSimulation({ duration: 2000, persistence: true, stateDir, crontab });
    await waitFor(() => r.pids.every((p) => !isLive(p.pid, p.startTicks)), 8000);
    const cmd = cronCommand(r.cronLine!);
    const late = await spawnDetached(`sh -c ${shq(cmd)}`, { cwd: work });
    await waitFor(() => !isLive(late.pid), 5000);
    expect(readFileSync(join(r.dir, '.pids'), 'utf8').trim().split('\n')).toHaveLength(2);
  }, 20_000);

  it('works with the shell fallback payload (no C compiler)', async () => {
    const r = await startSimulation({ duration: 20_000, stateDir, impl: 'sh' });
    const miner = r.pids.find((p) => p.role === 'miner')!;
    expect(readStat(miner.pid)!.comm).toBe('rcu-sched');
    expect(readlinkSync(`/proc/${miner.pid}/exe`)).toBe(join(r.dir, 'rcu-sched'));
    expect(readCmdline(miner.pid)).toContain('stratum+tcp://pool.invalid:3333');
    expect(readFileSync(`/proc/${miner.pid}/environ`, 'latin1')).toMatch(/MINEWATCH_FAKE_LIFETIME=(19|20|21)\0/);
    const stop = await stopSimulation({ stateDir });
    expect(stop.killed).toHaveLength(2);
  });

  it.runIf(process.getuid?.() === 0)('runs as nobody when asked', async () => {
    const r = await startSimulation({ duration: 20_000, asNobody: true, stateDir });
    for (const p of r.pids) expect(readUid(p.pid)).toBe(65534);
    const stop = await stopSimulation({ stateDir });
    expect(stop.killed).toHaveLength(2);
  });

  it.runIf(process.getuid?.() === 0)('--as-nobody --persistence puts the line into nobody\'s own crontab, not root\'s; stop removes it from there', async () => {
    writeFileSync(cronFile, '0 * * * * echo root-keeps-this\n');
    const nobodyFile = join(work, 'crontab.nobody.txt');
    const r = await startSimulation({ duration: 20_000, asNobody: true, persistence: true, stateDir, crontab });
    expect(r.cronUser).toBe('nobody');
    expect(readFileSync(nobodyFile, 'utf8')).toContain(CRON_MARK);
    expect(readFileSync(cronFile, 'utf8')).toBe('0 * * * * echo root-keeps-this\n');
    expect(r.expected[2]).toContain("nobody's crontab");
    expect(readState(stateDir)!.cron!.user).toBe('nobody');
    const stop = await stopSimulation({ stateDir, crontab });
    expect(stop.cronLinesRemoved).toBe(1);
    expect(readFileSync(nobodyFile, 'utf8')).not.toContain(CRON_MARK);
    expect(readFileSync(cronFile, 'utf8')).toBe('0 * * * * echo root-keeps-this\n');
  });

  it('warns when no cron daemon runs to act on the line, and not when one does', async () => {
    const tree = new ProcTree().withBaseSystem();
    try {
      const quiet = await startSimulation({ duration: 20_000, persistence: true, stateDir, crontab, procRoot: tree.proc, root: tree.root });
      expect(quiet.warnings.join('\n')).toMatch(/no cron daemon .* is running/);
      await stopSimulation({ stateDir, crontab });
      tree.add({ pid: 700, comm: 'cron', ppid: 1, uid: 0, exe: '/usr/sbin/cron', cmdline: ['/usr/sbin/cron', '-f'] });
      const withCron = await startSimulation({ duration: 20_000, persistence: true, stateDir, crontab, procRoot: tree.proc, root: tree.root });
      expect(withCron.warnings).toEqual([]);
      await stopSimulation({ stateDir, crontab });
      // without --persistence there is no line, so nothing to warn about
      const noLine = await startSimulation({ duration: 20_000, stateDir, procRoot: tree.proc, root: tree.root });
      expect(noLine.warnings).toEqual([]);
    } finally {
      tree.cleanup();
    }
  });

  it('recognises the cron daemons of the distributions, only when root runs them', () => {
    expect(findCronDaemon([proc({ pid: 5, name: 'cron', exe: '/usr/sbin/cron' })])?.pid).toBe(5);
    expect(findCronDaemon([proc({ pid: 5, name: 'crond', exe: '/usr/sbin/crond' })])?.pid).toBe(5);
    expect(findCronDaemon([proc({ pid: 5, name: 'crond', exe: '/bin/busybox', cmdline: ['crond', '-f'] })])?.pid).toBe(5);
    expect(findCronDaemon([proc({ pid: 5, name: 'x', exe: '/bin/busybox', cmdline: ['/sbin/crond'] })])?.pid).toBe(5);
    expect(findCronDaemon([proc({ pid: 5, name: 'cron', exe: '/home/abc/cron', uid: 1001, user: 'abc' })])).toBeNull();
    expect(findCronDaemon([proc({ pid: 5, name: 'sshd', exe: '/usr/sbin/sshd' }), proc({ pid: 6, name: 'atd', exe: '/usr/sbin/atd' })])).toBeNull();
  });
});

describe('runSimulateCommand', () => {
  it('parses durations', () => {
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('x')).toBeNull();
  });

  it('prints PIDs, expectations and how to stop; --stop stops; bad arguments give 2', async () => {
    const lines: string[] = [];
    const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push('ERR ' + s), crontab };
    expect(await runSimulateCommand(['--duration', '20s', '--state-dir', stateDir], io)).toBe(0);
    const text = lines.join('\n');
    const st = readState(stateDir)!;
    for (const p of st.pids) expect(text).toContain(`PID ${p.pid}`);
    expect(text).toContain('What minewatch should report');
    expect(text).toContain('minewatch simulate --stop');
    lines.length = 0;
    expect(await runSimulateCommand(['--stop', `--state-dir=${stateDir}`], io)).toBe(0);
    expect(lines.filter((l) => l.startsWith('killed PID'))).toHaveLength(2);
    for (const p of st.pids) expect(isLive(p.pid, p.startTicks)).toBe(false);
    expect(await runSimulateCommand(['--bogus'], io)).toBe(2);
    expect(await runSimulateCommand(['--duration', '2h'], io)).toBe(2);
    expect(await runSimulateCommand(['--help'], io)).toBe(0);
  });
});
