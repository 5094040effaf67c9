// Drive a real program in a pseudo-terminal (@lydell/node-pty) and read what a user would see
// (@xterm/headless turns the byte stream into a screen, cell by cell).
// kill() signals only the pty child, by its pid, and only while it has not exited.

import { createRequire } from 'node:module';
import type { IPty } from '@lydell/node-pty';
import type { Terminal as XTerm } from '@xterm/headless';

const require = createRequire(import.meta.url);
// Both are CommonJS; require() avoids ESM/CJS interop differences between vitest, tsx and node.
const pty = require('@lydell/node-pty') as typeof import('@lydell/node-pty');
const { Terminal } = require('@xterm/headless') as typeof import('@xterm/headless');

export { Terminal };
export type { XTerm };

/** 'default', a palette index 0-255, or '#rrggbb'. */
export type CellColor = 'default' | number | string;

export interface CellInfo {
  char: string;
  fg: CellColor;
  bg: CellColor;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  /** 0 for the right half of a wide character, 2 for a wide one, 1 otherwise. */
  width: number;
}

export interface PtySession {
  readonly pid: number;
  readonly term: XTerm;
  /** Visible screen as text: one line per row (right-trimmed), joined by \n. */
  screen(): string;
  cell(x: number, y: number): CellInfo;
  write(data: string): void;
  /** Resolves once the screen shows text (string: substring; RegExp: tested on screen()). */
  waitForText(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Exit code, or null when killed by a signal; throws on timeout. */
  waitForExit(timeoutMs?: number): Promise<number | null>;
  /** Resolves once every byte received so far has been parsed into the screen. */
  flush(): Promise<void>;
  /** All bytes received, as a string. */
  raw(): string;
  exited(): boolean;
  /** Signal the pty child by pid (default SIGTERM); no-op once it has exited. */
  kill(signal?: NodeJS.Signals): void;
  altScreenActive(): boolean;
  resize(cols: number, rows: number): void;
}

export interface StartOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  cwd?: string;
}

function color(mode: 'fg' | 'bg', c: import('@xterm/headless').IBufferCell): CellColor {
  if (mode === 'fg') {
    if (c.isFgDefault()) return 'default';
    if (c.isFgRGB()) return '#' + c.getFgColor().toString(16).padStart(6, '0');
    return c.getFgColor();
  }
  if (c.isBgDefault()) return 'default';
  if (c.isBgRGB()) return '#' + c.getBgColor().toString(16).padStart(6, '0');
  return c.getBgColor();
}

export function readCell(term: XTerm, x: number, y: number): CellInfo {
  const buf = term.buffer.active;
  const line = buf.getLine(buf.viewportY + y);
  const c = line?.getCell(x);
  if (!c) return { char: ' ', fg: 'default', bg: 'default', bold: false, dim: false, italic: false, underline: false, inverse: false, width: 1 };
  return {
    char: c.getChars() || (c.getWidth() === 0 ? '' : ' '),
    fg: color('fg', c), bg: color('bg', c),
    bold: c.isBold() !== 0, dim: c.isDim() !== 0, italic: c.isItalic() !== 0,
    underline: c.isUnderline() !== 0, inverse: c.isInverse() !== 0, width: c.getWidth(),
  };
}

export function screenText(term: XTerm): string {
  const buf = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) rows.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return rows.join('\n');
}

export function defaultPtyEnv(): Record<string, string> {
  const env: Record<string, string> = { TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

export const BSU = '\x1b[?2026h';
export const ESU = '\x1b[?2026l';

/**
 * Splits a byte stream at a synchronized-output block that has begun and not yet ended: `ready` can go to
 * the screen, `held` waits for more bytes. A trailing part of a begin marker is held too.
 */
export function splitAtOpenFrame(data: string): [ready: string, held: string] {
  const begin = data.lastIndexOf(BSU);
  if (begin >= 0 && data.indexOf(ESU, begin) < 0) return [data.slice(0, begin), data.slice(begin)];
  for (let n = Math.min(BSU.length - 1, data.length); n > 0; n--) {
    if (BSU.startsWith(data.slice(data.length - n))) return [data.slice(0, data.length - n), data.slice(data.length - n)];
  }
  return [data, ''];
}

export function startPty(cmd: string, args: string[], opts: StartOptions = {}): PtySession {
  const cols = opts.cols ?? 100;
  const rows = opts.rows ?? 30;
  const term = new Terminal({ cols, rows, scrollback: 1000, allowProposedApi: true });
  const child: IPty = pty.spawn(cmd, args, {
    name: 'xterm-256color', cols, rows, cwd: opts.cwd ?? process.cwd(), env: { ...defaultPtyEnv(), ...(opts.env ?? {}) },
  });
  let raw = '';
  let pending = 0;
  let exit: { code: number | null } | null = null;
  const exitWaiters: Array<() => void> = [];
  const flushWaiters: Array<() => void> = [];

  // A program that wraps each frame in a synchronized-output block (Ink does on a terminal) has its
  // frame arrive in more than one chunk when it is large. Like a terminal that supports mode 2026, the
  // screen shows a frame only once its end has arrived, so a test never reads half a frame.
  let held = '';
  const toScreen = (d: string) => {
    pending++;
    term.write(d, () => {
      pending--;
      if (pending === 0) flushWaiters.splice(0).forEach((f) => f());
    });
  };
  child.onData((d) => {
    raw += d;
    const [ready, rest] = splitAtOpenFrame(held + d);
    held = rest;
    if (ready) toScreen(ready);
  });
  // Answers to terminal queries (cursor position, device attributes) go back to the program.
  term.onData((d) => { if (!exit) child.write(d); });
  child.onExit(({ exitCode, signal }) => {
    if (held) { toScreen(held); held = ''; } // a frame cut off by the exit is shown as it stands
    // Let trailing output that arrived with the exit be parsed first.
    setTimeout(() => {
      exit = { code: signal ? null : exitCode };
      exitWaiters.splice(0).forEach((f) => f());
    }, 30);
  });

  const flush = () => new Promise<void>((resolve) => { if (pending === 0) resolve(); else flushWaiters.push(resolve); });
  const session: PtySession = {
    pid: child.pid,
    term,
    screen: () => screenText(term),
    cell: (x, y) => readCell(term, x, y),
    write: (data) => { if (!exit) child.write(data); },
    flush,
    raw: () => raw,
    exited: () => exit !== null,
    altScreenActive: () => term.buffer.active.type === 'alternate',
    resize: (c, r) => { if (!exit) child.resize(c, r); term.resize(c, r); },
    kill: (signal = 'SIGTERM') => {
      if (exit) return;
      try { process.kill(child.pid, signal); } catch { /* already gone */ }
    },
    async waitForText(text, timeoutMs = 5000) {
      const matches = () => {
        const s = screenText(term);
        return typeof text === 'string' ? s.includes(text) : text.test(s);
      };
      const end = Date.now() + timeoutMs;
      for (;;) {
        await flush();
        if (matches()) return;
        if (Date.now() > end) {
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(text)}; screen:\n${screenText(term)}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    waitForExit(timeoutMs = 5000) {
      return new Promise<number | null>((resolve, reject) => {
        const done = () => { clearTimeout(timer); flush().then(() => resolve(exit!.code)); };
        const timer = setTimeout(() => {
          const i = exitWaiters.indexOf(done);
          if (i >= 0) exitWaiters.splice(i, 1);
          reject(new Error(`pty child ${child.pid} did not exit within ${timeoutMs} ms; screen:\n${screenText(term)}`));
        }, timeoutMs);
        if (exit) done(); else exitWaiters.push(done);
      });
    },
  };
  return session;
}

/**
 * Type a filter into a running dashboard (`/`, text, Enter) and wait until `until` shows. Typed, not given
 * as --filter: the dashboard's own command line would match a --filter argument too.
 */
export async function typeFilter(s: PtySession, text: string, until: string | RegExp, timeoutMs = 8000): Promise<void> {
  // One write: the dashboard cuts a burst into key presses itself, so `/`, the text and Enter may
  // arrive in a single chunk, as they do when a user types fast or pastes.
  s.write(`/${text}\r`);
  await s.waitForText(`[filter "${text}"]`, timeoutMs);
  await s.waitForText(until, timeoutMs);
}

/** The PID the dashboard's detail panel shows: the selected process (NaN when none is shown). */
export function selectedPid(screen: string): number {
  return Number(/(?:^|\s)PID (\d+) /m.exec(screen)?.[1] ?? NaN);
}

/**
 * Press `key` until the screen satisfies `cond`, one press at a time: after each press, wait until the
 * selection has moved (the key was taken and drawn) before judging, so a slow frame never makes the
 * test press again and overshoot.
 */
export async function stepUntil(s: PtySession, key: string, cond: (screen: string) => boolean, tries = 20): Promise<void> {
  for (let i = 0; i < tries; i++) {
    await s.flush();
    if (cond(s.screen())) return;
    const before = selectedPid(s.screen());
    s.write(key);
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 30));
      await s.flush();
      if (selectedPid(s.screen()) !== before) break;
    }
  }
  await s.flush();
  if (!cond(s.screen())) throw new Error(`pressed ${JSON.stringify(key)} ${tries} times; the screen never matched:\n${s.screen()}`);
}

/** Resolves once `cond` holds for the screen; throws with the screen on timeout. Wait for state, not time. */
export async function waitUntil(s: PtySession, cond: (screen: string) => boolean, timeoutMs = 5000, what = 'a condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await s.flush();
    if (cond(s.screen())) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${s.screen()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
