// Whether detection could look at all of a process. A process whose executable could not be read
// (not root, or refused even to root), which vanished while it was read, or whose owner is unknown
// was judged on part of the evidence: its rules could not all run, and the views say so rather than
// let it look exactly like a clean one.
import type { ProcessInfo } from '../model';

/** Why the rules could not all run on `p`, in a few words; null when they could. */
export function uncheckedReason(p: ProcessInfo, asRoot: boolean): string | null {
  if (p.kernelThread) return null;
  if (p.state === 'Z') return 'exited (zombie): nothing left to read';
  if (p.exeError === 'EACCES') return asRoot ? 'its executable is unreadable even to root' : 'its executable is unreadable (not root)';
  if (p.exeError === 'ENOENT') return 'it vanished while it was read';
  if (p.exeError === 'EOTHER') return 'its executable could not be read';
  if (p.uid === null) return 'its owner is unknown (status unreadable)';
  return null;
}

/** How many processes of the snapshot were not fully checked. */
export function countUnchecked(processes: ReadonlyMap<number, ProcessInfo>, asRoot: boolean): number {
  let n = 0;
  processes.forEach((p) => { if (uncheckedReason(p, asRoot) !== null) n++; });
  return n;
}
