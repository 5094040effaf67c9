// Children a test file spawns, killed after each test by the PID spawn returned (and nothing else),
// and temporary directories removed. Call useOwnChildren() once at the top of a test file.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach } from 'vitest';

export function useOwnChildren(): { children: ChildProcess[]; dirs: string[] } {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) {
      if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        try { process.kill(c.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
    }
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return { children, dirs };
}
