// Run the real reader and detector over a fixture tree, two samples apart, as `scan` does.
import { Detector } from '../../src/detect/index';
import { hostKnowledge } from '../../src/host/knowledge';
import { POOL_PORTS, STRONG_POOL_PORTS } from '../../src/detect/poolPorts';
import type { Assessment, Snapshot } from '../../src/model';
import { ProcReader } from '../../src/procfs/reader';
import type { FakeProc, ProcTree } from '../../src/procfs/fake';

export interface Assessed {
  snapshot: Snapshot;
  assessments: Map<number, Assessment>;
  ids(pid: number): string[];
  severity(pid: number): string;
}

/** `busy` processes get `cpuPercent` CPU between the two samples (1 s apart). */
export function assessTree(tree: ProcTree, busy: { proc: FakeProc; cpuPercent: number }[] = []): Assessed {
  let now = 1_700_000_500_000;
  const reader = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, now: () => now });
  reader.sample();
  for (const b of busy) tree.setCpu(b.proc, (b.proc.utime ?? 0) + Math.round((b.cpuPercent / 100) * reader.clockTicks));
  now += 1000;
  const snapshot = reader.sample();
  const assessments = new Detector(hostKnowledge(tree.root)).assess(snapshot);
  return {
    snapshot,
    assessments,
    ids: (pid) => (assessments.get(pid)?.findings ?? []).map((f) => f.id).sort(),
    severity: (pid) => assessments.get(pid)?.severity ?? 'none',
  };
}
