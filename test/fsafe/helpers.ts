// Fixture trees for the safe opener: a temporary directory (root-owned, 0755 on the way) and helpers
// to hand parts of it to an unprivileged user, as a hostile local user's files would be.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const isRoot = process.geteuid?.() === 0;
/** The nobody user: an ordinary, unprivileged uid for hostile fixtures. */
export const NOBODY = 65534;

export function tempTree(prefix = 'mw-fsafe-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Write a file (and its parent directories, 0755) under `root`. */
export function put(root: string, rel: string, text: string, mode = 0o644): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
  fs.writeFileSync(p, text, { mode });
  fs.chmodSync(p, mode);
  return p;
}

export function chownR(p: string, uid: number, gid = uid): void {
  fs.lchownSync(p, uid, gid);
  const st = fs.lstatSync(p);
  if (st.isDirectory()) for (const e of fs.readdirSync(p)) chownR(path.join(p, e), uid, gid);
}
