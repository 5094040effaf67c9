// The distribution's name from <root>/etc/os-release (or usr/lib/os-release). Read directly:
// systeminformation.osInfo() would run `cat /etc/*-release` and more through a shell.
import { join } from 'node:path';
import { readText } from '../procfs/files';

export function readOsRelease(root: string): string | null {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    const text = readText(join(root, path), 64 * 1024);
    if (!text) continue;
    const m = /^PRETTY_NAME=(.*)$/m.exec(text);
    if (m) return m[1].trim().replace(/^["']|["']$/g, '');
  }
  return null;
}
