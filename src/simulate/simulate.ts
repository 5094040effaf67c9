// `minewatch simulate`: a harmless, self-limiting re-enactment of the incident, so a user can see
// what minewatch says about it. A shell script named `sshd` in a hidden temp dir, started as `./sshd`
// and detached (parent PID 1), starts a fake `rcu-sched` (see payload.ts) with xmrig-like arguments
// that burns ~30% of one core. Nothing opens a network connection; everything exits by itself at the
// deadline. --persistence adds a crontab line (marked `# minewatch-simulate`) that restarts the
// launcher, but only until the deadline; with --as-nobody the line goes into nobody's own crontab
// (`crontab -u nobody`), and a warning says when no cron daemon runs to act on it. --stop kills exactly
// the recorded processes (pid + start time, and only while their exe/cwd is still inside the simulation
// dir), removes the cron line from the crontab it went into, and the dir.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import type { ProcessInfo } from '../model';
import { ProcReader } from '../procfs/reader';
import { readAccounts } from '../procfs/users';
import { formatHelp, parseArgs, SIMULATE, UsageError } from '../cli/args';
import {
  DEFAULT_MINER_ARGS, MAX_LIFETIME_SEC, childrenOf, installPayload, isLive, readCmdline, readPidLink, readStat, readUid, shq,
  spawnDetached, waitFor, type PayloadImpl,
} from './payload';

export const CRON_MARK = '# minewatch-simulate';
export const LAUNCHER_NAME = 'sshd';
export const MINER_NAME = 'rcu-sched';
const DIR_PREFIX = 'minewatch-sim-';
const STATE_FILE = 'simulate.json';

export interface SimProcess { pid: number; startTicks: number; name: string; role: 'launcher' | 'miner' }

export interface SimState {
  version: 1;
  /** Temp dir removed on stop. */
  root: string;
  /** Hidden dir holding the fake binaries (cwd of the processes). */
  dir: string;
  /** Wall-clock deadline, ms since the epoch. */
  deadline: number;
  uid: number;
  impl: PayloadImpl;
  /** The crontab line added, the program used, and whose crontab (null: the invoking user's own). */
  cron: { line: string; crontab: string; user?: string | null } | null;
  pids: SimProcess[];
}

export interface StartOptions {
  /** Milliseconds; clamped to 1 s .. 1 h. Default 5 minutes. */
  duration?: number;
  persistence?: boolean;
  /** When root: run the processes as uid/gid 65534. */
  asNobody?: boolean;
  stateDir?: string;
  /** Percent of one core the fake miner burns (default 30). */
  cpuPercent?: number;
  /** crontab program (tests pass a fake one). */
  crontab?: string;
  impl?: PayloadImpl;
  /** Where to look for a running cron daemon (default /proc; tests pass a fixture tree). */
  procRoot?: string;
  /** Root of /etc/passwd, for the name of uid 65534 (default /). */
  root?: string;
}

export interface StartResult {
  pids: SimProcess[];
  dir: string;
  root: string;
  deadline: number;
  cronLine: string | null;
  /** Whose crontab holds the line (the account the processes run as). */
  cronUser: string | null;
  /** Things the user should know: e.g. no cron daemon runs, so the line restarts nothing. */
  warnings: string[];
  /** What minewatch should report, one line per process / artefact. */
  expected: string[];
  statePath: string;
}

export function defaultStateDir(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'minewatch');
}

function statePath(stateDir: string): string {
  return join(stateDir, STATE_FILE);
}

export function readState(stateDir: string): SimState | null {
  try {
    const s = JSON.parse(readFileSync(statePath(stateDir), 'utf8')) as SimState;
    return s && s.version === 1 && Array.isArray(s.pids) ? s : null;
  } catch { return null; }
}

/** The launcher: single instance, records pid + start time of itself and the miner in .pids, idles to the deadline. */
function launcherScript(deadlineSec: number, minerCommand: string, env: Record<string, string>): string {
  const exports = Object.entries(env).filter(([k]) => k !== 'MINEWATCH_FAKE_LIFETIME').map(([k, v]) => `${k}=${shq(v)}`).join(' ');
  return `#!/bin/sh
# minewatch simulate: a harmless re-enactment of a masquerading miner. No network access.
# Everything here exits by itself at ${new Date(deadlineSec * 1000).toISOString()}. Stop now: minewatch simulate --stop
deadline=${deadlineSec}
now=$(date +%s)
[ "$now" -ge "$deadline" ] && exit 0
if [ -f .sshd.pid ]; then
  read p t <.sshd.pid
  if [ -r "/proc/$p/stat" ]; then set -- $(cat "/proc/$p/stat"); [ "\${22}" = "$t" ] && [ "$3" != Z ] && exit 0; fi
fi
set -- $(cat /proc/$$/stat); echo "$$ \${22}" >.sshd.pid; echo "$$ \${22} ${LAUNCHER_NAME}" >>.pids
export ${exports} MINEWATCH_FAKE_LIFETIME=$((deadline-now))
${minerCommand} </dev/null >/dev/null 2>&1 &
m=$!
set -- $(cat /proc/$m/stat); echo "$m \${22} ${MINER_NAME}" >>.pids
while [ "$(date +%s)" -lt "$deadline" ]; do sleep 2; done
`;
}

/** `crontab -u USER` when the line belongs to another account than the invoking one. */
function userArgs(user: string | null | undefined): string[] {
  return user ? ['-u', user] : [];
}

function readCrontab(cmd: string, user: string | null = null): string {
  const r = spawnSync(cmd, [...userArgs(user), '-l'], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status === 0) return r.stdout;
  if (/no crontab/i.test(r.stderr)) return '';
  // Anything else: refuse, rather than risk overwriting a crontab we could not read.
  throw new Error(`${cmd} -l failed: ${r.stderr.trim()}`);
}

function writeCrontab(cmd: string, text: string, user: string | null = null): void {
  const r = spawnSync(cmd, [...userArgs(user), '-'], { input: text, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${cmd} - failed: ${r.error?.message ?? r.stderr.trim()}`);
}

function removeCronLines(cmd: string, user: string | null): number {
  const current = readCrontab(cmd, user);
  const lines = current.split('\n');
  const kept = lines.filter((l) => !l.includes(CRON_MARK));
  const removed = lines.length - kept.length;
  if (removed > 0) writeCrontab(cmd, kept.join('\n').replace(/\n*$/, '\n'), user);
  return removed;
}

/** Program names of the cron daemons of the distributions (cronie, vixie/debian cron, busybox, fcron, dcron). */
const CRON_DAEMONS = new Set(['cron', 'crond', 'fcron', 'dcron']);

/**
 * The cron daemon among these processes, or null: a root process named (comm) or running (exe) one
 * of the daemons. Only root's count: an ordinary user's process named `cron` runs nobody's crontab.
 */
export function findCronDaemon(processes: Iterable<ProcessInfo>): ProcessInfo | null {
  for (const p of processes) {
    if (p.uid !== 0 || p.kernelThread) continue;
    if (CRON_DAEMONS.has(p.name) || (p.exe !== null && CRON_DAEMONS.has(basename(p.exe)))) return p;
    if (p.exe !== null && basename(p.exe) === 'busybox' && p.cmdline.some((a) => basename(a) === 'crond')) return p;
  }
  return null;
}

function cronDaemonRunning(procRoot: string, root: string): boolean {
  try {
    return findCronDaemon(new ProcReader({ procRoot, root }).sample().processes.values()) !== null;
  } catch {
    return true; // cannot tell: say nothing rather than something false
  }
}

/** The account name of uid 65534 from <root>/etc/passwd ("nobody" on most systems). */
function nobodyName(root: string): string {
  return readAccounts(root).get(65534)?.name ?? 'nobody';
}

function expectedFindings(s: SimState, launcher: SimProcess, miner: SimProcess): string[] {
  const user = s.cron?.user ?? (s.uid === 65534 ? 'nobody' : userInfo().username);
  const out = [
    `PID ${miner.pid} ${MINER_NAME}: critical. A user process (${user}) named like the kernel thread [rcu_sched]; ` +
      `binary ${join(s.dir, MINER_NAME)} in a hidden directory under ${tmpdir()}, started as ./${MINER_NAME} with ` +
      `mining-pool arguments (stratum+tcp://pool.invalid:3333, --donate-level, -a rx/0); it burns about 30% of a core (below the 50% that counts as busy); parent is the fake sshd.`,
    `PID ${launcher.pid} ${LAUNCHER_NAME}: high or critical. A script named like the SSH daemon run by /bin/sh from ./ ` +
      `(${join(s.dir, LAUNCHER_NAME)}), parent PID 1, not /usr/sbin/sshd; parent of the fake ${MINER_NAME}.`,
  ];
  if (s.cron) out.push(`Persistence: ${user}'s crontab has a line marked "${CRON_MARK}" that restarts ./${LAUNCHER_NAME} every minute.`);
  return out;
}

export async function startSimulation(opts: StartOptions = {}): Promise<StartResult> {
  const stateDir = opts.stateDir ?? defaultStateDir();
  const existing = readState(stateDir);
  if (existing && existing.deadline > Date.now() && existing.pids.some((p) => isLive(p.pid, p.startTicks))) {
    throw new Error(`a simulation is already running (until ${new Date(existing.deadline).toLocaleTimeString()}); stop it with: minewatch simulate --stop`);
  }
  const durationMs = Math.max(1000, Math.min(MAX_LIFETIME_SEC * 1000, opts.duration ?? 300_000));
  const deadlineSec = Math.ceil((Date.now() + durationMs) / 1000);
  const nobody = !!opts.asNobody && process.getuid?.() === 0;
  const crontab = opts.crontab ?? 'crontab';
  // The line goes into the crontab of the account the processes run as, as an attacker's would.
  const cronUser = nobody ? nobodyName(opts.root ?? '/') : null;
  const warnings: string[] = [];

  const root = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  const dir = join(root, '.x');
  mkdirSync(dir);
  let state: SimState | null = null;
  try {
    const plan = installPayload(dir, MINER_NAME, { args: DEFAULT_MINER_ARGS, duty: opts.cpuPercent ?? 30, lifetimeSec: durationMs / 1000, impl: opts.impl });
    writeFileSync(join(dir, LAUNCHER_NAME), launcherScript(deadlineSec, plan.command, plan.env), { mode: 0o755 });
    if (nobody) {
      chmodSync(root, 0o755);
      chownSync(dir, 65534, 65534); // the launcher writes its pid files here
    }
    state = {
      version: 1, root, dir, deadline: deadlineSec * 1000, uid: nobody ? 65534 : (process.getuid?.() ?? -1),
      impl: plan.impl, cron: null, pids: [],
    };
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(statePath(stateDir), JSON.stringify(state, null, 2) + '\n');

    const l = await spawnDetached('./' + LAUNCHER_NAME, {
      cwd: dir, env: { MINEWATCH_FAKE: '1' }, expectComm: LAUNCHER_NAME, ...(nobody ? { uid: 65534, gid: 65534 } : {}),
    });
    const launcher: SimProcess = { pid: l.pid, startTicks: l.startTicks, name: LAUNCHER_NAME, role: 'launcher' };
    state.pids.push(launcher);
    writeFileSync(statePath(stateDir), JSON.stringify(state, null, 2) + '\n');
    let miner: SimProcess | null = null;
    await waitFor(() => {
      const c = childrenOf(l.pid).find((s) => s.comm === MINER_NAME);
      if (c) miner = { pid: c.pid, startTicks: c.startTicks, name: MINER_NAME, role: 'miner' };
      return c !== undefined;
    }, 5000, `${MINER_NAME} to start`);
    const m = miner as unknown as SimProcess;
    state.pids.push(m);
    writeFileSync(statePath(stateDir), JSON.stringify(state, null, 2) + '\n');

    let cronLine: string | null = null;
    if (opts.persistence) {
      cronLine = `* * * * * [ "$(date +\\%s)" -lt ${deadlineSec} ] && cd ${shq(dir)} && ./${LAUNCHER_NAME} >/dev/null 2>&1 ${CRON_MARK}`;
      const current = readCrontab(crontab, cronUser);
      writeCrontab(crontab, (current && !current.endsWith('\n') ? current + '\n' : current) + cronLine + '\n', cronUser);
      state.cron = { line: cronLine, crontab, user: cronUser };
      writeFileSync(statePath(stateDir), JSON.stringify(state, null, 2) + '\n');
      if (!cronDaemonRunning(opts.procRoot ?? '/proc', opts.root ?? '/')) {
        warnings.push(`no cron daemon (cron, crond) is running: the crontab line is in place, but nothing will run it until cron starts`);
      }
    }
    return {
      pids: [...state.pids], dir, root, deadline: state.deadline, cronLine, cronUser: cronLine ? (cronUser ?? userInfo().username) : null, warnings,
      expected: expectedFindings(state, launcher, m), statePath: statePath(stateDir),
    };
  } catch (e) {
    if (state) await stopSimulation({ stateDir }).catch(() => undefined);
    else rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

export interface StopResult {
  killed: SimProcess[];
  /** Recorded processes already gone, or whose pid now belongs to something else. */
  gone: SimProcess[];
  cronLinesRemoved: number;
  removedDir: string | null;
  wasRunning: boolean;
}

/** Is this live process one of ours: same start time, same name, and exe or cwd inside the simulation dir. */
function stillOurs(p: SimProcess, s: SimState): boolean {
  const st = readStat(p.pid);
  if (!st || st.startTicks !== p.startTicks || st.comm !== p.name || st.state === 'Z') return false;
  if (s.uid >= 0 && readUid(p.pid) !== s.uid) return false;
  const inside = (path: string | null) => path !== null && (path === s.dir || path.startsWith(s.dir + sep));
  if (p.name === MINER_NAME) return inside(readPidLink(p.pid, 'exe'));
  return inside(readPidLink(p.pid, 'cwd')) && readCmdline(p.pid).slice(-1)[0] === './' + LAUNCHER_NAME;
}

function recordedByLauncher(s: SimState): SimProcess[] {
  let text = '';
  try { text = readFileSync(join(s.dir, '.pids'), 'utf8'); } catch { return []; }
  const out: SimProcess[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+) (sshd|rcu-sched)$/.exec(line.trim());
    if (m) out.push({ pid: Number(m[1]), startTicks: Number(m[2]), name: m[3], role: m[3] === MINER_NAME ? 'miner' : 'launcher' });
  }
  return out;
}

function safeTempDir(root: string): boolean {
  const r = resolve(root);
  return r === root && r.startsWith(resolve(tmpdir()) + sep + DIR_PREFIX) && !r.slice(resolve(tmpdir()).length + 1).includes(sep);
}

export async function stopSimulation(opts: { stateDir?: string; crontab?: string } = {}): Promise<StopResult> {
  const stateDir = opts.stateDir ?? defaultStateDir();
  const s = readState(stateDir);
  const result: StopResult = { killed: [], gone: [], cronLinesRemoved: 0, removedDir: null, wasRunning: false };
  if (!s) return result;
  result.wasRunning = true;
  // Processes recorded at start, plus those a cron restart recorded; launchers first so none respawns.
  const all = new Map<string, SimProcess>();
  for (const p of [...s.pids, ...recordedByLauncher(s)]) all.set(`${p.pid}:${p.startTicks}`, p);
  const ordered = [...all.values()].sort((a, b) => (a.role === b.role ? 0 : a.role === 'launcher' ? -1 : 1));
  for (const p of ordered) {
    if (stillOurs(p, s)) {
      try { process.kill(p.pid, 'SIGKILL'); result.killed.push(p); } catch { result.gone.push(p); }
    } else result.gone.push(p);
  }
  await waitFor(() => result.killed.every((p) => !isLive(p.pid, p.startTicks)), 5000, 'simulation processes to exit');
  if (s.cron) result.cronLinesRemoved = removeCronLines(opts.crontab ?? s.cron.crontab, s.cron.user ?? null);
  if (safeTempDir(s.root) && existsSync(s.root)) {
    rmSync(s.root, { recursive: true, force: true });
    result.removedDir = s.root;
  }
  rmSync(statePath(stateDir), { force: true });
  return result;
}

// ---------------------------------------------------------------- CLI

export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

export async function runSimulateCommand(argv: string[], io: { out?: (s: string) => void; err?: (s: string) => void; crontab?: string } = {}): Promise<number> {
  const out = io.out ?? ((s: string) => process.stdout.write(s + '\n'));
  const err = io.err ?? ((s: string) => process.stderr.write(s + '\n'));
  // MINEWATCH_CRONTAB names another crontab program (the end-to-end tests use a fake one).
  const crontab = io.crontab ?? (process.env.MINEWATCH_CRONTAB || undefined);
  let parsed;
  try {
    parsed = parseArgs(argv, SIMULATE); // the option table is in src/cli/args.ts (help and man page too)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`minewatch simulate: ${e.message} (see minewatch simulate --help)`);
    return 2;
  }
  const { flags, positional } = parsed;
  if (flags.help) { out(formatHelp(SIMULATE).trimEnd()); return 0; }
  if (positional.length) { err(`minewatch simulate: unexpected argument ${JSON.stringify(positional[0])} (see minewatch simulate --help)`); return 2; }
  const stop = Boolean(flags.stop);
  const persistence = Boolean(flags.persistence);
  const asNobody = Boolean(flags['as-nobody']);
  let duration = 300_000;
  if (flags.duration !== undefined) {
    const d = parseDuration(String(flags.duration));
    if (d === null || d < 1000 || d > MAX_LIFETIME_SEC * 1000) { err('minewatch simulate: --duration must be between 1s and 1h'); return 2; }
    duration = d;
  }
  const stateDir = flags['state-dir'] as string | undefined;
  if (stateDir === '') { err('minewatch simulate: --state-dir needs a directory'); return 2; }
  try {
    if (stop) {
      const r = await stopSimulation({ stateDir, crontab });
      if (!r.wasRunning) { out('No simulation recorded: nothing to stop.'); return 0; }
      for (const p of r.killed) out(`killed PID ${p.pid} (${p.name})`);
      for (const p of r.gone) out(`PID ${p.pid} (${p.name}) had already exited`);
      if (r.cronLinesRemoved) out(`removed ${r.cronLinesRemoved} crontab line(s) marked ${CRON_MARK}`);
      if (r.removedDir) out(`removed ${r.removedDir}`);
      out('Simulation stopped.');
      return 0;
    }
    if (persistence && !crontab && spawnSync('crontab', ['-l'], { stdio: 'ignore' }).error) {
      err('minewatch simulate: --persistence needs the crontab command, which is not installed');
      return 2;
    }
    if (asNobody && process.getuid?.() !== 0) {
      err('minewatch simulate: --as-nobody needs root (only root can start processes as another user)');
      return 2;
    }
    const r = await startSimulation({ duration, persistence, asNobody, stateDir, crontab });
    for (const w of r.warnings) err(`minewatch simulate: warning: ${w}`);
    const until = new Date(r.deadline);
    out(`minewatch simulate: harmless re-enactment running until ${until.toLocaleTimeString()} (${Math.round(duration / 1000)} s). No network.`);
    out(`  directory: ${r.dir}`);
    for (const p of r.pids) out(`  PID ${p.pid}  ${p.name.padEnd(9)}  ${p.role === 'launcher' ? 'the fake sshd (script, parent PID 1)' : 'the fake miner, child of the fake sshd'}`);
    if (r.cronLine) out(`  crontab of ${r.cronUser}: ${r.cronLine}`);
    out('');
    out('What minewatch should report:');
    for (const e of r.expected) out(`  - ${e}`);
    out('');
    out('Stop it now with: minewatch simulate --stop   (it also ends by itself)');
    return 0;
  } catch (e) {
    err(`minewatch simulate: ${(e as Error).message}`);
    return 2;
  }
}
