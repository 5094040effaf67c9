// Processes minewatch must never signal, whatever the user selects.
import { readStat } from './procread';

export interface GuardContext {
  selfPid: number;
  /** minewatch's parent chain: its shell, terminal, sshd session... */
  ancestorPids: number[];
  kernelThread: boolean;
}

/** The reason a signal to this target is refused, in plain words, or null when it is allowed. */
export function refusal(target: { pid: number; kernelThread?: boolean }, ctx: GuardContext): string | null {
  const pid = target.pid;
  // kill(0) and kill(-N) signal whole process groups; never let such a value through.
  if (!Number.isInteger(pid) || pid <= 0) return `refused: ${pid} is not a single process id`;
  if (pid === 1) return 'refused: PID 1 is the init process; signalling it can take the whole system or container down';
  if (ctx.kernelThread || target.kernelThread) {
    return `refused: PID ${pid} is a kernel thread (PF_KTHREAD is set); it cannot be a user-space miner and must not be signalled`;
  }
  if (pid === 2) return 'refused: PID 2 is kthreadd, the parent of all kernel threads';
  if (pid === ctx.selfPid) return `refused: PID ${pid} is minewatch itself`;
  if (ctx.ancestorPids.includes(pid)) {
    return `refused: PID ${pid} is one of minewatch's own ancestors (its shell, terminal or session); signalling it would end this session`;
  }
  return null;
}

/** The parent chain of `pid` (nearest first), read from <procRoot>/N/stat; stops at PID 0 or a loop. */
export function ancestorsOf(pid: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  const seen = new Set<number>([pid]);
  let cur = pid;
  for (let i = 0; i < 4096; i++) {
    const st = readStat(procRoot, cur);
    if (!st || st.ppid <= 0 || seen.has(st.ppid)) break;
    out.push(st.ppid);
    seen.add(st.ppid);
    cur = st.ppid;
  }
  return out;
}
