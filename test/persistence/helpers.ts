// Test helpers: copy a fixture tree to a temp dir, where owners, modes and mtimes can be set
// (git keeps none of them).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/persistence');
export const NOW = Date.parse('2025-03-05T12:00:00Z');
export const OLD = Date.parse('2024-06-01T00:00:00Z');
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

const temps: string[] = [];

/** Set every file's, dir's and link's mtime to `when` (ms). */
export function ageTree(root: string, when = OLD): void {
  const t = when / 1000;
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    fs.lutimesSync(p, t, t);
  };
  walk(root);
}

/** A private copy of fixture `name`, all mtimes old, spool crontabs owned by their accounts (when root). */
export function fixtureCopy(name: 'debian' | 'rhel'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mw-persist-${name}-`));
  temps.push(dir);
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true, verbatimSymlinks: true });
  const passwd = fs.readFileSync(path.join(dir, 'etc/passwd'), 'utf8');
  const uids = new Map(passwd.trim().split('\n').map((l) => l.split(':')).map((f) => [f[0], Number(f[2])] as const));
  if (IS_ROOT) {
    for (const spool of ['var/spool/cron/crontabs', 'var/spool/cron']) {
      const d = path.join(dir, spool);
      if (!fs.existsSync(d)) continue;
      for (const n of fs.readdirSync(d)) {
        const p = path.join(d, n);
        if (!fs.lstatSync(p).isFile()) continue;
        fs.chownSync(p, uids.get(n) ?? 4242, 0);
        fs.chmodSync(p, 0o600);
      }
    }
  }
  ageTree(dir);
  return dir;
}

export function tempRoot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mw-persist-'));
  temps.push(dir);
  return dir;
}

export function write(root: string, rel: string, content: string | Buffer, mode = 0o644): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content, { mode });
  return p;
}

export function cleanup(): void {
  while (temps.length > 0) fs.rmSync(temps.pop()!, { recursive: true, force: true });
}

/** Run an assertion that needs root (chown); when not root, say so visibly instead of passing silently. */
export function asRoot(what: string, fn: () => void): void {
  if (!IS_ROOT) { console.warn(`NOT CHECKED (needs root to chown files): ${what}`); return; }
  fn();
}
