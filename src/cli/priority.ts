// The dashboard's own scheduling priority. The moment minewatch matters is when a miner pegs every core;
// at the default nice value the kernel shares the CPU equally between the dashboard and each burner, so
// the first frame and every key wait behind them. As root (CAP_SYS_NICE) the dashboard lowers its own
// nice value a little: it uses a few % of one core, so it takes nothing noticeable from anyone, and its
// frames and keys come first. Only the dashboard: `scan` (cron, fleets) keeps the priority it was given.
// Its own process only; nothing else on the host is touched. --no-renice turns it off.
import os from 'node:os';

/** The nice value the dashboard asks for (the default is 0; -20 is the highest priority). */
export const DASHBOARD_NICE = -5;

export interface PriorityApi {
  get(): number;
  set(nice: number): void;
}

const SELF: PriorityApi = {
  get: () => os.getPriority(0),
  // pid 0: the calling thread on Linux (the main thread, where reading, detection and drawing run);
  // threads and children started after it inherit the value
  set: (nice) => os.setPriority(0, nice),
};

/**
 * Lower the nice value to `nice` when it is higher: the value before and after, or null when nothing
 * changed (already as high or higher, or not permitted: an ordinary user may not lower it).
 */
export function raisePriority(nice = DASHBOARD_NICE, api: PriorityApi = SELF): { from: number; to: number } | null {
  try {
    const from = api.get();
    if (from <= nice) return null;
    api.set(nice);
    return { from, to: api.get() };
  } catch {
    return null;
  }
}
