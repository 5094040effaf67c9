// One look at the whole host: the process table (sampled once or twice), its assessment, and the
// persistence entries correlated with it. Shared by `scan`, `inspect` and the dashboard's panes.
import { createKnownGood, type KnownGood, type KnownGoodMark } from '../allow/index';
import type { Assessment, Snapshot } from '../model';
import { collectPersistence, type PersistenceReport } from '../persistence/index';
import type { PackageLookup } from '../pkg/packages';
import { correlate, type Correlation } from './correlate';
import { runScan } from './report';

export interface HostLook {
  snapshot: Snapshot;
  /** Verdicts without minewatch itself and allow-listed processes (see knownGood). */
  assessments: Map<number, Assessment>;
  /** Processes set aside as known-good: minewatch itself, allow-list matches by hash and path. */
  knownGood: Map<number, KnownGoodMark>;
  persistence: PersistenceReport;
  correlation: Correlation;
  /** The package index the verdicts used. */
  packages: PackageLookup;
}

export async function lookAtHost(opts: { procRoot: string; root: string; sampleMs: number; gpu?: boolean; threads?: number; knownGood?: KnownGood }): Promise<HostLook> {
  // The allow list and the persistence entries do not depend on the process table: read inside the
  // scan's CPU window.
  let made: { knownGood: KnownGood; warnings: string[] } | null = null;
  let collected: PersistenceReport | null = null;
  const scan = await runScan({
    ...opts,
    whileSampling: () => {
      made = opts.knownGood ? { knownGood: opts.knownGood, warnings: [] } : createKnownGood({ procRoot: opts.procRoot, root: opts.root });
      collected = collectPersistence({ root: opts.root });
    },
  });
  const { knownGood: known, warnings: allowWarnings } = made!;
  await known.prepare(scan.snapshot);
  const { assessments, knownGood } = known.apply(scan.snapshot, scan.assessments);
  const snapshot = scan.snapshot;
  const persistence = { ...collected!, warnings: [...allowWarnings, ...collected!.warnings] };
  const correlation = correlate(persistence.entries, snapshot.processes.values(), assessments);
  return { snapshot, assessments, knownGood, persistence, correlation, packages: scan.packages };
}
