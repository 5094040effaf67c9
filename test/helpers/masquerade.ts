// Real, harmless processes that reproduce the incident for end-to-end tests: a dropped binary named
// `rcu-sched` started as `./rcu-sched <xmrig args>` from a hidden temp dir, a shell script named `sshd`,
// both detached so their parent is PID 1 (or the nearest subreaper: read `ppid`, do not assume 1).
// Every process started here is tracked (pid + start time + the process group we created) and
// SIGKILLed on kill(), at process exit as a last resort, and by its own lifetime cap otherwise.
// See src/simulate/payload.ts for the choice of the fake binary.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_MINER_ARGS, childrenOf, idleScript, installPayload, killTracked, killTrackedSync, readStat, readUid,
  spawnDetached, shq, waitFor as waitForCond, type PayloadImpl, type Tracked,
} from '../../src/simulate/payload';

export { DEFAULT_MINER_ARGS };

export interface Spawned {
  pid: number;
  /** Parent after detaching: 1, or a subreaper. Never the test process. */
  ppid: number;
  /** Process group (and session) we created; the intermediate shell's pid. */
  pgid: number;
  /** Clock ticks since boot: pid + startTicks identify the process. */
  startTicks: number;
  uid: number;
  /** Directory holding the executable (the hidden `.x` sub-dir when hiddenDir). */
  dir: string;
  /** Temp dir removed by kill(). */
  root: string;
  /** Absolute path of the file started. */
  path: string;
  /** How the fake binary is made (see payload.ts); 'script' for shell scripts. */
  impl: PayloadImpl | 'script';
  /** SIGKILL the process and its group, wait until gone (or zombie), remove the temp dir. */
  kill(): Promise<void>;
}

const live = new Map<number, { t: Tracked; root: string }>();

process.once('exit', () => {
  for (const { t, root } of live.values()) {
    killTrackedSync(t);
    try { rmSync(root, { recursive: true, force: true }); } catch { /* best effort */ }
  }
  live.clear();
});

export function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  return waitForCond(cond, timeoutMs);
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

interface Place { root: string; dir: string; ids: { uid?: number; gid?: number } }

function makePlace(hiddenDir: boolean, asNobody: boolean): Place {
  const root = mkdtempSync(join(tmpdir(), 'mw-e2e-'));
  const dir = hiddenDir ? join(root, '.x') : root;
  if (hiddenDir) mkdirSync(dir);
  const nobody = asNobody && isRoot();
  if (nobody) {
    chmodSync(root, 0o755);
    chmodSync(dir, 0o755);
  }
  return { root, dir, ids: nobody ? { uid: 65534, gid: 65534 } : {} };
}

async function start(place: Place, command: string, comm: string, env: Record<string, string>, file: string, impl: Spawned['impl']): Promise<Spawned> {
  let st;
  try {
    st = await spawnDetached(command, { cwd: place.dir, env, ...place.ids, expectComm: comm });
  } catch (e) {
    rmSync(place.root, { recursive: true, force: true });
    throw e;
  }
  const t: Tracked = { pid: st.pid, startTicks: st.startTicks, pgid: st.pgid };
  live.set(t.pid, { t, root: place.root });
  let killed: Promise<void> | null = null;
  return {
    pid: st.pid, ppid: st.ppid, pgid: st.pgid, startTicks: st.startTicks, uid: readUid(st.pid) ?? -1,
    dir: place.dir, root: place.root, path: join(place.dir, file), impl,
    kill() {
      killed ??= (async () => {
        try { await killTracked(t); } finally {
          live.delete(t.pid);
          rmSync(place.root, { recursive: true, force: true });
        }
      })();
      return killed;
    },
  };
}

export interface MinerOptions {
  /** File name and thus comm; default 'rcu-sched'. At most 15 bytes are visible in comm. */
  name?: string;
  /** When root: run as uid/gid 65534. Ignored otherwise. */
  asNobody?: boolean;
  /** Spin a full core (lifetime capped at 120 s unless lifetimeSec says less). */
  burnCpu?: boolean;
  /** Put the binary in a hidden `.x` sub-dir (default true). */
  hiddenDir?: boolean;
  /** Arguments shown in cmdline and ignored; default xmrig-like. */
  args?: string[];
  /** Self-exit after this many seconds (default 600, 120 with burnCpu). */
  lifetimeSec?: number;
  /** Force the fallback payload ('sh') or the compiled one ('c'). */
  impl?: PayloadImpl;
}

export async function spawnFakeMiner(opts: MinerOptions = {}): Promise<Spawned> {
  const name = opts.name ?? 'rcu-sched';
  const place = makePlace(opts.hiddenDir ?? true, opts.asNobody ?? false);
  const plan = installPayload(place.dir, name, {
    args: opts.args, duty: opts.burnCpu ? 100 : 0, impl: opts.impl,
    lifetimeSec: opts.lifetimeSec ?? (opts.burnCpu ? 120 : 600),
  });
  return start(place, plan.command, name.slice(0, 15), plan.env, name, plan.impl);
}

export interface SshdOptions { asNobody?: boolean; hiddenDir?: boolean; lifetimeSec?: number; name?: string }

/** `#!/bin/sh` script named sshd started as `./sshd`: comm sshd, exe the shell, cmdline `/bin/sh ./sshd`. */
export async function spawnFakeSshd(opts: SshdOptions = {}): Promise<Spawned> {
  const name = opts.name ?? 'sshd';
  const place = makePlace(opts.hiddenDir ?? true, opts.asNobody ?? false);
  writeFileSync(join(place.dir, name), idleScript(opts.lifetimeSec ?? 600), { mode: 0o755 });
  return start(place, './' + shq(name), name.slice(0, 15), { MINEWATCH_FAKE: '1' }, name, 'script');
}

export interface Family {
  /** The `sshd` launcher script (parent of the miner). */
  launcher: Spawned;
  /** The fake `rcu-sched`, child of the launcher. */
  child: { pid: number; startTicks: number; ppid: number; path: string; impl: PayloadImpl };
  dir: string;
  /** Kills launcher, miner (same process group) and removes the dir. */
  kill(): Promise<void>;
}

export interface FamilyOptions { asNobody?: boolean; hiddenDir?: boolean; burnCpu?: boolean; args?: string[]; minerName?: string; launcherName?: string; lifetimeSec?: number; impl?: PayloadImpl }

/** Launcher script `sshd` (parent PID 1) that starts the fake `rcu-sched` as its child. */
export async function spawnFamily(opts: FamilyOptions = {}): Promise<Family> {
  const minerName = opts.minerName ?? 'rcu-sched';
  const launcherName = opts.launcherName ?? 'sshd';
  const life = opts.lifetimeSec ?? (opts.burnCpu ? 120 : 600);
  const place = makePlace(opts.hiddenDir ?? true, opts.asNobody ?? false);
  const plan = installPayload(place.dir, minerName, { args: opts.args, duty: opts.burnCpu ? 100 : 0, lifetimeSec: life, impl: opts.impl });
  const exports = Object.entries(plan.env).map(([k, v]) => `export ${k}=${shq(v)}`).join('; ');
  writeFileSync(join(place.dir, launcherName), idleScript(life, `${exports}\n${plan.command} </dev/null >/dev/null 2>&1 &`), { mode: 0o755 });
  const launcher = await start(place, './' + shq(launcherName), launcherName.slice(0, 15), { MINEWATCH_FAKE: '1' }, launcherName, 'script');
  let child: Family['child'] | undefined;
  try {
    await waitForCond(() => {
      const c = childrenOf(launcher.pid).find((s) => s.comm === minerName.slice(0, 15));
      if (c) child = { pid: c.pid, startTicks: c.startTicks, ppid: c.ppid, path: join(place.dir, minerName), impl: plan.impl };
      return !!c;
    }, 5000, `${minerName} child of ${launcher.pid}`);
  } catch (e) {
    await launcher.kill();
    throw e;
  }
  const kid = child!;
  return {
    launcher, child: kid, dir: place.dir,
    async kill() {
      // The miner shares the launcher's process group, so launcher.kill() takes it down; belt and braces:
      const s = readStat(kid.pid);
      if (s && s.startTicks === kid.startTicks && s.pgrp === launcher.pgid) {
        try { process.kill(kid.pid, 'SIGKILL'); } catch { /* gone */ }
      }
      await launcher.kill();
    },
  };
}

/** A process whose comm contains escape sequences (set with prctl(PR_SET_NAME) / /proc/self/comm). */
export async function spawnEscapeNamed(name = 'x\x1b[31mRED\x1b[2J', opts: { impl?: PayloadImpl; lifetimeSec?: number } = {}): Promise<Spawned> {
  const comm = Buffer.from(name, 'utf8').subarray(0, 15).toString('latin1');
  const place = makePlace(false, false);
  const plan = installPayload(place.dir, 'esc-named', { args: [], comm: name, impl: opts.impl, lifetimeSec: opts.lifetimeSec ?? 600 });
  return start(place, plan.command, comm, plan.env, 'esc-named', plan.impl);
}

/** A launcher script `sshd` (hidden dir, parent PID 1 or a subreaper) with `n` idle `sleep` children,
 *  all in the process group we created, so kill() takes every one of them down. */
export async function spawnLauncherWithChildren(n: number, opts: { lifetimeSec?: number } = {}): Promise<Spawned & { children(): number[] }> {
  const life = opts.lifetimeSec ?? 120;
  const place = makePlace(true, false);
  const kids = `i=0; while [ $i -lt ${Math.max(0, Math.floor(n))} ]; do sleep ${life} </dev/null >/dev/null 2>&1 & i=$((i+1)); done`;
  writeFileSync(join(place.dir, 'sshd'), idleScript(life, kids), { mode: 0o755 });
  const launcher = await start(place, './sshd', 'sshd', { MINEWATCH_FAKE: '1' }, 'sshd', 'script');
  const children = () => childrenOf(launcher.pid).filter((c) => c.comm === 'sleep' && c.pgrp === launcher.pgid).map((c) => c.pid);
  try {
    await waitForCond(() => children().length >= n, 10_000, `${n} children of ${launcher.pid}`);
  } catch (e) {
    await launcher.kill();
    throw e;
  }
  return { ...launcher, children };
}
