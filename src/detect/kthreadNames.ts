import { editDistance } from './paths';

// Kernel thread names, for spotting user processes that imitate them (H01). The live set comes from
// processes with PF_KTHREAD; the static list covers names a given kernel may not run right now
// (rcu_sched is absent on preemptible kernels, kswapd0 only with memory nodes, ...).

/** Kernel threads with one fixed name. */
export const STATIC_KTHREAD_NAMES = [
  'kthreadd', 'rcu_sched', 'rcu_preempt', 'rcu_bh', 'rcu_gp', 'rcu_par_gp', 'rcu_tasks_kthread', 'kswapd0', 'kcompactd0',
  'khugepaged', 'ksmd', 'kdevtmpfs', 'kauditd', 'khungtaskd', 'oom_reaper', 'watchdogd', 'writeback', 'kblockd',
  'kintegrityd', 'kthrotld', 'netns', 'kstrp', 'xfsaild', 'edac-poller', 'devfreq_wq', 'khubd', 'kpsmoused',
  'ipv6_addrconf', 'mm_percpu_wq', 'ata_sff', 'raid5wq', 'zswap-shrink', 'kmpath_rdacd', 'kaluad', 'ttm_swap',
  'charger_manager', 'pool_workqueue_release',
];

/** Families of per-CPU or per-device kernel threads, always shown as "family/suffix" (kworker/0:1, jbd2/sda1-8). */
export const KTHREAD_FAMILIES = ['kworker', 'ksoftirqd', 'migration', 'cpuhp', 'watchdog', 'irq', 'jbd2', 'scsi_eh',
  'scsi_tmf', 'kcryptd', 'idle_inject', 'rcuog', 'rcuop', 'rcuos', 'card0-crtc0', 'nvme-wq', 'ext4-rsv-conver'];

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
  /** The name is exactly a kernel thread's name, or "family/anything" of a per-CPU family. */
  exact: boolean;
  /** The kernel-thread family it resembles after folding or one edit, or null. */
  like: string | null;
}

export class KthreadNameIndex {
  readonly exact = new Set<string>();
  readonly normalised = new Set<string>();
  private readonly memo = new Map<string, NameMatch>();

  private readonly families = new Set<string>(KTHREAD_FAMILIES);

  constructor(live: Iterable<string>) {
    for (const name of [...STATIC_KTHREAD_NAMES, ...KTHREAD_FAMILIES, ...live]) {
      if (!KTHREAD_FAMILIES.includes(name)) this.exact.add(name);
      if (name.includes('/')) this.families.add(name.split('/')[0]);
      const n = normaliseKthreadName(name);
      if (n.length >= 3) this.normalised.add(n);
    }
  }

  /** Memoised: the poll loop asks about the same few hundred names every tick. */
  classify(name: string): NameMatch {
    let m = this.memo.get(name);
    if (m) return m;
    // "kworker/0:1" is an exact imitation; a bare "migration" only resembles "migration/0".
    const slash = name.indexOf('/');
    m = { exact: this.exact.has(name) || (slash > 0 && this.families.has(name.slice(0, slash))), like: null };
    const n = normaliseKthreadName(name);
    if (n.length >= 4) {
      if (this.normalised.has(n)) m.like = n;
      else if (n.length >= 6) {
        for (const k of this.normalised) {
          // One letter added, changed or dropped (kthreaddi, ksoftirq), but never the first: "worker" is an
          // ordinary program name, not an imitation of kworker.
          if (k.length >= 6 && n[0] === k[0] && editDistance(n, k, 1) <= 1) { m.like = k; break; }
        }
      }
    }
    if (this.memo.size > 50_000) this.memo.clear();
    this.memo.set(name, m);
    return m;
  }
}

const familyOf = new Map<string, string>();

/**
 * Fingerprint of the live kernel-thread families, to rebuild the index only when they change. Worker
 * threads rename themselves as they pick up work (kworker/u4:1-events_unbound), so the name set moves
 * nearly every tick: each name is folded once.
 */
export function kthreadFamilies(live: Iterable<string>): string {
  const set = new Set<string>();
  for (const name of live) {
    let f = familyOf.get(name);
    if (f === undefined) {
      if (familyOf.size > 20_000) familyOf.clear();
      f = normaliseKthreadName(name);
      familyOf.set(name, f);
    }
    set.add(f);
  }
  return [...set].sort().join(',');
}
