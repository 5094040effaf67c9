import { editDistance } from './paths';

// Kernel thread names, for spotting user processes that imitate them (H01). The live set comes from
// processes with PF_KTHREAD; the static list covers names a given kernel may not run right now
// (rcu_sched is absent on preemptible kernels, kswapd0 only with memory nodes, ...).

export const STATIC_KTHREAD_NAMES = [
  'kthreadd', 'kworker', 'ksoftirqd', 'migration', 'rcu_sched', 'rcu_preempt', 'rcu_bh', 'rcu_gp', 'rcu_par_gp',
  'rcu_tasks_kthread', 'kswapd0', 'kcompactd0', 'khugepaged', 'ksmd', 'kdevtmpfs', 'kauditd', 'khungtaskd',
  'oom_reaper', 'watchdogd', 'cpuhp', 'writeback', 'kblockd', 'jbd2', 'kintegrityd', 'kthrotld', 'irq',
  'netns', 'kstrp', 'scsi_eh', 'ext4-rsv-conver', 'xfsaild', 'kcryptd', 'edac-poller', 'devfreq_wq',
  'idle_inject', 'khubd', 'kpsmoused', 'ipv6_addrconf', 'mm_percpu_wq', 'ata_sff', 'md', 'raid5wq',
  'zswap-shrink', 'kerneloops', 'kmpath_rdacd', 'kaluad', 'ttm_swap', 'charger_manager', 'pool_workqueue_release',
];

/**
 * Fold a name to the family it belongs to: lower case, brackets off, "/N" and ":N" suffixes off,
 * '-' folded to '_', trailing digits off. "[kworker/0:1-events]" → "kworker", "rcu-sched" → "rcu_sched",
 * "kswapd0" → "kswapd".
 */
export function normaliseKthreadName(name: string): string {
  let n = name.toLowerCase().trim();
  if (n.startsWith('[') && n.endsWith(']')) n = n.slice(1, -1);
  n = n.split('/')[0].split(':')[0];
  n = n.replace(/-/g, '_').replace(/\d+$/, '');
  return n;
}

export interface NameMatch {
  /** The name is exactly a kernel thread's name (or its "name/..." prefix). */
  exact: boolean;
  /** The kernel-thread family it resembles after folding or one edit, or null. */
  like: string | null;
}

export class KthreadNameIndex {
  readonly exact = new Set<string>();
  readonly normalised = new Set<string>();
  private readonly memo = new Map<string, NameMatch>();

  constructor(live: Iterable<string>) {
    for (const name of [...STATIC_KTHREAD_NAMES, ...live]) {
      this.exact.add(name);
      this.exact.add(name.split('/')[0]);
      const n = normaliseKthreadName(name);
      if (n.length >= 3) this.normalised.add(n);
    }
  }

  /** Memoised: the poll loop asks about the same few hundred names every tick. */
  classify(name: string): NameMatch {
    let m = this.memo.get(name);
    if (m) return m;
    m = { exact: this.exact.has(name), like: null };
    const n = normaliseKthreadName(name);
    if (n.length >= 4) {
      if (this.normalised.has(n)) m.like = n;
      else if (n.length >= 6) {
        for (const k of this.normalised) {
          if (k.length >= 6 && editDistance(n, k, 1) <= 1) { m.like = k; break; }
        }
      }
    }
    if (this.memo.size > 50_000) this.memo.clear();
    this.memo.set(name, m);
    return m;
  }
}

/** Fingerprint of the live kernel-thread families, to rebuild the index only when they change. */
export function kthreadFamilies(live: Iterable<string>): string {
  const set = new Set<string>();
  for (const name of live) set.add(normaliseKthreadName(name));
  return [...set].sort().join(',');
}
