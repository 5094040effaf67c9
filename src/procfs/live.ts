// Whether a --proc directory is the live /proc of this PID namespace. Only then do its PIDs name
// processes minewatch can signal: a fixture tree or another namespace's proc is read-only.
import fs from 'node:fs';
import path from 'node:path';

const PROC_SUPER_MAGIC = 0x9fa0;

export function isLiveProc(procRoot: string): boolean {
  try {
    if (Number(fs.statfsSync(procRoot).type) !== PROC_SUPER_MAGIC) return false;
    // /proc/self names the reader itself only in a proc of the reader's own PID namespace.
    return fs.readlinkSync(path.join(procRoot, 'self')) === String(process.pid);
  } catch {
    return false;
  }
}
