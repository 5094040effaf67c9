// One look at the whole host: the process table (sampled once or twice), its assessment, and the
// persistence entries correlated with it. Shared by `scan`, `inspect` and the dashboard's panes.
import { createKnownGood, type KnownGood, type KnownGoodMark } from '../allow/index';
import type { Assessment, Snapshot } from '../model';
import { collectPersistence, type PersistenceReport } from '../persistence/index';
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
}

export async function lookAtHost(opts: { procRoot: string; root: string; sampleMs: number; gpu?: boolean; knownGood?: KnownGood }): Promise<HostLook> {
  const scan = await runScan(opts);
  const made = opts.knownGood ? { knownGood: opts.knownGood, warnings: [] } : createKnownGood({ procRoot: opts.procRoot, root: opts.root });
  const known = made.knownGood;
  await known.prepare(scan.snapshot);
  const { assessments, knownGood } = known.apply(scan.snapshot, scan.assessments);
  const snapshot = scan.snapshot;
  const collected = collectPersistence({ root: opts.root });
  const persistence = { ...collected, warnings: [...made.warnings, ...collected.warnings] };
  const correlation = correlate(persistence.entries, snapshot.processes.values(), assessments);
  return { snapshot, assessments, knownGood, persistence, correlation };
}
