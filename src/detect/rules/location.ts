// Location and launch-context rules: where the program lives, how it was started, who adopted it.
import type { Finding, ProcessInfo } from '../../model';
import {
  basename, hiddenComponents, inSystemDir, isOrdinaryUser, launchPath, relativeLaunch, TMP_ALLOW, WRITABLE_DIRS,
  x11LookAlike,
} from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';

export const H10: Rule = {
  id: 'H10',
  title: 'Runs from a world-writable directory',
  attack: ['T1036.005', 'T1074'],
  describes: 'The executable (or the script an interpreter runs) lives in /dev/shm, /tmp, /var/tmp or another directory anyone can write to, where packages never install programs.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread) return null;
    const lp = launchPath(p);
    if (!lp || TMP_ALLOW.some((re) => re.test(lp.path))) return null;
    const dir = WRITABLE_DIRS.find((d) => lp.path.startsWith(d.prefix));
    if (!dir) return null;
    return {
      weight: dir.weight,
      explanation: `${lp.viaInterpreter ? 'its script' : 'its executable'} ${lp.path} is in ${dir.prefix.slice(0, -1)}, a directory anyone can write to`,
      evidence: { path: lp.path, directory: dir.prefix },
    };
  },
};

export const H11: Rule = {
  id: 'H11',
  title: 'Runs from a hidden directory',
  attack: ['T1564.001', 'T1036.005'],
  describes: 'The program sits under a directory whose name starts with a dot (~/.x/, /tmp/.X25-unix/), or one named like the X11/ICE socket directories, which never hold programs. Toolchain dirs such as ~/.local, ~/.cargo, ~/.nvm are exempt.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread) return null;
    const lp = launchPath(p);
    if (!lp) return null;
    const hidden = hiddenComponents(lp.path);
    if (hidden.length === 0) return null;
    const lookAlike = hidden.find(x11LookAlike);
    if (lookAlike) {
      return {
        weight: 8,
        explanation: `${lp.path} is inside ${lookAlike}, named like the X11/ICE socket directories, which never hold programs`,
        evidence: { path: lp.path, directory: lookAlike },
      };
    }
    return {
      weight: 6,
      explanation: `${lp.path} is inside the hidden directory ${hidden.join('/')}`,
      evidence: { path: lp.path, hidden },
    };
  },
};

export const H12: Rule = {
  id: 'H12',
  amplifier: true,
  title: 'Started from a relative path, detached',
  attack: ['T1036'],
  describes: 'Started as ./name (or ../name) and running without a terminal: how a dropper launches its payload from wherever it unpacked it. A developer\'s ./a.out in a terminal does not count.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread || p.ttyNr !== 0) return null;
    const rel = relativeLaunch(p);
    if (!rel) return null;
    return {
      weight: 3,
      explanation: `started as ${rel}${p.cwd ? ` from ${p.cwd}` : ''} and has no terminal`,
      evidence: { argv: p.cmdline.slice(0, 3), cwd: p.cwd, ttyNr: p.ttyNr },
    };
  },
};

/** Programs that run as a PID 1 and adopt orphans: the host's init, or a container's. */
const INIT_LIKE = /^(systemd|init|tini|docker-init|dumb-init|catatonit|podman-init|s6-svscan|runit|runsvdir|openrc-init|sinit|busybox)$/;

/**
 * The PID 1 that adopted this process, when one did: the host's init (parent PID 1, when PID 1 is an
 * init), or its container's init (the parent is the container's first process, an init, in the same
 * container). A container's application running as PID 1 (`node server.js`) adopts nobody: its
 * children are simply its children.
 */
function adoptedBy(p: ProcessInfo, ctx: RuleContext): string | null {
  if (p.ppid === 1) {
    const init = ctx.processes.get(1);
    if (init && !INIT_LIKE.test(init.name)) return null;
    return `PID 1${init ? ` (${init.name})` : ''}`;
  }
  const mine = ctx.containers?.get(p.pid);
  if (!mine) return null;
  const parent = ctx.processes.get(p.ppid);
  if (!parent || !INIT_LIKE.test(parent.name) || ctx.containers?.get(parent.pid)?.id !== mine.id) return null;
  const grand = ctx.containers?.get(parent.ppid);
  if (grand && grand.id === mine.id) return null; // not the container's first process
  return `its container's init (${parent.name}, PID ${parent.pid} on the host, ${mine.label})`;
}

export const H13: Rule = {
  id: 'H13',
  amplifier: true,
  title: 'Ordinary user\'s process adopted by PID 1',
  attack: ['T1036.009'],
  describes: 'A process of an ordinary (uid >= 1000) user whose parent is PID 1 (the host\'s init, or its container\'s) and which has no terminal: it was double-forked or setsid\'d away from the shell that started it. Common for tmux or nohup jobs too, so it only adds to other signs. A container whose PID 1 is the application itself adopts nobody.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || p.ttyNr !== 0 || p.uid === null || !isOrdinaryUser(p.uid)) return null;
    if (p.cgroup && /\/user@\d+\.service\//.test(p.cgroup)) return null; // started by the user's own systemd
    const by = adoptedBy(p, ctx);
    if (!by) return null;
    return {
      weight: 2,
      explanation: `user ${p.user}'s process was adopted by ${by} and has no terminal`,
      evidence: { uid: p.uid, ppid: p.ppid, session: p.session, ttyNr: p.ttyNr },
    };
  },
};

export const H14: Rule = {
  id: 'H14',
  title: 'Its cgroup contradicts its name',
  attack: ['T1036.004'],
  describes: 'A process already named like a daemon or kernel thread (H01/H02) sits in a login session, in cron\'s cgroup or in a user\'s service manager: the real daemon runs in its own system service, a kernel thread in none.',
  check(p: ProcessInfo, _ctx: RuleContext, prior: readonly Finding[]): Hit | null {
    if (!p.cgroup || !prior.some((f) => f.id === 'H01' || f.id === 'H02')) return null;
    const session = /\/session-[^/]+\.scope$/.exec(p.cgroup);
    const cron = /\/(cron|crond|cronie)\.service$/.test(p.cgroup);
    const userManager = /\/user@\d+\.service\//.test(p.cgroup);
    if (!session && !cron && !userManager) return null;
    const where = cron ? "cron's service (it was launched by a cron job)"
      : session ? `login session ${session[0].slice(1)}` : "a user's own service manager";
    return {
      weight: 3,
      explanation: `its cgroup ${p.cgroup} puts it in ${where}, where no ${p.name} belongs`,
      evidence: { cgroup: p.cgroup },
    };
  },
};

/** Programs the kernel itself starts through kthreadd (usermode helpers). */
const KTHREADD_HELPERS = new Set(['modprobe', 'request-key', 'cifs.upcall', 'systemd-coredump', 'true', 'mount',
  'umount', 'nfsrahead', 'hotplug', 'udevadm', 'poweroff', 'reboot', 'kmod', 'apport', 'dpkg', 'grep', 'uname', 'bpfilter_umh']);

export const H15: Rule = {
  id: 'H15',
  title: 'Child of kthreadd that is not a kernel thread',
  attack: ['T1036.009', 'T1014'],
  describes: 'kthreadd (PID 2) only parents kernel threads and a few kernel helpers (modprobe, request-key...). Any other user-space child of it is out of place.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread || p.ppid !== 2 || p.pid === 2) return null;
    if (p.exe && inSystemDir(p.exe) && KTHREADD_HELPERS.has(basename(p.exe))) return null;
    return {
      weight: 8,
      explanation: `its parent is kthreadd (PID 2), which only starts kernel threads, yet it runs ${p.exe ?? 'an unreadable executable'}`,
      evidence: { ppid: p.ppid, exe: p.exe },
    };
  },
};

/** Accounts that run services: they never have a reason to run a program they could have written themselves. */
const SERVICE_NAMES = /^(www-data|www|wwwrun|http|nginx|apache|apache2|httpd|lighttpd|caddy|nobody|nogroup|postgres|mysql|mariadb|redis|mongodb|memcache|memcached|tomcat\d*|elasticsearch|rabbitmq|daemon|bin|sys|mail|news|uucp|proxy|backup|list|irc|gnats|_apt|systemd-[a-z-]+|messagebus|sshd|ntp|chrony|_chrony|postfix|dovecot|bind|named|squid|git|gitlab-www|php-fpm|zabbix|prometheus|grafana|influxdb|solr|kafka|zookeeper|hadoop|minio|jupyterhub)$/;
const NOLOGIN = /\/(nologin|false|sync|shutdown|halt)$/;

export const H17: Rule = {
  id: 'H17',
  title: 'Service account runs a program from a place it can write to',
  attack: ['T1190', 'T1036.005'],
  describes: 'A service account (www-data, nginx, nobody, postgres, redis... or any account with a nologin shell) runs an executable from /tmp, /dev/shm, /var/tmp, a web directory or its own home: places it can write, so the program is whatever an intruder dropped through the service. Services run what packages installed.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || p.uid === null || p.uid === 0 || p.exe === null || p.exeMemfd) return null;
    const account = ctx.accounts.get(p.uid);
    const service = account ? (NOLOGIN.test(account.shell) || SERVICE_NAMES.test(account.name)) : false;
    if (!service) return null;
    const exe = p.exe;
    const temp = WRITABLE_DIRS.find((d) => exe.startsWith(d.prefix));
    const home = account!.home && account!.home !== '/' && !/^\/(nonexistent|dev\/null|bin|usr\/sbin|sbin|usr\/bin)\/?$/.test(account!.home)
      ? account!.home.replace(/\/$/, '') : null;
    const where = temp ? temp.prefix.slice(0, -1)
      : home && exe.startsWith(home + '/') ? `its home ${home}`
        : exe.startsWith('/var/www/') || exe.startsWith('/srv/www/') ? 'the web directory' : null;
    if (!where) return null;
    return {
      weight: 7,
      explanation: `the service account ${account!.name} runs ${exe}${p.exeDeleted ? ' (deleted)' : ''} from ${where}, a place it can write to; services run what packages installed`,
      evidence: { user: account!.name, shell: account!.shell, home: account!.home, exe },
    };
  },
};

export const H16: Rule = {
  id: 'H16',
  title: 'Executable is a PID or lock file',
  attack: ['T1036.005', 'T1564'],
  describes: 'The program runs from a file named like a PID or lock file (/var/run/*.pid, *.lock), or from a file directly in /run: no package installs programs there, BPFDoor-style implants do.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread || p.exe === null || p.exeMemfd) return null;
    const exe = p.exe;
    const pidFile = /\.(pid|lock)$/i.test(exe);
    const inRun = /^\/(var\/)?run\/[^/]+$/.test(exe) || /^\/(var\/)?run\/lock\//.test(exe);
    if (!pidFile && !inRun) return null;
    return {
      weight: 9,
      explanation: `its executable ${exe}${p.exeDeleted ? ' (deleted)' : ''} is ${pidFile ? 'named like a PID or lock file' : 'a file directly in /run'}, where no program is ever installed`,
      evidence: { exe },
    };
  },
};
