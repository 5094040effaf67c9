// CPU burners for the benchmarks' "pegged host" runs: one busy shell loop per core, started here and
// stopped by PID (each of them, nothing else).
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Burners { pids: number[]; stop(): void }

/** `wrap`: how to start each (bench-tui starts them through nice(1) at the nice value it had itself). */
export function startBurners(n = availableParallelism(), wrap: (cmd: string, args: string[]) => [string, string[]] = (c, a) => [c, a]): Burners {
  const kids: ChildProcess[] = [];
  for (let i = 0; i < n; i++) kids.push(spawn(...wrap('sh', ['-c', 'while :; do :; done']), { stdio: 'ignore' }));
  return {
    pids: kids.map((k) => k.pid!).filter(Boolean),
    stop() {
      for (const k of kids.splice(0)) if (k.pid && k.exitCode === null) try { process.kill(k.pid, 'SIGKILL'); } catch { /* gone */ }
    },
  };
}
