// Builds fake /proc trees in a temp dir so the response engine can be tested without touching real processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProcessInfo } from '../../src/model';

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

export function statLine(p: FakeProc): string {
  const f: (string | number)[] = [
    p.state ?? 'S', p.ppid ?? 1, p.pid, p.session ?? p.pid, p.ttyNr ?? 0, -1, p.flags ?? 0x400000,
    0, 0, 0, 0, 10, 5, 0, 0, 20, 0, 1, 0, p.startTicks ?? 1000, 1234567, 100,
  ];
  return `${p.pid} (${p.comm ?? 'proc'}) ${f.join(' ')} 0 0 0 0\n`;
}

export class FakeProcRoot {
  readonly root: string;
  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-proc-'));
  }
  add(p: FakeProc): string {
    const dir = path.join(this.root, String(p.pid));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'stat'), statLine(p));
    fs.writeFileSync(path.join(dir, 'status'), `Name:\t${p.comm ?? 'proc'}\nUid:\t${p.uid ?? 1000}\t${p.uid ?? 1000}\t${p.uid ?? 1000}\t${p.uid ?? 1000}\n`);
    fs.writeFileSync(path.join(dir, 'cmdline'), (p.cmdline ?? []).map((a) => a + '\0').join(''));
    this.setExe(p.pid, p.exe === undefined ? null : p.exe);
    if (p.cwd) fs.symlinkSync(p.cwd, path.join(dir, 'cwd'));
    return dir;
  }
  setExe(pid: number, target: string | null): void {
    const link = path.join(this.root, String(pid), 'exe');
    fs.rmSync(link, { force: true });
    if (target !== null) fs.symlinkSync(target, link);
  }
  rewriteStat(p: FakeProc): void {
    fs.writeFileSync(path.join(this.root, String(p.pid), 'stat'), statLine(p));
  }
  remove(pid: number): void {
    fs.rmSync(path.join(this.root, String(pid)), { recursive: true, force: true });
  }
  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
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
