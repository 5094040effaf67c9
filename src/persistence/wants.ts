// The *.wants/ symlinks that enable one systemd unit (what `systemctl enable` creates), found by the
// unit's full path and scope: a system unit's links in the system configuration directories, a user
// unit's links next to it in that user's ~/.config/systemd/user. A link counts only when it is named
// after the unit AND points to that very unit file, so disabling a user unit never touches a system
// unit of the same name. Read through the safe opener; nothing here writes.
import path from 'node:path';
import { entryInfo, linkTargetPath, listDir, type SafeTree } from '../fsafe/index';

const SYSTEM_UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system', '/usr/local/lib/systemd/system'];
const SYSTEM_WANTS_DIRS = ['/etc/systemd/system', '/run/systemd/system'];
const GLOBAL_USER_UNIT_DIRS = ['/etc/systemd/user', '/lib/systemd/user', '/usr/lib/systemd/user', '/usr/local/lib/systemd/user'];
const GLOBAL_USER_WANTS_DIRS = ['/etc/systemd/user'];
const PER_USER = /^(\/.+\/\.config\/systemd\/user)\/[^/]+$/;

export interface WantsLink {
  /** Host path of the link. */
  path: string;
  /** Its text, as read (compared again right before removal). */
  target: string;
  /** The user whose directory holds it (per-user units), for the safe opener's walk. */
  owners: number[];
}

/** /usr/lib and /lib are one directory on merged-/usr systems; links name either. */
function canon(p: string): string {
  return p.replace(/^\/usr\/lib\//, '/lib/');
}

export function wantsLinks(tree: SafeTree, unitPath: string): WantsLink[] {
  const unit = path.posix.normalize(unitPath);
  const name = path.posix.basename(unit);
  const dir = path.posix.dirname(unit);
  let wantsDirs: string[];
  let owners: number[] = [];
  if (SYSTEM_UNIT_DIRS.includes(dir)) wantsDirs = SYSTEM_WANTS_DIRS;
  else if (GLOBAL_USER_UNIT_DIRS.includes(dir)) wantsDirs = GLOBAL_USER_WANTS_DIRS;
  else {
    const m = PER_USER.exec(unit);
    if (!m) return [];
    wantsDirs = [m[1]];
    // The owner of the home the unit sits in (…/<home>/.config/systemd/user).
    const home = path.posix.dirname(path.posix.dirname(path.posix.dirname(m[1])));
    const info = entryInfo(tree, home);
    if (!info.ok || !info.stat.isDirectory()) return [];
    owners = [info.stat.uid];
  }
  const out: WantsLink[] = [];
  for (const d of wantsDirs) {
    const list = listDir(tree, d, { owners });
    if (!list.ok) continue;
    for (const w of list.entries) {
      if (w.type !== 'dir' || !w.name.endsWith('.wants')) continue;
      const linkPath = path.posix.join(d, w.name, name);
      const info = entryInfo(tree, linkPath, { owners });
      if (!info.ok || info.target === null) continue;
      if (canon(linkTargetPath(linkPath, info.target)) !== canon(unit)) continue;
      out.push({ path: linkPath, target: info.target, owners });
    }
  }
  return out;
}
