// The benchmarks' large, quiet process table: N `sleep`s of our own, started by one shell, stopped by
// PID (each sleep, then the shell) and nothing else.
import { spawn } from 'node:child_process';
import { attempt, listPids, PROC_ROOT, readChildren, readStat } from '../src/procfs/pid';

/** Children of a process: the kernel's own list when it has one (one read), else a scan of every stat. */
function childrenOf(ppid: number): number[] {
  const direct = attempt(() => readChildren(PROC_ROOT, ppid));
  if (direct !== null) return direct;
  return listPids(PROC_ROOT).filter((pid) => attempt(() => readStat(PROC_ROOT, pid))?.ppid === ppid);
}

export interface IdlePool { pids: number[]; stop(): void }

export async function startIdle(n: number, seconds = 3600): Promise<IdlePool> {
  const pool: IdlePool = { pids: [], stop() {} };
  if (n <= 0) return pool;
  process.stdout.write(`starting ${n} idle processes... `);
  // one shell per 2,000 sleeps, so a 20,000-process pool starts in parallel
  const per = 2000;
  const shells = Array.from({ length: Math.ceil(n / per) }, (_, i) => {
    const k = Math.min(per, n - i * per);
    return spawn('sh', ['-c', `i=0; while [ $i -lt ${k} ]; do sleep ${seconds} & i=$((i+1)); done; wait`], { stdio: 'ignore' });
  });
  pool.stop = () => {
    // stop the shells first (a shell still starting sleeps would start more after the list is read),
    // then kill every child the kernel lists for them, then the shells: all by PID
    for (const sh of shells) if (sh.pid) try { process.kill(sh.pid, 'SIGSTOP'); } catch { /* gone */ }
    const all = new Set(pool.pids);
    for (const sh of shells) if (sh.pid) for (const pid of childrenOf(sh.pid)) all.add(pid);
    for (const pid of all) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    for (const sh of shells) if (sh.pid) try { process.kill(sh.pid, 'SIGKILL'); } catch { /* gone */ }
    pool.pids = [];
  };
  const t0 = Date.now();
  const limit = Math.max(120_000, n * 20);
  while ((pool.pids = shells.flatMap((sh) => childrenOf(sh.pid!))).length < n && Date.now() - t0 < limit) await new Promise((r) => setTimeout(r, 500));
  console.log(`${pool.pids.length} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return pool;
}
