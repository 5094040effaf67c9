// A hostile local user for the security tests: fixture files owned by uid 65534 (nobody), and
// processes running as that user (a rename-swap "flipper") that the test started and stops by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

export const isRoot = process.geteuid?.() === 0;
export const NOBODY = 65534;
/** A line only the secret file holds: it must never reach any output. */
export const SECRET = 'root:$6$MINEWATCH-TEST-SECRET-HASH$abcdefgh:19000:0:99999:7:::';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null && c.pid) {
      try { process.kill(c.pid, 'SIGKILL'); } catch { /* already gone */ }
      await new Promise((r) => c.once('exit', r));
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary directory, 0755 and root's, removed after the test. */
export function tempDir(prefix = 'mw-sec-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(d, 0o755);
  dirs.push(d);
  return d;
}

/** A root-only file holding SECRET, like /etc/shadow. */
export function secretFile(dir: string): string {
  const p = path.join(dir, 'shadow');
  fs.writeFileSync(p, `${SECRET}\nbin:*:19000:0:99999:7:::\n`, { mode: 0o600 });
  return p;
}

export function write(root: string, rel: string, text: string, mode = 0o644): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
  fs.writeFileSync(p, text, { mode });
  fs.chmodSync(p, mode);
  return p;
}

export function chownTree(p: string, uid = NOBODY): void {
  fs.lchownSync(p, uid, uid);
  if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid);
}

/**
 * Run `body` (JavaScript; `fs` and `path` in scope) in a loop as uid 65534 until the test ends. Resolves
 * once the loop has started its first round, so the operation under test runs during the swaps.
 */
export async function flipper(cwd: string, body: string): Promise<ChildProcess> {
  const code = `const fs = require('node:fs'); const path = require('node:path');
    let first = true;
    for (;;) { try { ${body} } catch (e) {} if (first) { first = false; process.stdout.write('go\\n'); } }`;
  const c = spawn(process.execPath, ['-e', code], { cwd, uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(c);
  await new Promise<void>((resolve, reject) => {
    c.stdout!.once('data', () => resolve());
    c.once('exit', (code) => reject(new Error(`flipper exited early (${code})`)));
  });
  return c;
}

export function track(c: ChildProcess): ChildProcess {
  children.push(c);
  return c;
}
