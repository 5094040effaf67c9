// R1, respawn: a new process that looks like one minewatch killed a moment ago means something (cron,
// a unit, a launcher) is still restarting it. The facts come from the respawn watch (the kills of this
// session, src/respond/respawn.ts) through the rule context; the rule is pure like every other.
import type { KilledProcess, ProcessInfo } from '../../model';
import { sanitize } from '../../text/sanitize';
import { basename, inSystemDir, isInterpreter } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';

export const RESPAWN_WEIGHT = 10;
/** Start times are known to a clock tick and boot time to a second: a respawn may seem to start this much before the kill. */
const START_SLACK_MS = 1000;

/**
 * A program many processes share: an interpreter (every shell script runs /usr/bin/dash) or anything in
 * a system directory (/usr/bin/sleep). Its path alone identifies nothing.
 */
export function sharedExecutable(exe: string): boolean {
  return isInterpreter(exe) || inSystemDir(exe);
}

/** A command line that can identify a program: not empty, not a bare interpreter (`bash`). */
function distinctive(argv: readonly string[]): boolean {
  if (argv.length === 0) return false;
  return !(argv.length === 1 && isInterpreter(basename(argv[0]).replace(/^-/, '')));
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Why `p` looks like the killed process `k`, or null. */
export function respawnOf(p: ProcessInfo, k: KilledProcess): string | null {
  if (p.pid === k.pid && p.startTicks === k.startTicks) return null; // the same process, not a new one
  if (p.startTime < k.at - START_SLACK_MS) return null; // it was already running when the other was killed
  const sameCmd = distinctive(k.cmdline) && sameArgv(p.cmdline, k.cmdline);
  const sameExe = p.exe !== null && k.exe !== null && p.exe === k.exe;
  if (sameExe && !sharedExecutable(k.exe!)) return sameCmd ? `the same executable ${sanitize(k.exe!)} and the same command line` : `the same executable ${sanitize(k.exe!)}`;
  // A shared program (sleep, a shell) counts only with the same command line.
  return sameCmd ? 'the same command line' : null;
}

export const R1: Rule = {
  id: 'R1',
  title: 'Respawned after a kill',
  attack: ['T1053.003', 'T1543'],
  describes: `A new process with the executable or the command line of one killed from the dashboard in the last ten minutes: cron, a unit or a launcher is still restarting it (weight ${RESPAWN_WEIGHT}). A shared program (an interpreter, anything in a system directory such as /usr/bin/sleep) counts only when the command line matches too.`,
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const killed = ctx.killed;
    for (let i = killed.length - 1; i >= 0; i--) {
      const k = killed[i];
      const why = respawnOf(p, k);
      if (!why) continue;
      const mins = Math.max(0, Math.round((ctx.now - k.at) / 60e3));
      const ago = mins === 0 ? 'less than a minute ago' : `${mins} min ago`;
      return {
        weight: RESPAWN_WEIGHT,
        explanation: `PID ${p.pid} has ${why} as PID ${k.pid}, killed ${ago}: persistence is still active (see c)`,
        evidence: { oldPid: k.pid, oldStartTicks: k.startTicks, why },
      };
    }
    return null;
  },
};
