// The host every corpus case runs on: a Debian server of a university department, with a dpkg database
// that owns its system programs, the usual accounts, kernel threads, a real sshd and cron. Each case adds
// its own processes and files; only the case's target is judged.
import type { FakeProc } from '../../src/procfs/fake';
import { PF_KTHREAD, ProcTree } from '../../src/procfs/fake';

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  'messagebus:x:100:107::/nonexistent:/usr/sbin/nologin',
  'postgres:x:110:118:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash',
  'mysql:x:111:119:MySQL Server,,,:/nonexistent:/bin/false',
  'redis:x:112:120::/var/lib/redis:/usr/sbin/nologin',
  'jenkins:x:113:121:Jenkins,,,:/var/lib/jenkins:/bin/bash',
  'abc:x:1001:1001:abc:/home/abc:/bin/bash',
  'alice:x:1002:1002:Alice,,,:/home/alice:/bin/bash',
  'bob:x:1003:1003:Bob,,,:/home/bob:/bin/bash',
];

export const UID = { root: 0, www: 33, nobody: 65534, postgres: 110, mysql: 111, redis: 112, jenkins: 113, abc: 1001, alice: 1002, bob: 1003 };

/** Packages and the program files they own (what dpkg -L would print, trimmed to the programs). */
export const PACKAGES: Record<string, string[]> = {
  'openssh-server': ['/usr/sbin/sshd', '/usr/lib/openssh/sshd-session'],
  cron: ['/usr/sbin/cron'],
  bash: ['/bin/bash'],
  dash: ['/bin/dash'],
  coreutils: ['/bin/sleep', '/bin/cat', '/usr/bin/env', '/usr/bin/nohup', '/usr/bin/timeout', '/usr/bin/nice'],
  'util-linux': ['/usr/bin/setsid', '/usr/bin/taskset', '/usr/bin/flock'],
  systemd: ['/lib/systemd/systemd', '/lib/systemd/systemd-journald', '/lib/systemd/systemd-logind', '/lib/systemd/systemd-udevd'],
  dbus: ['/usr/bin/dbus-daemon'],
  rsyslog: ['/usr/sbin/rsyslogd'],
  'python3.11-minimal': ['/usr/bin/python3.11'],
  'perl-base': ['/usr/bin/perl'],
  nodejs: ['/usr/bin/node'],
  tmux: ['/usr/bin/tmux'],
  screen: ['/usr/bin/screen'],
  'postgresql-15': ['/usr/lib/postgresql/15/bin/postgres'],
  'nginx-core': ['/usr/sbin/nginx'],
  'apache2-bin': ['/usr/sbin/apache2'],
  'mariadb-server-core': ['/usr/sbin/mariadbd'],
  'redis-server': ['/usr/bin/redis-server'],
  'php8.2-fpm': ['/usr/sbin/php-fpm8.2'],
  'openjdk-17-jre-headless': ['/usr/lib/jvm/java-17-openjdk-amd64/bin/java'],
  'gcc-12': ['/usr/bin/gcc-12', '/usr/lib/gcc/x86_64-linux-gnu/12/cc1'],
  make: ['/usr/bin/make'],
  'libjemalloc2': ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'],
  'libtcmalloc-minimal4': ['/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4'],
  watchdog: ['/usr/sbin/watchdog'],
  'docker.io': ['/usr/sbin/dockerd', '/usr/sbin/docker-proxy'],
  containerd: ['/usr/bin/containerd', '/usr/bin/containerd-shim-runc-v2'],
  runc: ['/usr/sbin/runc'],
  'r-base-core': ['/usr/lib/R/bin/exec/R', '/usr/lib/R/bin/Rscript'],
  htop: ['/usr/bin/htop'],
  'fail2ban': ['/usr/bin/fail2ban-server'],
  'unattended-upgrades': ['/usr/bin/unattended-upgrade'],
  'slurm-wlm': ['/usr/sbin/slurmd'],
  munge: ['/usr/sbin/munged'],
  'vim-nox': ['/usr/bin/vim.nox'],
  rsync: ['/usr/bin/rsync'],
};

export const TERM = 34817;
/** 1 minute after boot, in clock ticks: long-running. */
export const OLD = 6_000;

export function base(p: Partial<FakeProc> & { pid: number; comm: string }): FakeProc {
  return { ppid: 1, uid: 0, cgroup: '0::/system.slice/x.service', startTicks: OLD, ...p };
}

/** The processes every case's host runs besides the case's own. */
export const BASE_PROCESSES: FakeProc[] = [
  base({ pid: 1, comm: 'systemd', ppid: 0, cmdline: ['/sbin/init'], exe: '/lib/systemd/systemd', cgroup: '0::/init.scope' }),
  base({ pid: 2, comm: 'kthreadd', ppid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' }),
  base({ pid: 15, comm: 'rcu_preempt', ppid: 2, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' }),
  base({ pid: 16, comm: 'kworker/0:1-events', ppid: 2, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' }),
  base({ pid: 40, comm: 'kswapd0', ppid: 2, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' }),
  base({ pid: 41, comm: 'watchdogd', ppid: 2, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' }),
  base({ pid: 300, comm: 'systemd-journal', cmdline: ['/lib/systemd/systemd-journald'], exe: '/usr/lib/systemd/systemd-journald', cgroup: '0::/system.slice/systemd-journald.service' }),
  base({ pid: 400, comm: 'sshd', cmdline: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], exe: '/usr/sbin/sshd', cgroup: '0::/system.slice/ssh.service' }),
  base({ pid: 410, comm: 'cron', cmdline: ['/usr/sbin/cron', '-f'], exe: '/usr/sbin/cron', cgroup: '0::/system.slice/cron.service' }),
  base({ pid: 420, comm: 'dbus-daemon', uid: 100, cmdline: ['/usr/bin/dbus-daemon', '--system'], exe: '/usr/bin/dbus-daemon', cgroup: '0::/system.slice/dbus.service' }),
  // abc's login: sshd session, bash on a terminal
  base({ pid: 500, comm: 'sshd', ppid: 400, cmdline: ['sshd: abc [priv]'], exe: '/usr/sbin/sshd', cgroup: '0::/user.slice/user-1001.slice/session-3.scope' }),
  base({ pid: 501, comm: 'sshd', ppid: 500, uid: 1001, cmdline: ['sshd: abc@pts/0'], exe: '/usr/sbin/sshd', cgroup: '0::/user.slice/user-1001.slice/session-3.scope' }),
  base({ pid: 502, comm: 'bash', ppid: 501, uid: 1001, ttyNr: TERM, cmdline: ['-bash'], exe: '/usr/bin/bash', cwd: '/home/abc', cgroup: '0::/user.slice/user-1001.slice/session-3.scope' }),
  // alice's user manager
  base({ pid: 600, comm: 'systemd', uid: 1002, cmdline: ['/lib/systemd/systemd', '--user'], exe: '/usr/lib/systemd/systemd', cwd: '/home/alice', cgroup: '0::/user.slice/user-1002.slice/user@1002.service/init.scope' }),
];

/** A fresh fixture host: passwd, dpkg database, base processes. */
export function buildHost(): ProcTree {
  const t = new ProcTree();
  t.file('etc/passwd', PASSWD.join('\n') + '\n');
  for (const [pkg, files] of Object.entries(PACKAGES)) t.dpkg(pkg, files);
  for (const p of BASE_PROCESSES) t.add(p);
  for (const h of ['root', 'home/abc', 'home/alice', 'home/bob', 'var/lib/postgresql', 'var/lib/redis', 'var/www']) t.file(`${h}/.keep`, '');
  return t;
}
