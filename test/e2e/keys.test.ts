// End to end: keys reach the real dashboard in a pty however the terminal groups them. A burst moves
// the cursor once per key, a filter typed before the first frame is applied, and htop's function keys
// work. Every process the test looks at, or opens a signal dialog on, is one it started itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMinewatch } from '../helpers/cli';
import { selectedPid, type PtySession } from '../helpers/pty';

const TAG = `${4_000_000 + (process.pid % 100_000)}`; // a sleep length no one else uses: `sleep 4012345.N`
const kids: ChildProcess[] = [];
const sessions: PtySession[] = [];

beforeAll(() => {
  for (let i = 1; i <= 8; i++) kids.push(spawn('sleep', [`${TAG}.${i}`], { stdio: 'ignore' }));
});

afterAll(() => {
  for (const s of sessions) s.kill('SIGKILL');
  for (const k of kids) if (k.pid && k.exitCode === null && k.signalCode === null) process.kill(k.pid, 'SIGKILL');
});

const ours = () => new Set(kids.map((k) => k.pid!));

/** PIDs of the table's rows, top to bottom. */
function tableRows(screen: string): number[] {
  const lines = screen.split('\n');
  const head = lines.findIndex((l) => /^\s+PID\s+USER/.test(l));
  const out: number[] = [];
  for (const l of lines.slice(head + 1)) {
    const m = /^.\s+(\d+) /.exec(l);
    // a why line and the lines it wraps onto start under the COMMAND column: not rows, not the end
    if (!m) { if (/└ why/.test(l) || /^ {20}/.test(l)) continue; break; }
    out.push(Number(m[1]));
  }
  return out;
}

const selected = selectedPid;

async function until(s: PtySession, cond: (screen: string) => boolean, what: string, ms = 8000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    await s.flush();
    const screen = s.screen();
    if (cond(screen)) return screen;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('keys in a real terminal', () => {
  it('applies a filter typed before the first frame, moves five rows on a burst of jjjjj, and F9/F10 work', async () => {
    const s = startMinewatch(['--interval', '500'], { cols: 120, rows: 50 });
    sessions.push(s);
    s.write(`/${TAG}\r`); // typed at once, before anything is drawn
    await s.waitForText(`[filter "${TAG}"]`, 10_000);
    const mine = ours();
    // The rows while all eight sleeps are on the screen: the process list from the top. Later frames may
    // show fewer of them, when "why" lines appear under flagged ancestors (a checkout under /tmp, where
    // CI clones it, makes the test runner's own node processes suspicious).
    const rows = tableRows(await until(s, (sc) => tableRows(sc).filter((p) => mine.has(p)).length === 8, 'our eight sleeps'));

    s.write('g');
    let screen = await until(s, (sc) => selected(sc) === rows[0], 'the first row selected');
    const first = rows.findIndex((p) => mine.has(p)); // our sleeps are siblings, below their ancestors
    s.write('j'.repeat(first)); // one chunk
    screen = await until(s, (sc) => selected(sc) === rows[first], 'our first sleep selected');
    s.write('jjjjj'); // one chunk: five rows down, onto our sixth sleep
    screen = await until(s, (sc) => selected(sc) !== rows[first], 'the cursor to move');
    expect(selected(screen)).toBe(rows[first + 5]);
    const target = selected(screen);
    expect(mine.has(target)).toBe(true); // the dialog below must be about a process of ours

    s.write('\x1b[20~'); // F9
    await s.waitForText(`Signal process ${target}`, 5000);
    await s.waitForText(/› Cancel/, 5000); // the dialog may be drawn over two frames
    s.write('\x1b'); // cancel: nothing sent
    await until(s, (sc) => !sc.includes('Signal process'), 'the dialog to close');
    expect(kids.every((k) => k.exitCode === null && k.signalCode === null)).toBe(true);

    s.write('\x1b[12~'); // F2 is bound to nothing: says so
    await s.waitForText('F2: no such key here; ? for help', 5000);

    s.write('\x1b[21~'); // F10
    expect(await s.waitForExit(5000)).toBe(0);
    await s.flush();
    expect(s.altScreenActive()).toBe(false);
  }, 40_000);
});
