// Builds fake /proc trees in a temp dir so the response engine can be tested without touching real processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProcessInfo } from '../../src/model';
import { ProcTree, writeProc, type FakeProc as FakeProcFiles } from '../../src/procfs/fake';

export interface FakeProc {
  pid: number;
  comm?: string;
  state?: string;
  ppid?: number;
  session?: number;
  ttyNr?: number;
  flags?: number;
  startTicks?: number;
  uid?: number;
  cmdline?: string[];
  /** Absolute path of a real file the exe link should point to; null for none (kernel thread). */
  exe?: string | null;
  cwd?: string;
}

/** The response engine's fixture processes: an ordinary user's (uid 1000), no cgroup or environment. */
function full(p: FakeProc): FakeProcFiles {
  return {
    pid: p.pid, comm: p.comm ?? 'proc', state: p.state, ppid: p.ppid, session: p.session, ttyNr: p.ttyNr,
    flags: p.flags ?? 0x400000, utime: 10, stime: 5, startTicks: p.startTicks, uid: p.uid ?? 1000,
    cmdline: p.cmdline ?? [], exe: p.exe ?? null, cwd: p.cwd ?? null, cgroup: null, environ: null,
  };
}

/** A fake /proc in a temp dir (`root` is the /proc): the shared builder with the defaults above. */
export class FakeProcRoot {
  private readonly tree = new ProcTree({ prefix: 'mw-proc-' });
  readonly root = this.tree.proc;
  add(p: FakeProc): string {
    return writeProc(this.root, full(p));
  }
  setExe(pid: number, target: string | null): void {
    this.tree.setExe(pid, target);
  }
  rewriteStat(p: FakeProc): void {
    this.tree.rewriteStat(full(p));
  }
  remove(pid: number): void {
    this.tree.remove(pid);
  }
  cleanup(): void {
    this.tree.cleanup();
  }
}

export function tempDir(prefix = 'mw-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A ProcessInfo with harmless defaults, for pure family/respawn tests. */
export function procInfo(pid: number, ppid: number, over: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    pid, ppid, name: 'proc', state: 'S', pgrp: pid, session: pid, ttyNr: 0, flags: 0, kernelThread: false,
    uid: 1000, user: 'u', startTicks: 100 + pid, startTime: 0, cmdline: [], exe: '/home/u/.x/bin', exeDeleted: false,
    exeMemfd: false, exeError: null, exePathExists: null, cwd: null, cgroup: null, threads: 1, rssBytes: 0, cpuTicks: 0,
    cpuPercent: 0, preloadEnv: null, ...over,
  };
}
