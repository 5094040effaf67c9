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

export function parsePasswd(text: string): Map<number, Account> {
  const byUid = new Map<number, Account>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    if (!Number.isInteger(uid) || byUid.has(uid)) continue;
    byUid.set(uid, { name: f[0], uid, gid: Number(f[3]), home: f[5], shell: f[6] });
  }
  return byUid;
}

export function readAccounts(root: string): Map<number, Account> {
  const text = readText(join(root, 'etc/passwd'), 4 * 1024 * 1024);
  return text === null ? new Map() : parsePasswd(text);
}

export function userName(accounts: Map<number, Account>, uid: number): string {
  return accounts.get(uid)?.name ?? String(uid);
}
