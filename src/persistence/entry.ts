// Building entries: one place that caps raw strings, adds the "recently changed" finding and scores.
import { severityForScore, type Finding } from '../model';
import { isRecent, type Ctx } from './fsread';
import { finding, scoreOf } from './rules';
import type { FileMeta, PersistenceEntry, PersistenceKind } from './types';

export const MAX_RAW = 4096;

const CRON_KINDS = new Set<PersistenceKind>(['user-crontab', 'system-crontab', 'cron-script', 'anacrontab', 'at-job']);

export function cap(s: string): string {
  return s.length > MAX_RAW ? s.slice(0, MAX_RAW) + '…[cut]' : s;
}

export interface EntryInput {
  kind: PersistenceKind;
  path: string;
  line: number | null;
  runsAs: string | null;
  schedule: string | null;
  command: string | null;
  raw: string;
  file: FileMeta | null;
}

function ago(ms: number): string {
  const h = Math.max(0, Math.round(ms / 3_600_000));
  return h < 48 ? `${h} hour${h === 1 ? '' : 's'} ago` : `${Math.round(h / 24)} days ago`;
}

/** Dedupe findings by id (first wins), add C12/P9 for a recent file, score. */
export function makeEntry(ctx: Ctx, input: EntryInput, findings: Finding[], references: string[]): PersistenceEntry {
  const seen = new Set<string>();
  const list = findings.filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)));
  const recentlyChanged = isRecent(ctx, input.file);
  if (recentlyChanged && input.file) {
    const when = new Date(input.file!.mtime).toISOString();
    const text = `the file was modified ${ago(ctx.now - input.file!.mtime)} (${when})`;
    list.push(CRON_KINDS.has(input.kind)
      ? finding('C12', `${text}, inside the last ${Math.round(ctx.recentMs / 86_400_000)} days`, { mtime: input.file!.mtime })
      : finding('P9', text, { mtime: input.file!.mtime }));
  }
  const score = scoreOf(list);
  return {
    id: input.line === null ? input.path : `${input.path}:${input.line}`,
    kind: input.kind,
    path: input.path,
    line: input.line,
    runsAs: input.runsAs,
    schedule: input.schedule === null ? null : cap(input.schedule),
    command: input.command === null ? null : cap(input.command),
    raw: cap(input.raw),
    file: input.file,
    recentlyChanged,
    score,
    severity: severityForScore(score),
    findings: list,
    references: [...new Set(references)].slice(0, 64),
  };
}
