// In-memory snapshots for store and component tests: no /proc involved.
import { Detector } from '../../src/detect/index';
import type { Assessment, HostContext, ProcessInfo, Snapshot } from '../../src/model';

export function proc(p: Partial<ProcessInfo> & { pid: number; name: string }): ProcessInfo {
  return {
    ppid: 1, state: 'S', pgrp: p.pid, session: p.pid, ttyNr: 0, flags: 0, kernelThread: false, uid: 0, user: 'root',
    startTicks: 100, startTime: Date.parse('2026-11-26T03:00:00Z'), cmdline: [p.name], exe: `/usr/bin/${p.name}`,
    exeDeleted: false, exeMemfd: false, exeError: null, exePathExists: null, cwd: '/', cgroup: null, threads: 1,
    rssBytes: 4 << 20, cpuTicks: 0, cpuPercent: 0, preloadEnv: {},
    ...p,
  };
}

export function host(over: Partial<HostContext> = {}): HostContext {
  return {
    kernelThreadsVisible: true, hidepid: false, ldSoPreload: [], procMismatches: [], cpuCount: 2, clockTicks: 100,
    kernelThreadNames: new Set(['kthreadd', 'rcu_preempt', 'kswapd0']), ...over,
  };
}

export function snapshot(procs: ProcessInfo[], over: Partial<Snapshot> = {}): Snapshot {
  return {
    takenAt: Date.parse('2026-11-26T03:10:00Z'), intervalMs: 1000, bootTime: Date.parse('2026-11-26T02:00:00Z'),
    processes: new Map(procs.map((p) => [p.pid, p])), connections: new Map(), host: host(), root: true,
    unreadableExe: 0, warnings: [], ...over,
  };
}

export function assess(s: Snapshot): Map<number, Assessment> {
  return new Detector().assess(s);
}

/** A small host with the incident in it: init, kthreadd, a login shell, and the fake sshd + rcu-sched pair. */
export function incidentProcs(): ProcessInfo[] {
  return [
    proc({ pid: 1, name: 'systemd', ppid: 0, exe: '/usr/lib/systemd/systemd', cmdline: ['/sbin/init'] }),
    proc({ pid: 2, name: 'kthreadd', ppid: 0, kernelThread: true, flags: 0x00200000, exe: null, cmdline: [] }),
    proc({ pid: 15, name: 'rcu_preempt', ppid: 2, kernelThread: true, flags: 0x00200000, exe: null, cmdline: [] }),
    proc({ pid: 400, name: 'sshd', exe: '/usr/sbin/sshd', cmdline: ['sshd: /usr/sbin/sshd -D'] }),
    proc({ pid: 410, name: 'sshd', ppid: 400, uid: 1002, user: 'dev', exe: '/usr/sbin/sshd', cmdline: ['sshd: dev@pts/0'] }),
    proc({ pid: 411, name: 'bash', ppid: 410, uid: 1002, user: 'dev', ttyNr: 34816, exe: '/usr/bin/bash', cmdline: ['-bash'] }),
    proc({ pid: 412, name: 'vim', ppid: 411, uid: 1002, user: 'dev', ttyNr: 34816, exe: '/usr/bin/vim', cmdline: ['vim', 'notes.txt'] }),
    proc({ pid: 3001, name: 'sshd', uid: 1001, user: 'abc', exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], cwd: '/home/abc/.x' }),
    proc({ pid: 3002, name: 'rcu-sched', ppid: 3001, uid: 1001, user: 'abc', exe: '/home/abc/.x/rcu-sched', cmdline: ['./rcu-sched', '-o', 'stratum+tcp://pool.example:3333'], cwd: '/home/abc/.x', cpuPercent: 180, threads: 2 }),
  ];
}
