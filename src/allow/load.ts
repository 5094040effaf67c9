// Reading the allow file (/etc/minewatch/allow under the root) through the safe opener. It is honoured
// only when root owns it and nobody else can write it: anyone who could edit it could hide a miner.
import { describeRefusal, readFile, SafeTree } from '../fsafe/index';
import { ALLOW_FILE, parseAllowList, type AllowEntry } from './list';

export interface LoadedAllowList {
  entries: AllowEntry[];
  /** Why the file (or some of its lines) was not used, in words. */
  warnings: string[];
}

export function loadAllowFile(root: string, file: string = ALLOW_FILE): LoadedAllowList {
  const tree = new SafeTree(root);
  try {
    const r = readFile(tree, file, { maxBytes: 1024 * 1024 });
    if (!r.ok) return { entries: [], warnings: r.reason === 'missing' ? [] : [`allow-list not used: ${describeRefusal(r)}`] };
    if (r.stat.uid !== 0) return { entries: [], warnings: [`allow-list not used: ${file} is owned by uid ${r.stat.uid}, not root`] };
    if ((r.stat.mode & 0o022) !== 0) return { entries: [], warnings: [`allow-list not used: ${file} is writable by group or others (mode ${(r.stat.mode & 0o777).toString(8)})`] };
    const parsed = parseAllowList(r.data.toString('utf8'), file);
    return { entries: parsed.entries, warnings: parsed.problems };
  } finally {
    tree.close();
  }
}
