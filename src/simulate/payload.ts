// The harmless stand-ins for the incident's processes, shared by `minewatch simulate` and the
// end-to-end test helpers (test/helpers/masquerade.ts).
//
// Choice of the fake miner binary (it must look like a dropped ELF binary, ignore xmrig-style
// arguments, never touch the network, burn a bounded amount of CPU and die by itself):
//   1. 'c'  : a ~40-line C program compiled once per process with gcc (cc) into a private temp dir
//             and copied under the masquerading name. /proc/PID/exe is then the copied file, comm is
//             its file name, argv is whatever we pass: the closest match to a real dropper. It has no
//             socket code at all, and alarm() kills it at the lifetime cap even mid-spin.
//   2. 'sh' : when no C compiler exists, a copy of the system shell (dash/bash) under the name,
//             started as `./rcu-sched -c '<loop>' rcu-sched <miner args>`. exe is still the copy in the
//             hidden dir and comm the fake name, but argv shows `-c <loop>` and idling forks `sleep 1`.
// Copying /usr/bin/sleep was rejected (it refuses unknown arguments and cannot burn CPU); copying
// node or python was rejected (too big, and they parse their arguments).
//
// Detaching: `/bin/sh -c '<cmd> & echo $!'` spawned with detached:true (setsid); the shell prints the
// background PID and exits, so the fake is reparented to PID 1 or the nearest subreaper. Its process
// group is the intermediate shell's PID: a group we created, which kill paths use to take descendants
// (the `sleep` children of shell loops) down with it.

import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatFields } from '../procfs/stat';
import { attempt, listPids, PROC_ROOT, readCmdline as readArgv, readCwd, readExe, readStat as readProcStat, readStatus } from '../procfs/pid';

/** Never let a fake outlive this, whatever the caller asks for (seconds). */
export const MAX_LIFETIME_SEC = 3600;
export const DEFAULT_LIFETIME_SEC = 600;

export const DEFAULT_MINER_ARGS = ['-o', 'stratum+tcp://pool.invalid:3333', '-u', '4AdUndXHHZ9pfQj27fMAjbuWvjKvT7q.worker', '-p', 'x', '--donate-level=1', '-a', 'rx/0'];

export const FAKE_MINER_C = String.raw`/* minewatch fake miner: a harmless stand-in. It ignores its arguments, contains no network code,
   spins for DUTY percent of each period and exits after LIFETIME seconds (alarm() as a backstop). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static void pause_for(double s) { struct timespec t; t.tv_sec = (time_t)s; t.tv_nsec = (long)((s - (double)t.tv_sec) * 1e9); nanosleep(&t, 0); }

int main(int argc, char **argv) {
  (void)argc; (void)argv;
  long life = 600; int duty = 0; const char *s;
  if ((s = getenv("MINEWATCH_FAKE_LIFETIME"))) life = atol(s);
  if (life < 1) life = 1;
  if (life > 3600) life = 3600;
  if ((s = getenv("MINEWATCH_FAKE_DUTY"))) duty = atoi(s);
  if (duty < 0) duty = 0;
  if (duty > 100) duty = 100;
  if ((s = getenv("MINEWATCH_FAKE_COMM")) && *s) prctl(PR_SET_NAME, (unsigned long)s, 0, 0, 0);
  alarm((unsigned)life + 2);
  double end = now() + (double)life;
  double period = duty > 0 ? 0.1 : 1.0;
  volatile unsigned long spin = 0;
  for (;;) {
    double t0 = now();
    if (t0 >= end) return 0;
    if (duty > 0) while (now() - t0 < period * duty / 100.0) spin++;
    if (duty < 100) pause_for(period * (100 - duty) / 100.0);
  }
}
`;

export type PayloadImpl = 'c' | 'sh';

let compiled: Buffer | null | undefined;

function findCompiler(): string | null {
  for (const cc of ['gcc', 'cc', 'clang']) {
    const r = spawnSync(cc, ['--version'], { stdio: 'ignore' });
    if (r.status === 0) return cc;
  }
  return null;
}

/** The fake compiled once per process and kept in memory (the build dir is removed at once); null without a compiler. */
export function compiledFake(): Buffer | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const cc = findCompiler();
  if (!cc) return null;
  const dir = mkdtempSync(join(tmpdir(), 'minewatch-cc-'));
  try {
    const src = join(dir, 'fake.c');
    const out = join(dir, 'fake');
    writeFileSync(src, FAKE_MINER_C);
    const r = spawnSync(cc, ['-O1', '-o', out, src], { stdio: 'ignore', timeout: 60_000 });
    if (r.status === 0 && existsSync(out)) compiled = readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return compiled;
}

export function systemShell(): string {
  return realpathSync('/bin/sh');
}

/** POSIX-shell single-quote a word. */
export function shq(word: string): string {
  return "'" + word.replace(/'/g, "'\\''") + "'";
}

/**
 * Loop for the shell fallback: same DUTY/LIFETIME semantics as the C program (MINEWATCH_FAKE_LIFETIME in
 * the environment wins over the value baked in), reading /proc/uptime with builtins. The busy part is
 * a counted loop calibrated roughly (dash does ~1.3M iterations/s), then `sleep 1`.
 */
function shellLoop(duty: number, lifetimeSec: number): string {
  const up = 'read up _ </proc/uptime; up=${up%.*}';
  const check = '[ "$up" -ge "$end" ] && exit 0';
  const d = duty / 100;
  const iters = duty >= 100 ? 200_000 : Math.min(5_000_000, Math.round((1_300_000 * d) / (1 - d)));
  const busy = duty > 0 ? `i=0; while [ $i -lt ${iters} ]; do i=$((i+1)); done; ` : '';
  const idle = duty >= 100 ? '' : 'sleep 1; ';
  return `${up}; end=$((up+\${MINEWATCH_FAKE_LIFETIME:-${lifetimeSec}})); while :; do ${busy}${idle}${up}; ${check}; done`;
}

export interface PayloadPlan {
  impl: PayloadImpl;
  /** Shell words (already quoted) that start the fake from its directory, e.g. `./rcu-sched '-o' ...`. */
  command: string;
  /** Environment variables the payload reads. */
  env: Record<string, string>;
}

/**
 * Put the fake binary at dir/name (mode 0755) and return how to start it from dir.
 * duty: percent of one core to burn (0 = idle). lifetimeSec: self-exit, clamped to MAX_LIFETIME_SEC.
 */
export function installPayload(dir: string, name: string, opts: { args?: string[]; duty?: number; lifetimeSec?: number; comm?: string; impl?: PayloadImpl } = {}): PayloadPlan {
  const args = opts.args ?? DEFAULT_MINER_ARGS;
  const duty = Math.max(0, Math.min(100, Math.round(opts.duty ?? 0)));
  const lifetimeSec = Math.max(1, Math.min(MAX_LIFETIME_SEC, Math.round(opts.lifetimeSec ?? DEFAULT_LIFETIME_SEC)));
  const dest = join(dir, name);
  const cBin = opts.impl === 'sh' ? null : compiledFake();
  if (opts.impl === 'c' && !cBin) throw new Error('no C compiler available for the fake payload');
  const env: Record<string, string> = { MINEWATCH_FAKE: '1', MINEWATCH_FAKE_LIFETIME: String(lifetimeSec), MINEWATCH_FAKE_DUTY: String(duty) };
  if (cBin) {
    writeFileSync(dest, cBin, { mode: 0o755 });
    chmodSync(dest, 0o755);
    if (opts.comm) env.MINEWATCH_FAKE_COMM = opts.comm;
    return { impl: 'c', command: ['./' + name, ...args].map(shq).join(' '), env };
  }
  copyFileSync(systemShell(), dest);
  chmodSync(dest, 0o755);
  let loop = shellLoop(duty, lifetimeSec);
  if (opts.comm) loop = `printf '%s' ${shq(opts.comm)} >/proc/$$/comm; ` + loop;
  return { impl: 'sh', command: ['./' + name, '-c', loop, name, ...args].map(shq).join(' '), env };
}

/** A `#!/bin/sh` script that idles (sleep 1 loop) until lifetimeSec, then exits. `before` runs first. */
export function idleScript(lifetimeSec: number, before = ''): string {
  const life = Math.max(1, Math.min(MAX_LIFETIME_SEC, Math.round(lifetimeSec)));
  return [
    '#!/bin/sh',
    '# minewatch simulation fixture: harmless, no network, exits by itself.',
    before,
    'read up _ </proc/uptime; up=${up%.*}; end=$((up+' + life + '))',
    'while :; do sleep 1; read up _ </proc/uptime; up=${up%.*}; [ "$up" -ge "$end" ] && exit 0; done',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- /proc helpers

export type StatInfo = Pick<StatFields, 'pid' | 'comm' | 'state' | 'ppid' | 'pgrp' | 'session' | 'startTicks'>;

// The live /proc through the one per-PID reader; the simulation only ever looks at its own processes.

export function readStat(pid: number): StatInfo | null {
  return attempt(() => readProcStat(PROC_ROOT, pid));
}

/** Real uid, or null when the process is gone. */
export function readUid(pid: number): number | null {
  return attempt(() => readStatus(PROC_ROOT, pid).realUid);
}

export function readCmdline(pid: number): string[] {
  return attempt(() => readArgv(PROC_ROOT, pid).argv) ?? [];
}

/** /proc/PID/exe or cwd with " (deleted)" removed, or null. */
export function readPidLink(pid: number, what: 'exe' | 'cwd'): string | null {
  return attempt(() => (what === 'exe' ? readExe(PROC_ROOT, pid).path : readCwd(PROC_ROOT, pid)));
}

/** Alive and not a zombie. */
export function isLive(pid: number, startTicks?: number): boolean {
  const s = readStat(pid);
  if (!s || s.state === 'Z' || s.state === 'X') return false;
  return startTicks === undefined || s.startTicks === startTicks;
}

/** PIDs whose process group is pgrp (zombies excluded). */
export function groupMembers(pgrp: number): number[] {
  const out: number[] = [];
  for (const pid of listPids(PROC_ROOT)) {
    const s = readStat(pid);
    if (s && s.pgrp === pgrp && s.state !== 'Z' && s.state !== 'X') out.push(s.pid);
  }
  return out;
}

export function childrenOf(ppid: number): StatInfo[] {
  const out: StatInfo[] = [];
  for (const pid of listPids(PROC_ROOT)) {
    const s = readStat(pid);
    if (s && s.ppid === ppid) out.push(s);
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(cond: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (cond()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

// ---------------------------------------------------------------- detach and kill

/** Identity of a process we started: pid + start time, and the process group we created for it. */
export interface Tracked {
  pid: number;
  startTicks: number;
  pgid: number;
}

export interface DetachOptions {
  cwd: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Wait until the detached process's comm is this (it has exec'd). */
  expectComm?: string;
  timeoutMs?: number;
}

/**
 * Start `command` (shell words) detached: new session, intermediate shell exits, the process is
 * reparented. Resolves once the process has exec'd (comm matches expectComm when given).
 */
export async function spawnDetached(command: string, opts: DetachOptions): Promise<Tracked & StatInfo> {
  const env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...(opts.env ?? {}) };
  const child = spawn('/bin/sh', ['-c', `${command} </dev/null >/dev/null 2>&1 & echo $!`], {
    cwd: opts.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}), ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  const pgid = child.pid;
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  const pid = Number(out.trim());
  if (!pgid || code !== 0 || !Number.isInteger(pid) || pid <= 0) {
    throw new Error(`detached start failed (exit ${code}): ${err.trim() || out.trim()}`);
  }
  let st: StatInfo | null = null;
  await waitFor(() => {
    st = readStat(pid);
    if (!st) throw new Error(`detached process ${pid} exited immediately (${command})`);
    return opts.expectComm === undefined || st.comm === opts.expectComm;
  }, opts.timeoutMs ?? 5000, `pid ${pid} to exec ${opts.expectComm ?? ''}`);
  const s = st as unknown as StatInfo;
  return { ...s, pgid };
}

/**
 * SIGKILL the group we created (only while our tracked process still has the recorded start time and
 * is in it, so the group id cannot have been reused) and the pid itself. Synchronous, idempotent.
 */
export function killTrackedSync(t: Tracked): void {
  const s = readStat(t.pid);
  if (!s || s.startTicks !== t.startTicks) return; // gone, or the pid now belongs to someone else
  if (s.pgrp === t.pgid && t.pgid > 1) {
    try { process.kill(-t.pgid, 'SIGKILL'); } catch { /* already gone */ }
  }
  try { process.kill(t.pid, 'SIGKILL'); } catch { /* already gone */ }
}

/** Kill, then wait until the process and every member of its group are gone or zombies. */
export async function killTracked(t: Tracked, timeoutMs = 5000): Promise<void> {
  const groupAlive = readStat(t.pid)?.startTicks === t.startTicks && readStat(t.pid)?.pgrp === t.pgid;
  killTrackedSync(t);
  await waitFor(() => !isLive(t.pid, t.startTicks) && (!groupAlive || groupMembers(t.pgid).length === 0), timeoutMs, `pid ${t.pid} to die`);
}
