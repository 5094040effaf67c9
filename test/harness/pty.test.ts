import { afterEach, describe, expect, it } from 'vitest';
import { BSU, ESU, splitAtOpenFrame, startPty, type PtySession } from '../helpers/pty';

const sessions: PtySession[] = [];
afterEach(() => { sessions.splice(0).forEach((s) => s.kill('SIGKILL')); });
function start(script: string, opts?: Parameters<typeof startPty>[2]): PtySession {
  const s = startPty(process.execPath, ['-e', script], opts);
  sessions.push(s);
  return s;
}

const COLOURS = String.raw`
process.stdout.write('plain \x1b[31mred\x1b[0m \x1b[1;32mboldgreen\x1b[0m \x1b[7minv\x1b[0m \x1b[38;5;208morange\x1b[0m \x1b[38;2;1;2;3;48;2;250;128;0mrgb\x1b[0m\r\n');
process.stdout.write('cols=' + process.stdout.columns + ' rows=' + process.stdout.rows + ' tty=' + process.stdout.isTTY + '\r\n');
process.stdin.setRawMode(true);
process.stdin.once('data', (d) => {
  process.stdout.write('\x1b[?1049hIN ALT got=' + JSON.stringify(d.toString()) + '\r\n');
  process.stdin.once('data', () => {
    process.stdout.write('\x1b[?1049lBYE\r\n');
    process.exit(3);
  });
});
process.stdout.write('READY\r\n');
`;

describe('startPty', () => {
  it('renders text and colours cell by cell, in a real tty of the requested size', async () => {
    const s = start(COLOURS, { cols: 90, rows: 20 });
    await s.waitForText('READY');
    const lines = s.screen().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe('plain red boldgreen inv orange rgb');
    expect(lines[1]).toBe('cols=90 rows=20 tty=true');
    expect(s.cell(0, 0)).toMatchObject({ char: 'p', fg: 'default', bg: 'default', bold: false, inverse: false });
    expect(s.cell(6, 0)).toMatchObject({ char: 'r', fg: 1, bold: false });
    expect(s.cell(10, 0)).toMatchObject({ char: 'b', fg: 2, bold: true });
    expect(s.cell(20, 0)).toMatchObject({ char: 'i', inverse: true, fg: 'default' });
    expect(s.cell(24, 0)).toMatchObject({ char: 'o', fg: 208 });
    expect(s.cell(31, 0)).toMatchObject({ char: 'r', fg: '#010203', bg: '#fa8000' });
    expect(s.raw()).toContain('\x1b[31mred');
  });

  it('follows the alternate screen and delivers keys', async () => {
    const s = start(COLOURS);
    await s.waitForText('READY');
    expect(s.altScreenActive()).toBe(false);
    s.write('k');
    await s.waitForText('IN ALT got="k"');
    expect(s.altScreenActive()).toBe(true);
    expect(s.screen()).not.toContain('READY'); // the alternate screen is a fresh page
    s.write('q');
    expect(await s.waitForExit()).toBe(3);
    expect(s.altScreenActive()).toBe(false);
    expect(s.screen()).toContain('READY'); // normal screen restored
    expect(s.screen()).toContain('BYE');
    expect(s.screen()).not.toContain('IN ALT');
  });

  it('waitForText and waitForExit time out with the screen in the message', async () => {
    const s = start('process.stdout.write("hello\\r\\n"); setInterval(() => {}, 1000);');
    await s.waitForText(/hel+o/);
    await expect(s.waitForText('never shown', 200)).rejects.toThrow(/never shown[\s\S]*hello/);
    await expect(s.waitForExit(200)).rejects.toThrow(/did not exit/);
  });

  it('kill() ends the child; exit by signal reports null', async () => {
    const s = start('setInterval(() => {}, 1000); process.stdout.write("up\\r\\n");');
    await s.waitForText('up');
    s.kill();
    expect(await s.waitForExit()).toBeNull();
    expect(s.exited()).toBe(true);
    expect(() => process.kill(s.pid, 0)).toThrow();
    s.kill(); // no-op after exit
  });

  it('passes env and cwd', async () => {
    const s = start('process.stdout.write(process.env.MW_X + " " + process.cwd() + " " + process.env.TERM + "\\r\\n")', { env: { MW_X: 'hi' }, cwd: '/tmp' });
    await s.waitForText('hi /tmp xterm-256color');
    expect(await s.waitForExit()).toBe(0);
  });

  it('shows a synchronized frame only once its end has arrived, even when it comes in two writes', async () => {
    // The frame's first half, a pause, then the second half: a reader must never see the first half alone.
    const s = start(String.raw`
      process.stdout.write('\x1b[?2026hTOP half\r\n');
      setTimeout(() => process.stdout.write('BOTTOM half\r\n\x1b[?2026lafter\r\n'), 300);
      setInterval(() => {}, 1000);`);
    await s.waitForText('TOP half', 3000);
    expect(s.screen()).toContain('BOTTOM half');
    expect(s.raw()).toContain('TOP half');
  });
});

describe('splitAtOpenFrame', () => {
  it('holds an open frame and a cut begin marker, passes closed frames through', () => {
    expect(splitAtOpenFrame('plain')).toEqual(['plain', '']);
    expect(splitAtOpenFrame(`a${BSU}b${ESU}c`)).toEqual([`a${BSU}b${ESU}c`, '']);
    expect(splitAtOpenFrame(`a${BSU}b${ESU}c${BSU}d`)).toEqual([`a${BSU}b${ESU}c`, `${BSU}d`]);
    expect(splitAtOpenFrame('a\x1b[?20')).toEqual(['a', '\x1b[?20']);
    expect(splitAtOpenFrame('a\x1b')).toEqual(['a', '\x1b']);
    expect(splitAtOpenFrame(`x${BSU}`)).toEqual(['x', BSU]);
  });
});
