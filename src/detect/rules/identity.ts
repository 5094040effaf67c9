// Identity rules: a process whose name says one thing while the kernel says another.
import type { ProcessInfo } from '../../model';
import { normaliseKthreadName } from '../kthreadNames';
import {
  argv0Name, basename, hiddenComponents, inSystemDir, isInterpreter, launchPath, ownershipOf, relativeLaunch,
  WRITABLE_DIRS,
} from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';

function describeExe(p: ProcessInfo): string {
  const lp = launchPath(p);
  if (!lp) return p.exeError === 'EACCES' ? 'an executable we may not read (needs root)' : 'an unknown executable';
  if (lp.viaInterpreter) return `${p.exe} running the script ${lp.asGiven}${p.cwd ? ` (cwd ${p.cwd})` : ''}`;
  return `${lp.path}${p.exeDeleted ? ' (deleted)' : ''}`;
}

/** A second, independent sign that a fuzzy kernel-thread name match is not a coincidence. */
function corroboration(p: ProcessInfo): string | null {
  const lp = launchPath(p);
  if (lp && WRITABLE_DIRS.some((d) => lp.path.startsWith(d.prefix))) return `it runs from ${lp.path}`;
  if (lp && hiddenComponents(lp.path).length > 0) return `it runs from a hidden directory (${lp.path})`;
  const rel = relativeLaunch(p);
  if (rel) return `it was started as ${rel}`;
  if (p.ppid === 1 && p.ttyNr === 0 && p.uid !== null && p.uid !== 0) return 'it was detached to PID 1 by an ordinary user';
  // Never CPU: identity must not depend on load, or a throttled miner passes where a busy one is caught.
  if ((p.cmdline[0] ?? '').startsWith('[')) return `its command line imitates a kernel thread (${p.cmdline[0]})`;
  return null;
}

export const H01: Rule = {
  id: 'H01',
  title: 'Kernel-thread impostor',
  attack: ['T1036.004'],
  describes: 'A user-space process named like a kernel thread (kworker, rcu_sched, kswapd0...). Real kernel threads have the PF_KTHREAD flag, no executable file, no command line, and kthreadd (PID 2) as parent.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || !ctx.host.kernelThreadsVisible) return null;
    const names = new Set([p.name, argv0Name(p) ?? ''].filter(Boolean));
    const bracketed = (p.cmdline[0] ?? '').startsWith('[');
    let exact: string | null = null;
    let fuzzy: { name: string; like: string } | null = null;
    for (const name of names) {
      const m = ctx.kthreads.classify(name);
      if (m.exact) exact ??= name;
      if (m.like) fuzzy ??= { name, like: m.like };
    }
    if (!exact && !fuzzy) return null;
    const matched = exact ?? fuzzy!.name;
    // An honest program that happens to share a kernel-ish name (the watchdog daemon) lives in a system dir
    // under its own name, installed by a package; only a second sign makes it suspicious then. A file no
    // package installed (anything under /usr/local) is an impostor, unless real programs share the name.
    const ownName = p.exe !== null && inSystemDir(p.exe) && !isInterpreter(p.exe)
      && normaliseKthreadName(basename(p.exe)) === normaliseKthreadName(matched);
    const own = ownName ? ownershipOf(ctx.packages, p.exe!) : null;
    const honest = ownName && (own!.state === 'owned' || PROGRAM_NAMES_SHARED.has(normaliseKthreadName(matched))
      || own!.state === 'unknown');
    const second = corroboration(p);
    const parent = ctx.processes.get(p.ppid);
    const facts = [
      `it has an executable file (${describeExe(p)})`,
      ...(own?.state === 'unowned' ? ['no package installed that file'] : []),
      `its parent is PID ${p.ppid}${parent ? ` (${parent.name})` : ''}, not kthreadd`,
    ];
    if (p.uid !== null && p.uid !== 0) facts.push(`it runs as user ${p.user}`);
    const evidence = { name: p.name, argv0: p.cmdline[0] ?? null, exe: p.exe, ppid: p.ppid, flags: `0x${p.flags.toString(16)}`, kernelThreadFlag: false };
    if (exact && !honest) {
      return { weight: 9, explanation: `named like kernel thread ${exact}, but ${facts.join(', ')}`, evidence };
    }
    if (!second && !bracketed) return null;
    const like = fuzzy ? fuzzy.like : normaliseKthreadName(matched);
    return {
      weight: 6,
      explanation: `named like kernel thread ${like} (${matched}), but ${facts.join(', ')}${second ? `; ${second}` : ''}`,
      evidence: { ...evidence, similarTo: like },
    };
  },
};

/** Kernel-thread names that real programs share (the watchdog daemon): exempt in a system dir even unpackaged. */
const PROGRAM_NAMES_SHARED = new Set(['watchdog', 'watchdogd']);

/** Well-known daemons and where their real executables live. */
const DAEMONS: Record<string, RegExp> = {
  sshd: /^\/(usr\/)?(s?bin|lib\/openssh|libexec\/openssh|libexec|lib\/ssh|local\/sbin)\/sshd(-session|-auth)?$/,
  'sshd-session': /^\/(usr\/)?(lib\/openssh|libexec\/openssh|libexec|lib\/ssh|s?bin)\/sshd-session$/,
  'sshd-auth': /^\/(usr\/)?(lib\/openssh|libexec\/openssh|libexec|lib\/ssh|s?bin)\/sshd-auth$/,
  cron: /^\/(usr\/)?s?bin\/cron$/,
  crond: /^\/(usr\/)?s?bin\/crond$/,
  atd: /^\/(usr\/)?s?bin\/atd$/,
  systemd: /^\/(usr\/)?lib\/systemd\/systemd$|^\/(usr\/)?s?bin\/(init|systemd)$/,
  init: /^\/(usr\/)?s?bin\/init$|^\/(usr\/)?lib\/systemd\/systemd$/,
  'dbus-daemon': /^\/(usr\/)?bin\/dbus-daemon$/,
  'dbus-broker': /^\/(usr\/)?bin\/dbus-broker(-launch)?$/,
  rsyslogd: /^\/(usr\/)?s?bin\/rsyslogd$/,
  syslogd: /^\/(usr\/)?s?bin\/(sys)?logd$/,
  agetty: /^\/(usr\/)?s?bin\/agetty$/,
  polkitd: /^\/(usr\/)?lib(exec)?\/polkit(-1)?\/polkitd$/,
  containerd: /^\/(usr\/)?(local\/)?s?bin\/containerd$/,
  dockerd: /^\/(usr\/)?(local\/)?s?bin\/dockerd$/,
  nginx: /^\/(usr\/)?(local\/)?s?bin\/nginx$/,
  apache2: /^\/(usr\/)?s?bin\/apache2$/,
  httpd: /^\/(usr\/)?s?bin\/httpd$/,
  mysqld: /^\/(usr\/)?s?bin\/mysqld$/,
};

const SYSTEMD_DIR = /^\/(usr\/)?(lib\/systemd|s?bin)\/systemd-[a-z-]+$/;

/** Whether `exe` is where the daemon called `name` lives; null when `name` is no protected daemon. */
function isExpectedExe(name: string, exe: string): boolean | null {
  if (Object.hasOwn(DAEMONS, name)) return DAEMONS[name].test(exe);
  // comm is cut to 15 bytes ("systemd-journal" for systemd-journald): compare by prefix
  if (/^systemd-[a-z-]+$/.test(name)) return SYSTEMD_DIR.test(exe) && basename(exe).startsWith(name);
  return null;
}

/** Daemons only the distribution ships: at the right path but installed by no package, they are planted. */
const DISTRO_ONLY = /^(sshd(-session|-auth)?|cron|crond|atd|systemd(-[a-z-]+)?|init|dbus-daemon|dbus-broker|rsyslogd|syslogd|agetty|polkitd)$/;

export const H02: Rule = {
  id: 'H02',
  title: 'Daemon-name impostor',
  attack: ['T1036.005'],
  describes: 'A process named like a well-known system daemon (sshd, cron, systemd-*, dbus-daemon...) whose executable, as the kernel reports it, is not that daemon, or sits where the daemon lives but was installed by no package (anything under /usr/local).',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || p.exe === null) return null;
    for (const name of new Set([p.name, argv0Name(p) ?? ''])) {
      if (!name) continue;
      const expected = isExpectedExe(name, p.exe);
      if (expected === true && DISTRO_ONLY.test(name) && !p.exeDeleted) {
        const own = ownershipOf(ctx.packages, p.exe);
        if (own.state !== 'unowned') continue;
        return {
          weight: 8,
          explanation: `named like the system daemon ${name} and placed where it lives (${p.exe}), but no package installed that file`
            + `${p.uid !== 0 ? `; it runs as user ${p.user}` : ''}`,
          evidence: { name, exe: p.exe, packaged: false, packageDb: ctx.packages.kind, uid: p.uid },
        };
      }
      if (expected !== false) continue;
      const lp = launchPath(p);
      // "sshd: abc@pts/0" is how the real per-session sshd names itself; its exe still passes the test above.
      return {
        weight: 8,
        explanation: `named like the system daemon ${name}, but the kernel says it runs ${describeExe(p)}`
          + `${p.uid !== null && p.uid !== 0 ? ` as user ${p.user}` : ''}`,
        evidence: { name, exe: p.exe, script: lp?.viaInterpreter ? lp.path : null, uid: p.uid, cmdline: p.cmdline },
      };
    }
    return null;
  },
};

export const H03: Rule = {
  id: 'H03',
  amplifier: true,
  title: 'Renamed process',
  attack: ['T1036.004'],
  describes: 'The name a process reports (comm) differs from the executable the kernel ran: it renamed itself. Interpreters, multi-call binaries and the standard "<program>: <role>" names (tmux: server, postgres: checkpointer) are exempt; alone this is only informative.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread || p.exe === null || p.exeMemfd || isInterpreter(p.exe)) return null;
    const exeBase = basename(p.exe);
    // Invoked through a symlink (vi → vim.basic) comm and argv[0] agree with each other: only a name that
    // matches neither the file nor argv[0] was set by the process itself (prctl / writing comm).
    const a0 = (argv0Name(p) ?? '').slice(0, 15);
    if (exeBase === 'busybox' || p.name === exeBase.slice(0, 15) || p.name === a0) return null;
    // "<program>: <role>" (tmux: server, postgres: walwriter, sshd: user@pts/0) is how honest programs
    // name their processes: the program part still names the executable.
    const colon = p.name.indexOf(': ');
    if (colon > 0) {
      const prog = p.name.slice(0, colon);
      if (prog === exeBase || prog === a0 || exeBase.startsWith(prog + '-') || exeBase.startsWith(prog + '.')) return null;
    }
    return {
      weight: 2,
      explanation: `calls itself "${p.name}", but its executable is ${p.exe}`,
      evidence: { name: p.name, exe: p.exe, argv0: p.cmdline[0] ?? null },
    };
  },
};
