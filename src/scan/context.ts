// One look at the whole host: the process table (sampled once or twice), its assessment, and the
// persistence entries correlated with it. Shared by `scan`, `inspect` and the dashboard's panes.
import type { Assessment, Snapshot } from '../model';
import { collectPersistence, type PersistenceReport } from '../persistence/index';
import { correlate, type Correlation } from './correlate';
import { runScan } from './report';

export interface HostLook {
  snapshot: Snapshot;
  assessments: Map<number, Assessment>;
  persistence: PersistenceReport;
  correlation: Correlation;
}

export async function lookAtHost(opts: { procRoot: string; root: string; sampleMs: number; gpu?: boolean }): Promise<HostLook> {
  const { snapshot, assessments } = await runScan(opts);
  const persistence = collectPersistence({ root: opts.root });
  const correlation = correlate(persistence.entries, snapshot.processes.values(), assessments);
  return { snapshot, assessments, persistence, correlation };
}
