// The set of processes that belong to one miner: the target, its children, its watchdog siblings and
// the launcher that would restart it, minus anything whose loss would hurt the host or this session.
import type { ProcessInfo } from '../model';
import { sanitize } from '../text/sanitize';
import { ResponseSignal, SignalDeps, SignalResult, sendSignal } from './signal';
import type { PinnedTarget } from './target';

export interface Family {
  launcher: ProcessInfo | null;
  /** The target first, then its descendants, then same-session siblings (and their descendants). */
  members: ProcessInfo[];
  /** Related processes deliberately left out, with the reason. */
  excluded: { pid: number; why: string }[];
}

export interface FamilyOptions {
  selfPid?: number;
  /** minewatch's ancestors; derived from the process table when omitted. */
  ancestorPids?: number[];
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'tcsh', 'csh', 'ash', 'busybox']);

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

function ttyShell(p: ProcessInfo): boolean {
  return p.ttyNr !== 0 && (SHELLS.has(programOf(p)) || SHELLS.has(p.name.replace(/^-/, '')));
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

export function familyOf(pid: number, processes: Map<number, ProcessInfo>, opts: FamilyOptions = {}): Family {
  const target = processes.get(pid);
  const excluded: { pid: number; why: string }[] = [];
  if (!target) return { launcher: null, members: [], excluded };
  const selfPid = opts.selfPid ?? process.pid;
  const protectedPids = new Set<number>([selfPid, ...(opts.ancestorPids ?? ancestorsInTable(selfPid, processes))]);

  /** Why a process may not join the family, or null. */
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
  const inFamily = new Set<number>();
  const add = (p: ProcessInfo) => {
    if (inFamily.has(p.pid)) return;
    const why = unsafe(p);
    if (why && p.pid !== target.pid) {
      if (!excluded.some((e) => e.pid === p.pid)) excluded.push({ pid: p.pid, why });
      return;
    }
    inFamily.add(p.pid);
    members.push(p);
  };
  const addTree = (root: ProcessInfo) => {
    const queue = [root];
    while (queue.length) {
      const p = queue.shift()!;
      const before = inFamily.has(p.pid);
      add(p);
      if (!inFamily.has(p.pid) || before) continue;
      for (const c of children.get(p.pid) ?? []) queue.push(c);
    }
  };

  addTree(target);

  // Launcher: the parent, when it is an ordinary process of the same user.
  let launcher: ProcessInfo | null = null;
  const parent = processes.get(target.ppid);
  if (parent) {
    const why =
      unsafe(parent) ??
      (ttyShell(parent) ? 'an interactive shell on a terminal' : null) ??
      (parent.uid !== target.uid ? `owned by another user (${sanitize(parent.user)})` : null);
    if (why) excluded.push({ pid: parent.pid, why: `parent: ${why}` });
    else launcher = parent;
  }

  // Watchdog siblings: same session, same owner, no terminal.
  if (target.session > 1) {
    for (const p of processes.values()) {
      if (inFamily.has(p.pid) || p.pid === launcher?.pid) continue;
      if (p.session !== target.session || p.uid !== target.uid || p.ttyNr !== 0) continue;
      // The launcher's own ancestors are the launcher's business, not the target's family.
      if (p.pid === target.ppid) continue;
      addTree(p);
    }
  }
  return { launcher, members, excluded };
}

export interface MemberResult {
  pid: number;
  /** Every signal attempted for this member, in order. */
  results: SignalResult[];
  /** True when the kill signal was delivered. */
  ok: boolean;
  message: string;
}

/**
 * Freeze every member first (SIGSTOP, each verified), so watchdogs cannot restart each other, then send
 * the kill signal to every member that was frozen, then SIGCONT after SIGTERM (a stopped process does
 * not act on SIGTERM until it is continued). Members whose SIGSTOP was refused or failed are left alone.
 */
export function killFamily(
  pinned: PinnedTarget[],
  deps: SignalDeps,
  opts: { signal: 'SIGKILL' | 'SIGTERM' },
): MemberResult[] {
  const out = new Map<number, MemberResult>();
  const stopped: PinnedTarget[] = [];
  const push = (t: PinnedTarget, r: SignalResult) => {
    const m = out.get(t.pid) ?? { pid: t.pid, results: [], ok: false, message: '' };
    m.results.push(r);
    m.message = r.message;
    out.set(t.pid, m);
  };
  const unique = pinned.filter((t, i) => pinned.findIndex((u) => u.pid === t.pid) === i);

  for (const t of unique) {
    const r = sendSignal(t, 'SIGSTOP', deps);
    push(t, r);
    if (r.ok) stopped.push(t);
  }
  const killed: PinnedTarget[] = [];
  for (const t of stopped) {
    const r = sendSignal(t, opts.signal as ResponseSignal, deps);
    push(t, r);
    if (r.ok) {
      killed.push(t);
      out.get(t.pid)!.ok = true;
    }
  }
  if (opts.signal === 'SIGTERM') {
    for (const t of killed) {
      const r = sendSignal(t, 'SIGCONT', deps);
      push(t, r);
      // The SIGTERM was delivered; keep that as the member's summary unless resuming failed.
      out.get(t.pid)!.message = r.ok ? `sent SIGTERM to PID ${t.pid} and resumed it so it can act on it` : r.message;
    }
  }
  // A member that was frozen but whose kill signal failed stays stopped: say so.
  for (const t of stopped) {
    const m = out.get(t.pid)!;
    if (!m.ok) m.message += ` (PID ${t.pid} is still suspended; send SIGCONT to resume it)`;
  }
  return unique.map((t) => out.get(t.pid)!);
}
