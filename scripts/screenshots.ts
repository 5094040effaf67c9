// Screenshot driver: runs a command in a real pseudo-terminal, sends keys, waits for a text, and
// writes screenshots/<name>.svg and .png from the terminal screen (scripts/ansi-screen.ts).
//   npm run screenshots                    # all steps, on `node dist/minewatch.js`
//   node --import tsx scripts/screenshots.ts --only overview --out /tmp/shots
// With --simulate, the harmless fake incident (test/helpers/masquerade.ts: detached `sshd` script
// starting a fake `rcu-sched`) runs while the screenshots are taken, and is killed afterwards.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPty, type PtySession } from '../test/helpers/pty';
import { screenToSvg, svgToPng } from './ansi-screen';

export interface Step {
  /** File name (without extension) under the output dir. */
  name: string;
  /** Arguments appended to the command. */
  args: string[];
  /** Keys sent in order, once `ready` is on screen (e.g. 'j', '\r', '\x1b[B' for arrow down). */
  keys: string[];
  /** Screenshot is taken once this is on screen (after the keys). */
  waitFor: string | RegExp;
  /** Waited for before sending keys (default: nothing, keys go after the first output). */
  ready?: string | RegExp;
  title?: string;
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  /** Pause between keys, ms (default 150). */
  keyDelayMs?: number;
  /** Pause after waitFor before capturing, letting a render settle, ms (default 300). */
  settleMs?: number;
}

export interface CaptureOptions {
  /** Program and leading arguments, e.g. [process.execPath, 'dist/minewatch.js']. */
  command: string[];
  outDir: string;
  cwd?: string;
  timeoutMs?: number;
  /** Also write the PNG (default true). */
  png?: boolean;
}

export interface CaptureResult { name: string; svgPath: string; pngPath: string | null; svg: string; screen: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function capture(step: Step, opts: CaptureOptions): Promise<CaptureResult> {
  const [cmd, ...lead] = opts.command;
  const timeout = opts.timeoutMs ?? 15_000;
  const session: PtySession = startPty(cmd, [...lead, ...step.args], {
    cols: step.cols ?? 120, rows: step.rows ?? 36, cwd: opts.cwd, env: { COLORTERM: 'truecolor', ...(step.env ?? {}) },
  });
  try {
    if (step.ready) await session.waitForText(step.ready, timeout);
    else await waitForOutput(session, timeout);
    for (const k of step.keys) {
      session.write(k);
      await sleep(step.keyDelayMs ?? 150);
    }
    await session.waitForText(step.waitFor, timeout);
    await sleep(step.settleMs ?? 300);
    await session.flush();
    const svg = screenToSvg(session.term, { title: step.title ?? `minewatch ${step.args.join(' ')}`.trim() });
    mkdirSync(opts.outDir, { recursive: true });
    const svgPath = join(opts.outDir, `${step.name}.svg`);
    writeFileSync(svgPath, svg);
    let pngPath: string | null = null;
    if (opts.png ?? true) {
      pngPath = join(opts.outDir, `${step.name}.png`);
      writeFileSync(pngPath, svgToPng(svg));
    }
    return { name: step.name, svgPath, pngPath, svg, screen: session.screen() };
  } finally {
    session.kill('SIGTERM');
    try { await session.waitForExit(2000); } catch { session.kill('SIGKILL'); }
  }
}

async function waitForOutput(s: PtySession, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (s.raw().length === 0) {
    if (Date.now() > end || s.exited()) throw new Error('no output from the program');
    await sleep(20);
  }
}

/** The screenshots of minewatch itself. The UI is still being built: texts here are placeholders to adjust. */
export const STEPS: Step[] = [
  { name: 'overview', args: [], keys: [], waitFor: /rcu-sched/ },
  { name: 'details', args: [], ready: /rcu-sched/, keys: ['\r'], waitFor: /Kernel-thread impostor|impostor/i },
  { name: 'help', args: ['--help'], keys: [], waitFor: /minewatch/ },
];

export async function main(argv: string[]): Promise<number> {
  let only: string | null = null;
  let outDir = 'screenshots';
  let simulate = false;
  let command = [process.execPath, 'dist/minewatch.js'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') only = argv[++i];
    else if (a === '--out') outDir = argv[++i];
    else if (a === '--simulate') simulate = true;
    else if (a === '--cmd') command = argv[++i].split(' ').filter(Boolean);
    else { console.error(`unknown argument: ${a}`); return 2; }
  }
  const steps = STEPS.filter((s) => only === null || s.name === only);
  let stop: (() => Promise<void>) | null = null;
  if (simulate) {
    const { spawnFamily } = await import('../test/helpers/masquerade');
    const fam = await spawnFamily({ lifetimeSec: 300 });
    stop = () => fam.kill();
  }
  let failed = 0;
  try {
    for (const step of steps) {
      try {
        const r = await capture(step, { command, outDir: resolve(outDir) });
        console.log(`wrote ${r.svgPath}${r.pngPath ? ' and .png' : ''}`);
      } catch (e) {
        failed++;
        console.error(`${step.name}: ${(e as Error).message}`);
      }
    }
  } finally {
    await stop?.();
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
