// The set of processes that belong to one miner: the target, its children, its watchdog siblings and
// the launcher that would restart it, minus anything whose loss would hurt the host or this session.
import type { ProcessInfo } from '../model';
import { sanitize } from '../text/sanitize';
import { isShell as isShellProgram } from '../model/launch';

export interface Family {
  /** The nearest launcher (the parent that would restart it), or null. */
  launcher: ProcessInfo | null;
  /** The whole launcher chain, nearest first, up to (not including) a stop: see familyOf. */
  launchers: ProcessInfo[];
  /** The target first, then its descendants, then the launchers' other descendants, then linked processes. */
  members: ProcessInfo[];
  /** Why each member other than the target belongs, by PID. */
  roles: Map<number, FamilyRole>;
  /** Related processes deliberately left out, with the reason. */
  excluded: { pid: number; why: string }[];
}

export type FamilyRole = 'target' | 'launcher' | 'descendant' | 'linked';

export interface FamilyOptions {
  selfPid?: number;
  /** minewatch's ancestors; derived from the process table when omitted. */
  ancestorPids?: number[];
  /** Running processes started by the same persistence entry as the target (cron line, unit...). */
  linkedPids?: number[];
}


/** Service managers, supervisors and session programs: never part of a miner's family. */
const INIT_LIKE = new Set([
  'systemd', 'init', 'upstart', 'runit', 'runsv', 'runsvdir', 'openrc', 'openrc-init', 's6-svscan', 's6-supervise',
  'tini', 'dumb-init', 'catatonit', 'supervisord', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2',
  'runc', 'conmon', 'dockerd', 'cron', 'crond', 'atd', 'anacron', 'sshd', 'sshd-session', 'login', 'su', 'sudo',
  'doas', 'tmux', 'tmux: server', 'screen', 'SCREEN', 'kthreadd', 'agetty', 'getty', 'systemd-logind',
]);

function base(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** The program's real identity: the exe basename when known (kernel truth), else its name. */
function programOf(p: ProcessInfo): string {
  return p.exe ? base(p.exe) : p.name;
}

/**
 * A service manager or session program, judged by the executable the kernel reports when it is
 * readable (a script named `sshd` run by /bin/sh is NOT sshd: it is exactly the impostor we are after);
 * by name only when the executable cannot be read.
 */
function initLike(p: ProcessInfo): boolean {
  return p.exe ? INIT_LIKE.has(programOf(p)) : INIT_LIKE.has(p.name);
}

/** A shell, by the one interpreter list (src/model/launch.ts). */
function isShell(p: ProcessInfo): boolean {
  return isShellProgram(programOf(p)) || isShellProgram(p.name);
}

/** A login shell (argv[0] or comm starting with '-') or a shell on a terminal: the user's own session. */
function loginOrTtyShell(p: ProcessInfo): boolean {
  const argv0 = p.cmdline[0] ?? '';
  if (argv0.startsWith('-') || p.name.startsWith('-')) return true;
  return p.ttyNr !== 0 && isShell(p);
}

function ancestorsInTable(pid: number, processes: Map<number, ProcessInfo>): number[] {
  const out: number[] = [];
  const seen = new Set([pid]);
  let cur = processes.get(pid);
  while (cur && cur.ppid > 0 && !seen.has(cur.ppid)) {
    out.push(cur.ppid);
    seen.add(cur.ppid);
    cur = processes.get(cur.ppid);
  }
  return out;
}

/**
 * What would restart or serve the process (issue 11, item 4), never the whole session:
 * - its launcher chain: the parent, its parent... while each is an ordinary process of the same user,
 *   stopping before (never including) PID 1/kthreadd, a kernel thread, a service manager or session
 *   program (by executable), a login shell or a shell on a terminal, the leader of a terminal session,
 *   a process of another user, and minewatch or its ancestors;
 * - the descendants of the target and of every launcher (a watchdog started by the same dropper);
 * - processes started by the same persistence entry (`linkedPids`) and their descendants.
 * One pass builds the children index: O(processes), so 2,000 siblings cost a few milliseconds.
 */
export function familyOf(pid: number, processes: Map<number, ProcessInfo>, opts: FamilyOptions = {}): Family {
  const target = processes.get(pid);
  const excluded: { pid: number; why: string }[] = [];
  const roles = new Map<number, FamilyRole>();
  if (!target) return { launcher: null, launchers: [], members: [], roles, excluded };
  const selfPid = opts.selfPid ?? process.pid;
  const protectedPids = new Set<number>([selfPid, ...(opts.ancestorPids ?? ancestorsInTable(selfPid, processes))]);
  const exclude = (p: number, why: string) => {
    if (!excluded.some((e) => e.pid === p)) excluded.push({ pid: p, why });
  };

  /** Why a process may never join the family, or null. */
  const unsafe = (p: ProcessInfo): string | null => {
    if (p.pid <= 2) return p.pid === 1 ? 'PID 1 (init)' : 'kthreadd';
    if (p.kernelThread) return 'kernel thread';
    if (protectedPids.has(p.pid)) return 'minewatch itself or one of its ancestors';
    if (initLike(p)) return `service manager or session program (${sanitize(programOf(p))})`;
    return null;
  };

  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }

  const members: ProcessInfo[] = [];
  const add = (p: ProcessInfo, role: FamilyRole) => {
    if (roles.has(p.pid)) return false;
    const why = unsafe(p);
    if (why && p.pid !== target.pid) {
      exclude(p.pid, why);
      return false;
    }
    roles.set(p.pid, role);
    if (role !== 'launcher') members.push(p);
    return true;
  };
  const addTree = (root: ProcessInfo, role: FamilyRole) => {
    if (roles.has(root.pid)) return;
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const p = queue[i];
      if (!add(p, i === 0 ? role : 'descendant')) continue;
      for (const c of children.get(p.pid) ?? []) if (!roles.has(c.pid)) queue.push(c);
    }
  };

  addTree(target, 'target');

  // The launcher chain, nearest first.
  const launchers: ProcessInfo[] = [];
  const seen = new Set<number>([target.pid]);
  let cur = target;
  for (let depth = 0; depth < 64; depth++) {
    const parent = processes.get(cur.ppid);
    if (!parent || seen.has(parent.pid) || roles.has(parent.pid)) break;
    seen.add(parent.pid);
    const why =
      unsafe(parent) ??
      (loginOrTtyShell(parent) ? 'a login shell or a shell on a terminal' : null) ??
      (parent.pid === parent.session && parent.ttyNr !== 0 ? 'the leader of a terminal session' : null) ??
      (parent.uid === null || target.uid === null ? 'its owner could not be read' : null) ??
      (parent.uid !== target.uid ? `owned by another user (${sanitize(parent.user)})` : null);
    if (why) {
      exclude(parent.pid, `${depth === 0 ? 'parent' : 'launcher chain'}: ${why}`);
      break;
    }
    roles.set(parent.pid, 'launcher');
    launchers.push(parent);
    cur = parent;
  }
  for (const l of launchers) for (const c of children.get(l.pid) ?? []) addTree(c, 'descendant');

  for (const lp of opts.linkedPids ?? []) {
    const p = processes.get(lp);
    if (p && !roles.has(p.pid)) addTree(p, 'linked');
  }
  return { launcher: launchers[0] ?? null, launchers, members, roles, excluded };
}
