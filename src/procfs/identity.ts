// A process's identity: what /proc says about what it is (owner, command line, executable, cwd, cgroup,
// loader variables), as opposed to what it does (stat). Read once per (pid, start time) and cached by
// the reader; read here by plain functions of their inputs so that a worker thread can read a share of
// a large table (identityPool.ts) with exactly the code the reader uses.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '../model';
import { failureOf } from './files';
import { attempt, readCgroup, readCmdline, readCwd, readEnvironVars, readExe, readStatusBrief } from './pid';
import type { StatFields } from './stat';

/** The loader variables read from a process's environment (and nothing else of it). */
export const PRELOAD_VARS = ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT'];

/** The facts cached per (pid, start time), as the ProcessInfo fields they become. */
export type Identity = Pick<ProcessInfo, 'startTicks' | 'uid' | 'cmdline' | 'exe' | 'exeDeleted' | 'exeMemfd' | 'exeError'
  | 'exePathExists' | 'cwd' | 'cgroup' | 'preloadEnv'> & {
    /** ProcessInfo.pidNsDepth, or null when unknown. */
    pidNsDepth: number | null;
    comm: string;
    readAt: number;
    /** utime + stime when it was read: a process that has not run since cannot have changed it. */
    ranTicks: number;
    /** Only the quick pass's part (stat; command line and owner once named): read in full on the next full sample. */
    partial: boolean;
    /** The quick pass read its command line and owner (completeQuick). */
    named: boolean;
  };

/** Where identities are read from. */
export interface IdentitySource {
  procRoot: string;
  /** The host's root (a deleted executable's path is looked up under it). */
  root: string;
  /** A live procfs (NSpid depths mean something only there). */
  live: boolean;
  /** The process's cgroup when a walk of the cgroup mount already answered for it (cgroupTree.ts). */
  cgroupOf(pid: number): string | null | undefined;
}

/** What of a process's stat an identity read needs: plain data, so it can be posted to a worker. */
export interface IdentityInput {
  pid: number;
  startTicks: number;
  comm: string;
  ranTicks: number;
  kernelThread: boolean;
}

export function identityInput(pid: number, st: StatFields, kernelThread: boolean): IdentityInput {
  return { pid, startTicks: st.startTicks, comm: st.comm, ranTicks: st.utime + st.stime, kernelThread };
}

/** Read one process's identity. Every file goes through the bounded, no-follow readers of pid.ts. */
export function readIdentity(src: IdentitySource, input: IdentityInput, now: number): Identity {
  const { procRoot } = src;
  const { pid } = input;
  // Unreadable status (the process is exiting, or a fixture lacks it): the owner is unknown, never root.
  const status = attempt(() => readStatusBrief(procRoot, pid));
  const id: Identity = {
    startTicks: input.startTicks, comm: input.comm, readAt: now, ranTicks: input.ranTicks, partial: false, named: true,
    uid: status?.effectiveUid ?? null,
    cmdline: [], exe: null, exeDeleted: false, exeMemfd: false, exeError: null, exePathExists: null,
    cwd: null, cgroup: null, preloadEnv: null,
    // NSpid is counted from the proc mount's namespace: meaningful on a live procfs only
    pidNsDepth: src.live && status && status.nsDepth > 0 ? status.nsDepth : null,
  };
  id.cgroup = src.cgroupOf(pid) ?? attempt(() => readCgroup(procRoot, pid));
  if (input.kernelThread) return id;
  id.cmdline = attempt(() => readCmdline(procRoot, pid).argv) ?? [];
  try {
    const exe = readExe(procRoot, pid);
    id.exe = exe.path;
    id.exeDeleted = exe.deleted;
    id.exeMemfd = exe.memfd;
    if (exe.deleted && !exe.memfd) id.exePathExists = existsSync(join(src.root, exe.path));
  } catch (err) {
    id.exeError = failureOf(err);
  }
  id.cwd = attempt(() => readCwd(procRoot, pid));
  const env = attempt(() => readEnvironVars(procRoot, pid, PRELOAD_VARS));
  if (env) {
    const found: Record<string, string> = {};
    for (const kv of env) {
      const eq = kv.indexOf('=');
      if (eq > 0 && PRELOAD_VARS.includes(kv.slice(0, eq))) found[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    id.preloadEnv = found;
  }
  return id;
}

/** A stat-only sample's placeholder: nothing read yet (see ProcReader.readIdentities). */
export function unreadIdentity(st: StatFields, now: number): Identity {
  return {
    startTicks: st.startTicks, comm: st.comm, readAt: now, ranTicks: st.utime + st.stime, partial: true, named: false, uid: null,
    cmdline: [], exe: null, exeDeleted: false, exeMemfd: false, exeError: null, exePathExists: null,
    cwd: null, cgroup: null, preloadEnv: null, pidNsDepth: null,
  };
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.uid === b.uid && a.exe === b.exe && a.exeDeleted === b.exeDeleted && a.exeMemfd === b.exeMemfd
    && a.exeError === b.exeError && a.exePathExists === b.exePathExists && a.cwd === b.cwd && a.cgroup === b.cgroup
    && sameArgv(a.cmdline, b.cmdline) && sameEnv(a.preloadEnv, b.preloadEnv) && a.pidNsDepth === b.pidNsDepth;
}

function sameEnv(a: Record<string, string> | null, b: Record<string, string> | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

function sameArgv(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A share of the identities to read, as posted to a worker thread (identityPool.ts): plain data. */
export interface IdentityJob {
  procRoot: string;
  root: string;
  live: boolean;
  now: number;
  inputs: IdentityInput[];
  /** The cgroups a walk of the cgroup mount answered for, among these processes. */
  cgroups: [number, string][];
}

/** Read a job's identities, in the order of its inputs. */
export function readJob(job: IdentityJob): Identity[] {
  const cgroups = new Map(job.cgroups);
  const src: IdentitySource = { procRoot: job.procRoot, root: job.root, live: job.live, cgroupOf: (pid) => cgroups.get(pid) };
  return job.inputs.map((input) => readIdentity(src, input, job.now));
}
