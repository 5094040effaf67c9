import { afterAll, describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../../src/model';
import { collectPersistence, linkPersistence } from '../../src/persistence/index';
import { formatPersistence } from '../../src/persistence/format';
import { cleanup, fixtureCopy, NOW } from './helpers';

afterAll(cleanup);

function proc(p: Partial<ProcessInfo> & { pid: number; name: string }): ProcessInfo {
  return {
    ppid: 1, state: 'S', pgrp: p.pid, session: p.pid, ttyNr: 0, flags: 0, kernelThread: false, uid: 1001, user: 'abc',
    startTicks: 1, startTime: NOW, cmdline: [], exe: null, exeDeleted: false, exeMemfd: false, exeError: null, exePathExists: null, cwd: null,
    cgroup: null, threads: 1, rssBytes: 0, cpuTicks: 0, cpuPercent: 0, preloadEnv: null, ...p,
  };
}

describe('linkPersistence', () => {
  const r = collectPersistence({ root: fixtureCopy('debian'), now: NOW });
  const INCIDENT = '/var/spool/cron/crontabs/abc:8';

  const fakeSshd = proc({ pid: 4242, name: 'sshd', exe: '/usr/bin/dash', cmdline: ['/bin/sh', './sshd'], cwd: '/home/abc/.x' });
  const realSshd = proc({ pid: 812, name: 'sshd', uid: 0, user: 'root', exe: '/usr/sbin/sshd', cmdline: ['sshd: /usr/sbin/sshd -D'], cwd: '/' });
  const miner = proc({ pid: 5150, name: 'xmrig', uid: 0, user: 'root', exe: '/tmp/.c3pool/xmrig', cmdline: ['/tmp/.c3pool/xmrig'], cwd: '/' });
  const rcu = proc({ pid: 6000, name: 'rcu-sched', exe: '/home/abc/.x/rcu-sched', cmdline: ['[rcu_sched]'], cwd: '/home/abc/.x' });
  const cronShell = proc({ pid: 700, name: 'sh', uid: 0, user: 'root', exe: '/usr/bin/dash', cmdline: ['/bin/sh', '-c', 'cd / && run-parts --report /etc/cron.hourly'], cwd: '/' });
  const hiddenExe = proc({ pid: 7001, name: 'sshd', exe: null, exeError: 'EACCES', cwd: null });
  const hiddenExeOtherUser = proc({ pid: 7002, name: 'sshd', uid: 0, user: 'root', exe: null, exeError: 'EACCES', cwd: null });
  const kthread = proc({ pid: 2, name: 'sshd', kernelThread: true, uid: 0, user: 'root' });
  const links = linkPersistence(r.entries, [fakeSshd, realSshd, miner, rcu, cronShell, hiddenExe, hiddenExeOtherUser, kthread]);
  const of = (pid: number) => links.filter((l) => l.pid === pid);

  it('links the interpreter-run fake sshd to the incident line through its script', () => {
    expect(of(4242)).toContainEqual({ entryId: INCIDENT, pid: 4242, via: 'script' });
    expect(of(4242).find((l) => l.entryId === '/home/abc/.config/systemd/user/dbus-session.service:5')?.via).toBe('script');
  });

  it('never links the real sshd by name', () => {
    expect(of(812)).toEqual([]);
  });

  it('links by exe, and by exe under a referenced directory', () => {
    expect(of(5150)).toContainEqual({ entryId: '/etc/systemd/system/c3pool_miner.service:5', pid: 5150, via: 'exe' });
    const rcuLinks = of(6000);
    expect(rcuLinks).toContainEqual({ entryId: '/var/spool/cron/atjobs/a0000101bac04c:15', pid: 6000, via: 'exe' });
    expect(rcuLinks).toContainEqual({ entryId: INCIDENT, pid: 6000, via: 'exe' });   // /home/abc/.x/rcu-sched sits under cd /home/abc/.x
  });

  it('does not link through broad directories (cd /) or common names (sh)', () => {
    expect(of(700)).toEqual([]);
  });

  it('name-only links need the entry user and no contrary exe; kernel threads never link', () => {
    expect(of(7001).map((l) => l.via)).toContain('name');
    expect(of(7001).find((l) => l.entryId === INCIDENT)?.via).toBe('name');
    expect(of(7002)).toEqual([]);
    expect(of(2)).toEqual([]);
  });

  it('one link per entry and process, and the formatter shows them', () => {
    const keys = links.map((l) => `${l.entryId}|${l.pid}`);
    expect(new Set(keys).size).toBe(keys.length);
    const text = formatPersistence(r, links).join('\n');
    expect(text).toContain('running now: PID 4242 (matched by script)');
    expect(formatPersistence(r).join('\n')).not.toContain('running now');
  });

  it('resolves sh -c command strings against the process cwd', () => {
    const viaC = proc({ pid: 9000, name: 'bash', exe: '/usr/bin/bash', cmdline: ['bash', '-c', 'cd /home/abc/.configrc/a && ./upd'], cwd: '/home/abc' });
    expect(linkPersistence(r.entries, [viaC])).toContainEqual({ entryId: '/var/spool/cron/crontabs/abc:9', pid: 9000, via: 'script' });
    expect(linkPersistence([], [viaC])).toEqual([]);
  });
});
