// What the dashboard checks before it takes the screen: a --proc that lists processes, a --root that is
// a directory, and (unless read-only) an evidence directory minewatch can keep evidence in. A broken
// set-up is refused at once with a clear message and exit status 2, as `scan` does, instead of a screen
// that spins on "reading /proc…" or a kill that fails at the last step.
import fs from 'node:fs';
import path from 'node:path';
import { describeRefusal, isRefusal, privateDir } from '../fsafe/index';
import { hasPid } from '../procfs/pid';

export interface SetupChoice {
  procRoot: string;
  root: string;
  evidenceDir: string;
  readonly: boolean;
}

function isDir(p: string): boolean {
  try { return fs.statSync(p).isDirectory(); } catch { return false; }
}

/** The nearest directory at or above `p` that exists. */
function existingAncestor(p: string): string {
  let cur = path.resolve(p);
  while (!isDir(cur)) {
    const up = path.dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
  return cur;
}

/** Why the dashboard cannot start with these paths, or null when it can. */
export function setupProblem(c: SetupChoice): string | null {
  let listed: boolean;
  try {
    listed = hasPid(c.procRoot);
  } catch (err) {
    return `cannot list ${c.procRoot} (--proc): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  if (!listed) return `${c.procRoot} (--proc) lists no process: is it a proc file system?`;
  if (!isDir(c.root)) return `${c.root} (--root) is not a directory`;
  if (c.readonly) return null; // nothing will be written
  if (isDir(c.evidenceDir)) {
    const dir = privateDir(path.resolve(c.evidenceDir));
    if (isRefusal(dir)) return `the evidence directory ${c.evidenceDir} cannot be used: ${describeRefusal(dir)} (choose another with --evidence-dir, or run --readonly)`;
    dir.close();
    return null;
  }
  // not there yet: it is created at the first action, under its nearest existing parent
  const parent = existingAncestor(c.evidenceDir);
  try {
    fs.accessSync(parent, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    return `the evidence directory ${c.evidenceDir} cannot be created: ${parent} is not writable (choose another with --evidence-dir, or run --readonly)`;
  }
  return null;
}
