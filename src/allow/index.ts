// The allow-list and self-recognition, ready for the poller and `scan`.
import { realpathSync } from 'node:fs';
import { procExeHasher } from './hash';
import { KnownGood, type SelfIdentity } from './known';
import type { AllowEntry } from './list';

export { KnownGood, REPLACED_ID, REPLACED_WEIGHT, REPLACED_TITLE, REPLACED_DESCRIBES } from './known';
export type { KnownGoodMark, KnownGoodResult, SelfIdentity } from './known';
export { ALLOW_FILE, formatAllowLine, parseAllowList } from './list';
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

export function createKnownGood(opts: { procRoot: string; entries?: AllowEntry[]; self?: SelfIdentity | null }): KnownGood {
  return new KnownGood({ entries: opts.entries ?? [], self: opts.self === undefined ? selfIdentity() : opts.self, hash: procExeHasher(opts.procRoot) });
}
