// Screenshot driver: runs a command in a real pseudo-terminal, sends keys, waits for a text, and
// writes screenshots/<name>.svg and .png from the terminal screen (scripts/ansi-screen.ts).
//   npm run screenshots                    # all steps, on `node dist/minewatch.js`
//   node --import tsx scripts/screenshots.ts --only inspect --out /tmp/shots
// By default the dashboard reads a fixed fixture host (scripts/screenshot-fixture.ts: a fake /proc and
// root with the incident, removed afterwards) through --proc/--root, so the images are the same on
// every run, except the header's uptime, load, memory and its sparklines (the real host's) and the
// inspector's "inspected <now>" line. With --simulate, the live /proc is read while the harmless fake
// incident (test/helpers/masquerade.ts: detached `sshd` script starting a fake `rcu-sched`) runs; it
// is killed afterwards. --no-bind: do not bind-mount the fixture's /home (see homeBindCommand).
// The signal dialog needs a live /proc (K on a fixture only says it is read-only): that step runs on the
// harmless fake incident (test/helpers/masquerade.ts), filtered to it, and kills it by its PIDs after.
// Read-only: the signal dialog is opened and cancelled with Esc, never confirmed; the incident's
// containment plan is shown, never run (y is never sent; on the fixture it could not run anyway).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPty, type PtySession } from '../test/helpers/pty';
import { screenToSvg, svgToPng } from './ansi-screen';
import { createFixture } from './screenshot-fixture';

/** Text on screen: a substring, or a RegExp tested on the whole screen text. */
export type Matcher = string | RegExp;

/**
 * One thing to do in the terminal: a key (string, sent as is), a key pressed until a text shows
 * (`until`, at most `max` times, default 20), or a pause until a text shows (`wait`).
 */
export type KeyAction = string | { key: string; until: Matcher; max?: number } | { wait: Matcher };

export interface Step {
  /** File name (without extension) under the output dir. */
  name: string;
  /** Arguments appended to the command. */
  args: string[];
  /** Sent in order, once `ready` is on screen (e.g. 'j', '\r', '\x1b[B' for arrow down). */
  keys: KeyAction[];
  /** Screenshot is taken once this is on screen (after the keys). */
  waitFor: Matcher;
  /** Waited for before sending keys (default: nothing, keys go after the first output). */
  ready?: Matcher;
  /** Sent after the capture, before the program is stopped (e.g. Esc to cancel a dialog). */
  afterKeys?: string[];
  title?: string;
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  /** Pause between keys, ms (default 150). */
  keyDelayMs?: number;
  /** Pause after waitFor before capturing, letting a render settle, ms (default 300). */
  settleMs?: number;
  /**
   * Needs a live /proc (the signal dialog: a fixture is read-only, so K there only says so). The step
   * then runs on the harmless fake incident (test/helpers/masquerade.ts), filtered to it.
   */
  live?: boolean;
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

const shows = (s: PtySession, m: Matcher) => (typeof m === 'string' ? s.screen().includes(m) : m.test(s.screen()));

async function runKeys(session: PtySession, keys: KeyAction[], delayMs: number, timeoutMs: number): Promise<void> {
  for (const k of keys) {
    if (typeof k === 'string') {
      session.write(k);
      await sleep(delayMs);
    } else if ('wait' in k) {
      await session.waitForText(k.wait, timeoutMs);
    } else {
      const max = k.max ?? 20;
      await session.flush();
      for (let i = 0; !shows(session, k.until); i++) {
        if (i >= max) throw new Error(`pressed ${JSON.stringify(k.key)} ${max} times, still no ${String(k.until)} on screen:\n${session.screen()}`);
        session.write(k.key);
        await sleep(delayMs);
        await session.flush();
      }
    }
  }
}

export async function capture(step: Step, opts: CaptureOptions): Promise<CaptureResult> {
  const [cmd, ...lead] = opts.command;
  const timeout = opts.timeoutMs ?? 15_000;
  const session: PtySession = startPty(cmd, [...lead, ...step.args], {
    cols: step.cols ?? 120, rows: step.rows ?? 36, cwd: opts.cwd, env: { COLORTERM: 'truecolor', ...(step.env ?? {}) },
  });
  try {
    if (step.ready) await session.waitForText(step.ready, timeout);
    else await waitForOutput(session, timeout);
    await runKeys(session, step.keys, step.keyDelayMs ?? 150, timeout);
    try {
      await session.waitForText(step.waitFor, timeout);
    } catch (e) {
      throw new Error(`${(e as Error).message}; screen:\n${session.screen()}`);
    }
    await sleep(step.settleMs ?? 300);
    await session.flush();
    const svg = screenToSvg(session.term, { title: step.title ?? `minewatch ${step.args.join(' ')}`.trim() });
    const screen = session.screen();
    mkdirSync(opts.outDir, { recursive: true });
    const svgPath = join(opts.outDir, `${step.name}.svg`);
    writeFileSync(svgPath, svg);
    let pngPath: string | null = null;
    if (opts.png ?? true) {
      pngPath = join(opts.outDir, `${step.name}.png`);
      writeFileSync(pngPath, svgToPng(svg));
    }
    for (const k of step.afterKeys ?? []) {
      session.write(k);
      await sleep(step.keyDelayMs ?? 150);
    }
    return { name: step.name, svgPath, pngPath, svg, screen };
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

// What the screenshots show. `proc`/`root` are the fixture's (omitted with --simulate, which watches
// the live /proc); `evidence` is a directory nothing is written to (no signal is ever confirmed).
export interface Target {
  args: string[];
  fixture: boolean;
  /** The miner's executable can be opened (false: fixture without the /home bind; the inspector says so). */
  hashable: boolean;
}

// The detail panel's first line names the selected process, then its verdict, then its user.
export const MINER_SELECTED = /PID \d+ rcu-sched · [^\n]*?· user/;
export const LAUNCHER_SELECTED = /PID \d+ sshd · [^\n]*?· user \S+ \(\d+\) · parent/;

/**
 * The state the screenshots start from: the miner's row with its CPU % up (it needs two samples: a
 * three-digit figure on the fixture), drawn with its severity glyph, and the detail panel drawn for a
 * flagged process. Waits for the state, never for time; not for a layout (columns may move).
 */
export function readyState(fixture: boolean): RegExp {
  const minerRow = fixture ? '^‼ +\\d+ +\\S+ +[1-9]\\d{2}\\.\\d [^\\n]*rcu-sched ' : '^. +\\d+ [^\\n]*rcu-sched';
  return new RegExp(`${minerRow}[\\s\\S]*^PID \\d+ \\S+ · [‼!~·] [A-Z]+ score \\d+`, 'm');
}

/** The sizes every screenshot is taken at: a roomy terminal, and the classic 80x24 (name suffix -80x24). */
export const SIZES: readonly { cols: number; rows: number; suffix: string }[] = [
  { cols: 120, rows: 40, suffix: '' },
  { cols: 80, rows: 24, suffix: '-80x24' },
];

export function steps(t: Target): Step[] {
  return SIZES.flatMap((size) => stepsAt(t).map((s) => ({ ...s, name: `${s.name}${size.suffix}`, cols: size.cols, rows: size.rows })));
}

function stepsAt(t: Target): Step[] {
  // TZ fixes the start times.
  const ready = readyState(t.fixture);
  const base = { args: t.args, env: { TZ: 'UTC' } };
  return [
    {
      ...base, ready, name: 'dashboard', title: 'minewatch · the incident: fake sshd and its rcu-sched miner',
      // the detail panel drawn down to its first finding's end (at 80x24 only the first ones fit)
      keys: [{ key: 'n', until: MINER_SELECTED }], waitFor: /^‼ H\d+ [^\n]+\n {2}\S/m,
    },
    {
      ...base, ready, name: 'inspect', title: 'minewatch · i: inspect the miner',
      keys: [{ key: 'n', until: MINER_SELECTED }, 'i'], waitFor: t.hashable ? /sha256\s+[0-9a-f]{64}/ : /sha256\s+[0-9a-f]{64}|note\s+\S/, settleMs: 500,
    },
    {
      ...base, ready, name: 'persistence', title: 'minewatch · c: what starts the fake sshd again',
      keys: [{ key: 'n', until: LAUNCHER_SELECTED }, 'c'],
      waitFor: t.fixture ? /Started by:?\s*\n\s+crontab of abc, line \d+/ : /Started by/,
    },
    {
      ...base, ready: /rcu-sched/, live: true, name: 'kill-dialog', title: 'minewatch · K: the signal dialog (cancelled, never confirmed)',
      keys: [{ key: 'n', until: MINER_SELECTED }, 'K', { wait: /Signal process \d+/ }, 'a', { wait: /\[x\] included/ }, 'j'],
      waitFor: /› SIGTERM/,
      afterKeys: ['\x1b'], // Esc: cancel. Never Enter/y.
    },
    {
      ...base, ready, name: 'incident', title: 'minewatch · Enter on the miner: the incident on one screen',
      keys: [{ key: 'n', until: MINER_SELECTED }, '\r'], waitFor: /Incident: PID \d+ rcu-sched[\s\S]*(crontab of abc, line \d+|c proposes a containment plan)/,
      afterKeys: ['\x1b'],
    },
    {
      ...base, ready, name: 'incident-plan', title: 'minewatch · c: the containment plan (shown, never confirmed)',
      keys: [{ key: 'n', until: MINER_SELECTED }, '\r', { wait: /Incident: PID \d+/ }, 'c'], waitFor: /5\. Watch for a respawn/,
      afterKeys: ['\x1b', '\x1b'], // Esc back, Esc close. Never y.
    },
    { ...base, ready, name: 'help', title: 'minewatch · ?: keys', keys: ['?'], waitFor: /minewatch keys/ },
  ];
}

/**
 * The command that runs the dashboard on the fixture. When the runner may make a private mount
 * namespace (root: `unshare --mount`; otherwise an unprivileged user namespace, `unshare -r --mount`),
 * the fixture's home directories are bind-mounted over /home inside it, for the dashboard only: the
 * miner's exe link then says /home/abc/.x/rcu-sched, as on the real host, and the inspector hashes the
 * fixture file. Without it, the link still says /home/abc/.x/rcu-sched but hashing reports it missing.
 */
export function homeBindCommand(home: string, program: string[]): { command: string[]; how: string } {
  const script = 'mount --bind "$0" /home && exec "$@"';
  if (!existsSync('/home')) return { command: program, how: 'no /home on this machine: the inspector cannot hash the miner' };
  const variants: [string, string[]][] = [
    ['unshare --mount', ['--mount', '--propagation', 'private']],
    ['unshare --user --map-root-user --mount', ['--user', '--map-root-user', '--mount', '--propagation', 'private']],
  ];
  for (const [how, flags] of variants) {
    const probe = spawnSync('unshare', [...flags, '--', '/bin/sh', '-c', script, home, 'test', '-f', '/home/abc/.x/rcu-sched'], { stdio: 'ignore', timeout: 5000 });
    if (probe.status === 0) return { command: ['unshare', ...flags, '--', '/bin/sh', '-c', script, home, ...program], how: `fixture /home bind-mounted in a private namespace (${how})` };
  }
  return { command: program, how: 'no private mount namespace available: the inspector cannot hash the miner' };
}

export async function main(argv: string[]): Promise<number> {
  let only: string | null = null;
  let outDir = 'screenshots';
  let simulate = false;
  let bind = true;
  let program = [process.execPath, 'dist/minewatch.js'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') only = argv[++i];
    else if (a === '--out') outDir = argv[++i];
    else if (a === '--simulate') simulate = true;
    else if (a === '--no-bind') bind = false;
    else if (a === '--cmd') program = argv[++i].split(' ').filter(Boolean);
    else { console.error(`unknown argument: ${a}`); return 2; }
  }
  let command = program;
  let target: Target;
  let stop: (() => Promise<void>) | null = null;
  const scratch = mkdtempSync(join(tmpdir(), 'mw-shots-evidence-'));
  if (simulate) {
    // Live /proc with the harmless fake incident (test/helpers/masquerade.ts), killed afterwards.
    const { spawnFamily } = await import('../test/helpers/masquerade');
    const fam = await spawnFamily({ lifetimeSec: 300 });
    stop = () => fam.kill();
    target = { args: ['--evidence-dir', scratch], fixture: false, hashable: true };
    console.log(`simulated incident: sshd ${fam.launcher.pid}, rcu-sched ${fam.child.pid}`);
  } else {
    const fx = createFixture();
    fx.startCpu();
    stop = async () => fx.cleanup();
    let hashable = false;
    if (bind) {
      const b = homeBindCommand(fx.home, program);
      command = b.command;
      hashable = b.command !== program;
      console.log(b.how);
    }
    target = { args: ['--proc', fx.proc, '--root', fx.root, '--evidence-dir', join(fx.base, 'evidence')], fixture: true, hashable };
    console.log(`fixture host in ${fx.base}`);
  }
  const list = steps(target).filter((s) => only === null || s.name === only);
  if (list.length === 0) { console.error(`no step named ${only}`); await stop?.(); return 2; }
  let failed = 0;
  // Steps that need a live /proc run on the harmless fake incident, started once, killed by its PIDs.
  let live: { args: string[]; stop: () => Promise<void> } | null = null;
  const liveArgs = async (): Promise<string[]> => {
    if (target.args.includes('--evidence-dir') && !target.fixture) return target.args;
    if (!live) {
      const { spawnFamily } = await import('../test/helpers/masquerade');
      const fam = await spawnFamily({ lifetimeSec: 300 });
      live = { args: ['--evidence-dir', scratch, '--filter', String(fam.child.pid)], stop: () => fam.kill() };
      console.log(`live steps: fake sshd ${fam.launcher.pid}, rcu-sched ${fam.child.pid}`);
    }
    return live.args;
  };
  try {
    for (const step of list) {
      try {
        const run = step.live ? { ...step, args: await liveArgs() } : step;
        const r = await capture(run, { command: step.live ? program : command, outDir: resolve(outDir) });
        console.log(`wrote ${r.svgPath}${r.pngPath ? ' and .png' : ''}`);
      } catch (e) {
        failed++;
        console.error(`${step.name}: ${(e as Error).message}`);
      }
    }
  } finally {
    await (live as { stop: () => Promise<void> } | null)?.stop();
    await stop?.();
    rmSync(scratch, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
