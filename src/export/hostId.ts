// The host's stable identity for ECS host.id: systemd's /etc/machine-id (32 hex digits), under --root.
import { join } from 'node:path';
import { readText } from '../procfs/files';

export function readMachineId(root: string): string | null {
  const id = (readText(join(root, 'etc/machine-id'), 128) ?? '').trim().toLowerCase();
  return /^[0-9a-f]{32}$/.test(id) ? id : null;
}
