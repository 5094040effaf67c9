// Host history: identity, the latest host figures, and the CPU and memory history the header draws.
import type { HostStats } from '../host/hostStats';
import type { Slice, SliceContext } from './slice';
import type { HostInfo } from './types';

export const HISTORY = 60;

export interface HostState {
  host: HostInfo;
  hostStats: HostStats | null;
  cpuHistory: number[];
  memHistory: number[];
}

export interface HostActions {
  setHostStats(stats: HostStats): void;
}

/** The fields one sample changes; ingest() writes them with the processes, in one store write. */
export function hostPatch(s: HostState, stats: HostStats): Partial<HostState> {
  const push = (h: number[], v: number) => [...h.slice(-(HISTORY - 1)), v];
  const mem = stats.memTotal > 0 ? (stats.memUsed / stats.memTotal) * 100 : 0;
  return { hostStats: stats, cpuHistory: push(s.cpuHistory, stats.cpuPercent), memHistory: push(s.memHistory, mem) };
}

export function hostSlice(ctx: SliceContext, host: Partial<HostInfo> = {}): Slice<HostState, HostActions> {
  return {
    state: { host: { hostname: 'localhost', kernel: '', distro: null, ...host }, hostStats: null, cpuHistory: [], memHistory: [] },
    actions: {
      setHostStats(stats) { ctx.set(hostPatch(ctx.get(), stats)); },
    },
  };
}
