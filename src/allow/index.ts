// The allow-list and self-recognition, ready for the poller and `scan`.
import { realpathSync } from 'node:fs';
import { procExeHasher } from './hash';
import { loadAllowFile } from './load';
import { KnownGood, type SelfIdentity } from './known';
import type { AllowEntry } from './list';

export { KnownGood, REPLACED_ID, REPLACED_WEIGHT, REPLACED_TITLE, REPLACED_DESCRIBES } from './known';
export type { KnownGoodMark, KnownGoodResult, SelfIdentity } from './known';
export { ALLOW_FILE, formatAllowLine, parseAllowList } from './list';
export { loadAllowFile } from './load';
export type { AllowEntry, ParsedAllowList } from './list';

/** This minewatch: its PID and the executable it runs (node, or the packaged binary). */
export function selfIdentity(): SelfIdentity {
  let exe: string | null = null;
  try {
    exe = realpathSync(process.execPath);
  } catch {
    exe = process.execPath;
  }
  return { pid: process.pid, exe };
}

/**
 * Known-good processes for a run: minewatch itself, and the allow file under `root` (when `entries` is
 * not given). Warnings say why the allow file, or some of its lines, were not used.
 */
export function createKnownGood(opts: { procRoot: string; root?: string; entries?: AllowEntry[]; self?: SelfIdentity | null }): { knownGood: KnownGood; warnings: string[] } {
  const loaded = opts.entries ? { entries: opts.entries, warnings: [] } : loadAllowFile(opts.root ?? '/');
  const knownGood = new KnownGood({ entries: loaded.entries, self: opts.self === undefined ? selfIdentity() : opts.self, hash: procExeHasher(opts.procRoot) });
  return { knownGood, warnings: loaded.warnings };
}
