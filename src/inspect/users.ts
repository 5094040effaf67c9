// Users and groups from <root>/etc/passwd and <root>/etc/group, and whether a user can sudo
// (the `id`, `groups` and `sudo -l` of a responder, without running anything).

import path from 'node:path';
import { parsePasswdLines } from '../procfs/users';
import { listDir, SafeTree } from '../fsafe/index';
import { errCode, MiB, reasonFor, readUserText } from './util';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface UserDb {
  byUid: Map<number, PasswdEntry>;
  groupsByGid: Map<number, GroupEntry>;
  groups: GroupEntry[];
}

const DB_CAP = 4 * MiB;

/** The one passwd parser of the project (src/procfs/users.ts). */
export const parsePasswd: (text: string) => PasswdEntry[] = parsePasswdLines;

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || f[2] === '') continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    out.push({ name: f[0]!, gid, members: f[3]!.split(',').map((s) => s.trim()).filter(Boolean) });
  }
  return out;
}

export function loadUserDb(root: string): UserDb {
  const byUid = new Map<number, PasswdEntry>();
  const groupsByGid = new Map<number, GroupEntry>();
  let groups: GroupEntry[] = [];
  try {
    // First entry wins, like getpwuid.
    for (const e of parsePasswd(readUserText(root, '/etc/passwd', DB_CAP))) {
      if (!byUid.has(e.uid)) byUid.set(e.uid, e);
    }
  } catch {
    /* no passwd: users stay numeric */
  }
  try {
    groups = parseGroup(readUserText(root, '/etc/group', DB_CAP));
    for (const g of groups) if (!groupsByGid.has(g.gid)) groupsByGid.set(g.gid, g);
  } catch {
    /* no group file */
  }
  return { byUid, groupsByGid, groups };
}

export function userName(db: UserDb, uid: number): string {
  return db.byUid.get(uid)?.name ?? String(uid);
}

export function groupName(db: UserDb, gid: number): string {
  return db.groupsByGid.get(gid)?.name ?? String(gid);
}

/** Groups the host's group file gives the user (primary + member lists), by name. */
export function userGroupNames(db: UserDb, user: string, primaryGid: number | null): string[] {
  const names = new Set<string>();
  if (primaryGid !== null) names.add(groupName(db, primaryGid));
  for (const g of db.groups) if (g.members.includes(user)) names.add(g.name);
  return [...names];
}

export const SUDO_GROUPS = ['sudo', 'wheel', 'admin'];

const SUDOERS_CAP = 1 * MiB;
const SUDOERS_D_MAX_FILES = 200;

/** Logical sudoers lines: comments dropped, backslash continuations joined. */
function sudoersLines(text: string): string[] {
  const out: string[] = [];
  let acc = '';
  for (const raw of text.split('\n')) {
    let line = raw;
    // "#include" / "#includedir" are directives, other '#' lines are comments.
    if (/^\s*#(?!include)/.test(line)) line = '';
    if (line.endsWith('\\')) {
      acc += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (acc + line).trim();
    acc = '';
    if (full) out.push(full);
  }
  return out;
}

/**
 * Whether `user` can use sudo: uid 0, membership in sudo/wheel/admin, or a sudoers rule naming the
 * user or one of its groups (%group). Reads <root>/etc/sudoers and <root>/etc/sudoers.d/* (root only
 * on a real host); says "unknown" rather than "no" when those are unreadable.
 */
export function canSudo(
  root: string,
  user: string,
  uid: number,
  groupNames: readonly string[],
): { value: boolean | null; why: string } {
  if (uid === 0) return { value: true, why: 'is root (uid 0)' };
  const sudoGroup = groupNames.find((g) => SUDO_GROUPS.includes(g));
  if (sudoGroup) return { value: true, why: `member of group ${sudoGroup}` };

  let mainText: string;
  try {
    mainText = readUserText(root, '/etc/sudoers', SUDOERS_CAP);
  } catch (err) {
    // absent: sudo is not set up on this host, which is an answer, not an unknown
    if (errCode(err) === 'ENOENT') return { value: false, why: 'no sudoers file (/etc/sudoers does not exist) and not in sudo/wheel/admin' };
    return { value: null, why: `unknown (cannot read /etc/sudoers: ${reasonFor(err)})` };
  }
  const texts: { file: string; text: string }[] = [{ file: '/etc/sudoers', text: mainText }];
  const tree = new SafeTree(root);
  const listed = listDir(tree, '/etc/sudoers.d', { maxEntries: SUDOERS_D_MAX_FILES });
  tree.close();
  if (listed.ok) {
    for (const { name: n } of listed.entries) {
      // sudo skips names that end in '~' or contain '.'.
      if (n.endsWith('~') || n.includes('.')) continue;
      try {
        texts.push({ file: `/etc/sudoers.d/${n}`, text: readUserText(root, `/etc/sudoers.d/${n}`, SUDOERS_CAP) });
      } catch {
        return { value: null, why: `unknown (cannot read /etc/sudoers.d/${n})` };
      }
    }
  }

  const principals = new Set<string>([user, ...groupNames.map((g) => '%' + g)]);
  for (const { file, text } of texts) {
    for (const line of sudoersLines(text)) {
      if (/^(Defaults|#include|@include|Cmnd_Alias|Host_Alias|Runas_Alias)\b/.test(line)) continue;
      if (/^User_Alias\b/.test(line)) continue;
      const who = line.split(/\s+/)[0]!;
      // "alice,bob ALL=..." lists several principals.
      const names = who.split(',').map((s) => s.trim());
      const hit = names.find((n) => principals.has(n) || n === 'ALL');
      if (hit) return { value: true, why: `${file}: ${line.length > 160 ? line.slice(0, 159) + '…' : line}` };
    }
  }
  return { value: false, why: 'not in sudo/wheel/admin and no sudoers rule names the user or its groups' };
}
