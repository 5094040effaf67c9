// H53: on a Slurm cluster, sustained CPU or GPU work by an ordinary user outside any job.
import type { ProcessInfo } from '../../model';
import { isOrdinaryUser } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';
import { describeGpu, gpuUse } from './gpuShared';

/** Slurm's job cgroups: v1 /slurm/uid_N/job_M/step_S, v2 /system.slice/slurmstepd.scope/job_M/step_S. */
export const SLURM_JOB = /\/job_(\d+)(\/|$)/;
const SLURM_TREE = /\/slurm(stepd\.scope)?\//;

/** Sustained: at least this share of a core on average since it started, for at least this long. */
const SUSTAINED_CPU_PCT = 50;
const SUSTAINED_MS = 10 * 60_000;

/** Memoised per process table: whether this host runs Slurm jobs (a job cgroup, or slurmd/slurmstepd running). */
const slurmHosts = new WeakMap<object, boolean>();
function slurmHost(ctx: RuleContext): boolean {
  let v = slurmHosts.get(ctx.processes);
  if (v === undefined) {
    v = false;
    for (const q of ctx.processes.values()) {
      if (q.name === 'slurmd' || q.name === 'slurmstepd' || (q.cgroup !== null && SLURM_TREE.test(q.cgroup))) { v = true; break; }
    }
    slurmHosts.set(ctx.processes, v);
  }
  return v;
}

export const H53: Rule = {
  id: 'H53',
  title: 'Heavy compute outside any batch job',
  attack: ['T1496.001', 'T1078'],
  describes: 'On a Slurm cluster (job cgroups /slurm/uid_N/job_M or slurmstepd.scope/job_M): an ordinary user\'s process that has averaged half a core or more for ten minutes, or works a GPU, outside any job\'s cgroup. How stolen accounts mine on clusters: on the login node, or on a compute node beside the scheduler.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || p.uid === null || !isOrdinaryUser(p.uid) || !slurmHost(ctx)) return null;
    if (p.cgroup !== null && SLURM_JOB.test(p.cgroup)) return null;
    const ageMs = ctx.now - p.startTime;
    const avgPct = ageMs > 0 ? (p.cpuTicks / ctx.host.clockTicks) / (ageMs / 1000) * 100 : 0;
    const g = gpuUse(p, ctx);
    const gpuBusy = g !== null && ((g.utilPct ?? 0) >= 10 || (g.memBytes ?? 0) >= 256 * 2 ** 20);
    const cpuBusy = ageMs >= SUSTAINED_MS && avgPct >= SUSTAINED_CPU_PCT;
    if (!gpuBusy && !cpuBusy) return null;
    const what = [cpuBusy ? `has averaged ${Math.round(avgPct)}% of a core for ${Math.round(ageMs / 60_000)} min` : null, gpuBusy ? `works the GPU ${describeGpu(g!)}` : null].filter(Boolean).join(' and ');
    return {
      weight: 6,
      explanation: `user ${p.user}'s process ${what} outside any Slurm job (cgroup ${p.cgroup ?? 'unknown'})`,
      evidence: { cgroup: p.cgroup, averageCpuPct: Math.round(avgPct), ageMin: Math.round(ageMs / 60_000), gpu: g?.devices ?? null },
    };
  },
};
