// Run minewatch the way a user does, as one of two targets, so the same end-to-end tests drive both:
// - 'script': node dist/minewatch.js (built by `npm test`'s pretest step), on the machine's Node;
// - 'binary': dist/minewatch-linux-x64 (the single executable, packaged by test/install/globalSetup.ts
//   when missing or stale), started from a directory outside the checkout with no `node` on PATH.
// vitest.config.ts runs test/e2e once per target (projects e2e and e2e-binary, MINEWATCH_E2E_TARGET).
import { spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { startPty, type PtySession, type StartOptions } from './pty';

export type Target = 'script' | 'binary';
export const TARGET: Target = process.env.MINEWATCH_E2E_TARGET === 'binary' ? 'binary' : 'script';

export const REPO = resolve(__dirname, '..', '..');
export const SCRIPT = join(REPO, 'dist', 'minewatch.js');
export const BINARY = join(REPO, 'dist', 'minewatch-linux-x64');
/** The file the current target runs. */
export const BIN = TARGET === 'binary' ? BINARY : SCRIPT;

let shadow: { dir: string; path: string } | null = null;

/**
 * A PATH with every program of this one except node (and nodejs): each PATH directory mirrored as a
 * directory of symlinks, because /usr/bin holds node next to sh, python3 and crontab.
 */
export function pathWithoutNode(): string {
  if (shadow) return shadow.path;
  const dir = mkdtempSync(join(tmpdir(), 'mw-nonode-'));
  chmodSync(dir, 0o755); // tests also run it as nobody
  const dirs: string[] = [];
  (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).filter(Boolean).forEach((d, i) => {
    if (d.includes('node_modules')) return;
    const mirror = join(dir, String(i));
    mkdirSync(mirror);
    let names: string[] = [];
    try { names = readdirSync(d); } catch { return; }
    for (const n of names) if (n !== 'node' && n !== 'nodejs') symlinkSync(join(d, n), join(mirror, n));
    dirs.push(mirror);
  });
  shadow = { dir, path: dirs.join(delimiter) };
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return shadow.path;
}

let outside: string | null = null;
/** A working directory outside the checkout (the binary must not need anything in it). */
export function outsideDir(): string {
  if (!outside) {
    outside = mkdtempSync(join(tmpdir(), 'mw-cwd-'));
    chmodSync(outside, 0o755);
    const d = outside;
    process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  }
  return outside;
}

/** Command, arguments, environment and directory that start minewatch with `args` for the current target. */
export function minewatchCommand(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const base = opts.env ?? process.env;
  if (TARGET === 'script') {
    if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build (npm test does it)`);
    return { cmd: process.execPath, args: [SCRIPT, ...args], env: base, cwd: opts.cwd };
  }
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run npm run package (test/install/globalSetup.ts does it)`);
  return { cmd: BINARY, args, env: { ...base, PATH: pathWithoutNode() }, cwd: opts.cwd ?? outsideDir() };
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function runCli(args: string[], opts: SpawnOptions = {}): Promise<CliResult> {
  const c = minewatchCommand(args, { env: opts.env, cwd: opts.cwd as string | undefined });
  return new Promise((resolve, reject) => {
    const child = spawn(c.cmd, c.args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, env: c.env, cwd: c.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** minewatch with `args` in a pseudo-terminal, for the current target. */
export function startMinewatch(args: string[], opts: StartOptions = {}): PtySession {
  const c = minewatchCommand(args, { cwd: opts.cwd });
  const env = TARGET === 'binary' ? { ...(opts.env ?? {}), PATH: c.env.PATH! } : opts.env;
  return startPty(c.cmd, c.args, { ...opts, env, cwd: c.cwd });
}
