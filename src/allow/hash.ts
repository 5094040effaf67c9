// The hash the allow-list compares: SHA-256 of the image a process runs, read through /proc/PID/exe
// (the kernel's link to the executed inode, so a deleted or replaced file still hashes as what runs).
import { hashFile } from '../inspect/executable';
import { openExe } from '../procfs/pid';
import type { ExeHasher } from './known';

export function procExeHasher(procRoot: string): ExeHasher {
  return async (p) => {
    if (p.kernelThread || p.exe === null) return null;
    return (await hashFile(openExe(procRoot, p.pid), { stringsLimit: 0 })).sha256;
  };
}
