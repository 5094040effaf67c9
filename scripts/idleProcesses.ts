// The benchmarks' large, quiet process table: N `sleep`s of our own, started by one shell, stopped by
// PID (each sleep, then the shell) and nothing else.
import { spawn } from 'node:child_process';
import { attempt, listPids, PROC_ROOT, readStat } from '../src/procfs/pid';

function childrenOf(ppid: number): number[] {
  return listPids(PROC_ROOT).filter((pid) => attempt(() => readStat(PROC_ROOT, pid))?.ppid === ppid);
}

export interface IdlePool { pids: number[]; stop(): void }

export async function startIdle(n: number, seconds = 3600): Promise<IdlePool> {
  const pool: IdlePool = { pids: [], stop() {} };
  if (n <= 0) return pool;
  process.stdout.write(`starting ${n} idle processes... `);
  const shell = spawn('sh', ['-c', `i=0; while [ $i -lt ${n} ]; do sleep ${seconds} & i=$((i+1)); done; wait`], { stdio: 'ignore' });
  pool.stop = () => {
    for (const pid of pool.pids) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    if (shell.pid) try { process.kill(shell.pid, 'SIGKILL'); } catch { /* gone */ }
    pool.pids = [];
  };
  const t0 = Date.now();
  while ((pool.pids = childrenOf(shell.pid!)).length < n && Date.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 200));
  console.log(`${pool.pids.length} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return pool;
}
