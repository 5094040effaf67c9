// What the process table alone does not say, added to each snapshot before detection: who holds a GPU
// (and how much of it), and which container each process runs in. One Enricher lives as long as the
// poll loop (or one scan); it starts nvidia-smi on NVIDIA hosts and must be stopped.
import type { Snapshot } from '../model';
import { GpuSampler, gpuWarnings, type GpuSamplerOptions } from '../gpu/index';
import { ContainerIndex } from '../procfs/container';
import { GapWatch } from './gapWatch';

export interface EnrichOptions {
  procRoot?: string;
  root?: string;
  /** GPU reading (default on); false turns it off, an object tunes it (tests, benchmark). */
  gpu?: boolean | Omit<GpuSamplerOptions, 'procRoot' | 'root'>;
  /** Watch the CPU accounting gap tick by tick (the dashboard). */
  watchGap?: boolean;
}

export class Enricher {
  readonly gpu: GpuSampler | null;
  private readonly containers: ContainerIndex;
  private readonly gap: GapWatch | null;

  constructor(opts: EnrichOptions = {}) {
    const procRoot = opts.procRoot ?? '/proc';
    this.gpu = opts.gpu === false ? null : new GpuSampler({ procRoot, root: opts.root, ...(typeof opts.gpu === 'object' ? opts.gpu : {}) });
    this.containers = new ContainerIndex(procRoot);
    this.gap = opts.watchGap ? new GapWatch(procRoot) : null;
  }

  start(): void {
    this.gpu?.start();
  }

  stop(): void {
    this.gpu?.stop();
  }

  /**
   * Add GPU and container facts (and their warnings) to a snapshot, in place, before it is assessed.
   * `containers: false` leaves containers out (a stat-only sample, whose processes have no cgroup yet).
   */
  enrich(snapshot: Snapshot, opts: { containers?: boolean } = {}): Snapshot {
    if (opts.containers !== false) snapshot.containers = this.containers.sample(snapshot.processes);
    if (this.gpu) {
      snapshot.gpu = this.gpu.sample(snapshot);
      snapshot.warnings.push(...gpuWarnings(snapshot.gpu));
    }
    if (this.gap) snapshot.cpuGap = this.gap.update(snapshot);
    return snapshot;
  }
}
