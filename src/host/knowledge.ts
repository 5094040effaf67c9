// What detection needs to know about the host's files besides /proc: who installed a file (the dpkg or
// rpm index) and the accounts (home, shell) from /etc/passwd, both read under the chosen --root and cached.
// Detection itself stays pure: it is handed these lookups.
import type { DetectorOptions } from '../detect/index';
import { PackageIndex } from '../pkg/packages';
import { readAccounts, sameAccounts, type Account } from '../procfs/users';

export interface HostKnowledge extends Required<DetectorOptions> {
  packages: PackageIndex;
}

/**
 * `lazy`: the dashboard indexes packages in the background once it calls packages.loadAsync() (answers
 * are "unknown" until then); a scan indexes at once. Accounts are re-read at most every minute; a
 * re-read that finds them unchanged hands back the same table, so detection keeps its cached verdicts
 * (a new table clears them: every process judged again, once a minute, for nothing).
 */
export function hostKnowledge(root: string, opts: { lazy?: boolean; now?: () => number } = {}): HostKnowledge {
  const now = opts.now ?? Date.now;
  const packages = new PackageIndex(root, { lazy: opts.lazy, now });
  let accounts: ReadonlyMap<number, Account> | null = null;
  let readAt = 0;
  return {
    packages,
    accounts: () => {
      const t = now();
      if (!accounts || t - readAt > 60_000) {
        const fresh = readAccounts(root);
        if (!accounts || !sameAccounts(accounts, fresh)) accounts = fresh;
        readAt = t;
      }
      return accounts;
    },
  };
}
