// What the GPU rules share: whether a process really uses a GPU (not only the driver's control files,
// not a display node), and how to name what it holds.
import type { ProcessInfo, ProcGpu } from '../../model';
import type { RuleContext } from '../rule';

/** The GPU a process holds for compute or rendering: a GPU device or a render node, or anything nvidia-smi saw. */
export function gpuUse(p: ProcessInfo, ctx: RuleContext): ProcGpu | null {
  const g = ctx.gpu?.processes.get(p.pid);
  if (!g) return null;
  if (g.source === 'nvidia-smi') return g;
  // /dev/dri/card* is the display (compositors, systemd-logind hold it); the control files alone are
  // the CUDA runtime loaded with no GPU opened
  return g.devices.some((d) => !/^card\d+$/.test(d)) ? g : null;
}

export function describeGpu(g: ProcGpu): string {
  const figures = [g.memBytes !== null ? `${Math.round(g.memBytes / 2 ** 20)} MiB` : null, g.utilPct !== null ? `${Math.round(g.utilPct)}% busy` : null].filter(Boolean);
  return `${g.devices.join(', ')}${figures.length ? ` (${figures.join(', ')})` : ''}`;
}

export function gpuEvidence(g: ProcGpu): Record<string, unknown> {
  return { devices: g.devices, memBytes: g.memBytes, utilPct: g.utilPct, source: g.source };
}
