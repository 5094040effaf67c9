// Accounts from <root>/etc/passwd (never from NSS or a child process: the scan spawns nothing).
import { join } from 'node:path';
import { readText } from './files';

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Every well-formed line of a passwd file, in order; comments and junk lines are skipped. */
export function parsePasswdLines(text: string): Account[] {
  const out: Account[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7 || !f[0] || f[2] === '' || f[3] === '') continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0], uid, gid, home: f[5], shell: f.slice(6).join(':').trim() });
  }
  return out;
}

/** By uid; the first line wins, as with getpwuid(). */
export function parsePasswd(text: string): Map<number, Account> {
  const byUid = new Map<number, Account>();
  for (const a of parsePasswdLines(text)) if (!byUid.has(a.uid)) byUid.set(a.uid, a);
  return byUid;
}

export function readAccounts(root: string): Map<number, Account> {
  const text = readText(join(root, 'etc/passwd'), 4 * 1024 * 1024);
  return text === null ? new Map() : parsePasswd(text);
}

/** Whether two account tables say the same for every uid (a re-read of an unchanged passwd). */
export function sameAccounts(a: ReadonlyMap<number, Account>, b: ReadonlyMap<number, Account>): boolean {
  if (a.size !== b.size) return false;
  for (const [uid, x] of a) {
    const y = b.get(uid);
    if (!y || y.name !== x.name || y.gid !== x.gid || y.home !== x.home || y.shell !== x.shell) return false;
  }
  return true;
}

/** The account name of a uid, the number when it has none, "?" when the uid itself is unknown. */
export function userName(accounts: Map<number, Account>, uid: number | null): string {
  if (uid === null) return '?';
  return accounts.get(uid)?.name ?? String(uid);
}
