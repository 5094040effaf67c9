// End to end: the real built binary in a pseudo-terminal, against harmless masquerading processes of our own.
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_NICE } from '../../src/cli/priority';
import { startMinewatch } from '../helpers/cli';
import { spawnEscapeNamed, spawnFakeMiner, type Spawned } from '../helpers/masquerade';
import { stepUntil, typeFilter, waitUntil, type PtySession } from '../helpers/pty';

let miner: Spawned;
let evil: Spawned;
const sessions: PtySession[] = [];

beforeAll(async () => {
  miner = await spawnFakeMiner({ asNobody: true, lifetimeSec: 120 });
  evil = await spawnEscapeNamed('x\x1b[31mRED\x1b[2J', { lifetimeSec: 120 });
}, 30_000);

afterAll(async () => {
  for (const s of sessions) s.kill('SIGKILL');
  await Promise.all([miner?.kill(), evil?.kill()]);
});

function start(args: string[] = [], cols = 110, rows = 32): PtySession {
  const s = startMinewatch(['--interval', '500', ...args], { cols, rows });
  sessions.push(s);
  return s;
}

const rowOf = (screen: string, pid: number) => screen.split('\n').find((l) => new RegExp(`^.\\s+${pid} `).test(l));

describe('the dashboard in a real terminal', () => {
  it('as root takes nice -5 for itself (a pegged host still draws it and answers keys); --no-renice keeps the nice value it was started with', async () => {
    const started = getPriority(0); // what a child of this test starts with
    for (const [args, expected] of [[[], process.getuid?.() === 0 ? Math.min(started, DASHBOARD_NICE) : started], [['--no-renice'], started]] as const) {
      const s = start([...args]);
      await s.waitForText('minewatch ·', 15_000);
      expect(getPriority(s.pid), args.join(' ')).toBe(expected); // getpriority(2) of its PID: the main thread
      s.write('q');
      expect(await s.waitForExit(5000)).toBe(0);
    }
  }, 40_000);

  it('highlights our fake miner with its reasons, reaches it with n, and quits with q leaving the terminal restored', async () => {
    const s = start();
    await s.waitForText('minewatch ·', 15_000); // how fast is measured by npm run bench:tui, not here
    expect(s.altScreenActive()).toBe(true);
    await typeFilter(s, String(miner.pid), new RegExp(`\\s${miner.pid} .*rcu-sched`));
    await stepUntil(s, 'n', (sc) => sc.includes(`PID ${miner.pid} rcu-sched`));
    // judge a whole frame: wait until the detail panel's first finding has been drawn to its end
    const POOL = /Mining-pool URL on the command line \[T1496\.001\]: its command line names a mining pool: stratum\+tcp:\/\/pool\.invalid:3333/;
    await waitUntil(s, (sc) => POOL.test(sc.replace(/\n  /g, ' ')), 5000, 'the detail panel drawn');
    const screen = s.screen();
    expect(screen).toContain(`PID ${miner.pid} rcu-sched`);
    // the frame sits where it should: nothing stale left from an earlier frame
    const lines = screen.split('\n');
    expect(lines[0]).toMatch(/^minewatch · /);
    expect(lines[1]).toMatch(/^CPU /);
    expect(lines[2]).toMatch(/^\d+ processes · flagged:/);
    expect(lines[3]).toMatch(/^\s+PID\s+USER\s+CPU%/);
    expect(screen).not.toContain('reading /proc');
    const row = rowOf(screen, miner.pid)!;
    expect(row).toMatch(/^‼/); // critical glyph, readable without colour
    expect(screen).toMatch(/└ why: CRITICAL \d+: H\d\d /);
    // the detail panel leads with the strongest finding (more may follow than a 32-row screen shows)
    expect(screen.replace(/\n  /g, ' ')).toMatch(POOL);
    // the selected row is drawn inverse
    const y = screen.split('\n').findIndex((l) => l === row);
    expect(s.cell(3, y).inverse).toBe(true);
    s.write('q');
    expect(await s.waitForExit(5000)).toBe(0);
    expect(s.altScreenActive()).toBe(false);
    expect(s.raw().lastIndexOf('\x1b[?25h')).toBeGreaterThan(s.raw().lastIndexOf('\x1b[?25l')); // cursor shown again
  }, 30_000);

  it('shows a process named with escape sequences as visible text and keeps the screen intact', async () => {
    const s = start();
    await s.waitForText('minewatch ·', 15_000);
    await typeFilter(s, String(evil.pid), new RegExp(`\\s${evil.pid} `));
    const screen = s.screen();
    const row = rowOf(screen, evil.pid)!;
    expect(row).toContain('x\\x1b[31mRED\\x1b[2J');
    expect(screen.split('\n')[0]).toMatch(/^minewatch ·/); // nothing cleared or moved the header
    const y = screen.split('\n').indexOf(row);
    const nameAt = row.indexOf('x\\x1b');
    const redAt = row.indexOf('RED');
    // "RED" is drawn exactly like the start of the name: the name's own colour codes did nothing
    expect(s.cell(redAt, y).fg).toBe(s.cell(nameAt, y).fg);
    expect(s.cell(redAt, y).bg).toBe(s.cell(nameAt, y).bg);
    s.write('\x03'); // Ctrl-C also restores the terminal
    expect(await s.waitForExit(5000)).toBe(0);
    expect(s.altScreenActive()).toBe(false);
  }, 30_000);

  it('restores the terminal when killed with SIGTERM', async () => {
    const s = start();
    await s.waitForText('minewatch ·', 15_000);
    s.kill('SIGTERM');
    await s.waitForExit(5000);
    await s.flush();
    expect(s.altScreenActive()).toBe(false);
  }, 20_000);

  it('re-lays out on resize and says when the terminal is too small', async () => {
    const s = start([], 100, 30);
    await s.waitForText('minewatch ·', 15_000);
    s.resize(40, 10);
    await s.waitForText('terminal too small: need 60x16', 5000);
    s.resize(90, 26);
    await s.waitForText('minewatch ·', 15_000);
    s.write('q');
    expect(await s.waitForExit(5000)).toBe(0);
  }, 20_000);

  it('refuses to start without a terminal and points to scan', async () => {
    const { runCli } = await import('../helpers/cli');
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a terminal; for scripts and cron use `minewatch scan`/);
  });
});
