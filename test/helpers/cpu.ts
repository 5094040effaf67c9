// CPU demand of a process the test started: time on a CPU plus time waiting for one (schedstat), in
// nanoseconds. Unlike a CPU share, demand does not shrink when other work loads the machine, so a test
// can say "this asks for a whole core" or "this idles" without depending on what else runs.
import { readFileSync } from 'node:fs';

export function demandNs(pid: number): bigint {
  const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'latin1').trim().split(' ');
  return BigInt(run) + BigInt(wait);
}
