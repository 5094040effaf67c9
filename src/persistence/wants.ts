// The *.wants/ symlinks that enable a systemd unit (what `systemctl enable` creates), under a root.
import { readdirSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

const UNIT_DIRS = ['etc/systemd/system', 'etc/systemd/user', 'run/systemd/system'];

export function wantsLinks(root: string, unitPath: string): string[] {
  const unit = basename(unitPath);
  const out: string[] = [];
  const dirs = [...UNIT_DIRS];
  // per-user units: ~/.config/systemd/user/*.wants next to the unit itself
  const m = /^(.*\/\.config\/systemd\/user)\//.exec(unitPath);
  if (m) dirs.push(m[1].replace(/^\//, ''));
  for (const d of dirs) {
    let entries: string[];
    try { entries = readdirSync(join(root, d)); } catch { continue; }
    for (const w of entries.filter((e) => e.endsWith('.wants'))) {
      const link = join(root, d, w, unit);
      try { readlinkSync(link); out.push(link); } catch { /* not there */ }
    }
  }
  return out;
}
