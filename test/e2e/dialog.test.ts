// End to end: the signal dialog on a launcher with 40 children (all ours), in a real 80x24 terminal.
// The member list scrolls; the choices, the key hint and, after the kill, the outcome stay inside the
// box. Before anything is confirmed, the test reads every member the dialog lists and checks that each
// one is a process it started itself (our process group).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMembers, readStat } from '../../src/simulate/payload';
import { startMinewatch } from '../helpers/cli';
import { spawnLauncherWithChildren, type Spawned } from '../helpers/masquerade';
import { typeFilter, waitUntil, type PtySession } from '../helpers/pty';

let fam: Spawned & { children(): number[] };
let evidence: string;
let session: PtySession | null = null;

beforeAll(async () => {
  fam = await spawnLauncherWithChildren(40, { lifetimeSec: 120 });
  evidence = mkdtempSync(join(tmpdir(), 'mw-evidence-'));
}, 30_000);

afterAll(async () => {
  session?.kill('SIGKILL');
  await fam?.kill();
  if (evidence) rmSync(evidence, { recursive: true, force: true });
});

/** Ours: in the process group the test created (a PID that is gone already cannot be hurt). */
const ours = (pid: number) => { const st = readStat(pid); return st === null || st.pgrp === fam.pgid; };

/** The dialog box, top border to bottom border. */
function box(screen: string): string {
  const lines = screen.split('\n');
  const top = lines.findIndex((l) => l.startsWith('╭'));
  const bottom = lines.findIndex((l, i) => i > top && l.startsWith('╰'));
  return top >= 0 && bottom > top ? lines.slice(top, bottom + 1).join('\n') : '';
}

const CHOICES = ['Cancel', 'SIGTERM  terminate', 'SIGKILL  kill', 'SIGSTOP  freeze', 'SIGCONT  resume'];

describe('the signal dialog at 80x24', () => {
  it('keeps the choices and the outcome visible on a launcher with 40 children, and kills only ours', async () => {
    const s = startMinewatch(['--interval', '1000', '--evidence-dir', evidence], { cols: 80, rows: 24 });
    session = s;
    await s.waitForText('minewatch ·', 10_000);
    await typeFilter(s, String(fam.pid), new RegExp(`\\s${fam.pid} `));
    await waitUntil(s, (x) => x.includes(`PID ${fam.pid} sshd`), 10_000, 'the launcher under the cursor');
    // the first full check done (the header counts what is flagged only then), so the family the dialog
    // lists is the one it will signal; a dialog opened earlier is prepared again (test/store/slices.test.ts)
    await waitUntil(s, (x) => /processes · flagged:/.test(x), 15_000, 'the first full check');

    s.write('K');
    // wait for the whole box (a frame can arrive in more than one chunk), then read it
    const drawn = (x: string) => { const b = box(x); return b.includes(`Signal process ${fam.pid}`) && /Enter or y does it/.test(b); };
    await waitUntil(s, drawn, 10_000, 'the whole signal dialog');
    let inside = box(s.screen());
    expect(inside).toContain(`PID ${fam.pid} sshd`); // it names the process we started
    for (const c of CHOICES) expect(inside).toContain(c);
    expect(inside).toMatch(/Enter or y does it/);
    const count = Number(/family \((\d+)\)/.exec(inside)?.[1] ?? 0);
    expect(count).toBeGreaterThanOrEqual(40);

    // read the whole member list, page by page: every member must be ours before anything is sent
    const seen = new Set<number>();
    for (let page = 0; page < 40; page++) {
      const screen = box(s.screen());
      for (const m of screen.matchAll(/(?:launcher|descendant|linked) PID (\d+)/g)) seen.add(Number(m[1]));
      for (const c of CHOICES) expect(screen).toContain(c); // scrolling never moves a choice out
      const note = /… (\d+)-(\d+) of (\d+)/.exec(screen);
      if (!note || Number(note[2]) >= Number(note[3])) break;
      s.write('\x1b[6~'); // PgDn
      await waitUntil(s, (x) => { const n = /… (\d+)-(\d+) of/.exec(box(x)); return n !== null && n[1] !== note[1]; }, 5000, 'the member list to scroll');
    }
    expect(seen.size).toBe(count);
    for (const pid of seen) expect(ours(pid), `member ${pid} is not a process this test started`).toBe(true);

    s.write('a');
    await s.waitForText('[x] included', 5000);
    s.write('j');
    s.write('j');
    await waitUntil(s, (x) => box(x).includes('› SIGKILL') && /Enter or y does it/.test(box(x)), 5000, 'SIGKILL chosen');
    inside = box(s.screen());
    for (const c of CHOICES) expect(inside).toContain(c);
    s.write('y');
    await waitUntil(s, (x) => /result: \d+ done, \d+ failed/.test(box(x)), 20_000, 'the outcome');
    inside = box(s.screen());
    expect(inside).toMatch(/audit log: /);
    expect(inside).toMatch(/Enter or Esc closes/);
    const done = Number(/result: (\d+) done/.exec(inside)![1]);
    expect(done).toBeGreaterThanOrEqual(40);
    await waitUntil(s, () => groupMembers(fam.pgid).length === 0, 10_000, 'every process of our group to be gone');

    s.write('\r');
    await waitUntil(s, (x) => !x.includes('Signal process'), 5000, 'the dialog to close');
    s.write('q');
    expect(await s.waitForExit(5000)).toBe(0);
    session = null;
  }, 90_000);
});
