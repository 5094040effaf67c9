// Issue 9, items 1 and 8 (and the silent FIFOs of 11): an ordinary user points the files root reads at
// /etc/shadow, by symlink, hard link, or by swapping names while minewatch reads. No line of the secret
// may reach any output; what was refused is said instead.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SafeTree, readFile } from '../../src/fsafe/index';
import { readHistory } from '../../src/inspect/history';
import { collectPersistence, formatPersistence } from '../../src/persistence/index';
import { runCli } from '../helpers/cli';
import { NOBODY, SECRET, chownTree, flipper, isRoot, secretFile, tempDir, write } from './helpers';

const PASSWD = `root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nabc:x:${NOBODY}:${NOBODY}:abc:/home/abc:/bin/bash\n`;

/** A host tree where abc (uid 65534) owns its home, with an authorized_keys planted as a link. */
function hostileRoot(link: (home: string) => void): { root: string; secret: string } {
  const base = tempDir();
  const secret = secretFile(base);
  const root = path.join(base, 'root');
  write(root, 'etc/passwd', PASSWD);
  write(root, 'etc/shadow', `${SECRET}\n`, 0o600);
  write(root, 'home/abc/.bashrc', 'alias ll="ls -l"\n');
  fs.mkdirSync(path.join(root, 'home/abc/.ssh'), { recursive: true });
  link(path.join(root, 'home/abc'));
  chownTree(path.join(root, 'home/abc'));
  return { root, secret };
}

describe.skipIf(!isRoot)('a user links ~/.ssh/authorized_keys to a secret (issue 9.1)', { timeout: 60_000 }, () => {
  it('scan (text and --json) and the persistence view never show a line of it, and say what the file is', async () => {
    const { root, secret } = hostileRoot((home) => {
      fs.symlinkSync('/etc/shadow', path.join(home, '.ssh/authorized_keys')); // inside the tree
    });
    fs.symlinkSync(secret, path.join(root, 'home/abc/.ssh/authorized_keys2')); // outside the tree
    fs.lchownSync(path.join(root, 'home/abc/.ssh/authorized_keys2'), NOBODY, NOBODY);

    const report = collectPersistence({ root });
    const view = formatPersistence(report).join('\n');
    expect(JSON.stringify(report)).not.toContain('MINEWATCH-TEST-SECRET');
    expect(view).not.toContain('MINEWATCH-TEST-SECRET');
    expect(report.warnings.join('\n')).toMatch(/\/home\/abc\/\.ssh\/authorized_keys is a symlink to \/etc\/shadow \(not followed/);
    expect(report.warnings.join('\n')).toContain(`/home/abc/.ssh/authorized_keys2 is a symlink to ${secret}`);

    for (const args of [['scan', '--root', root, '--all', '--sample', '0'], ['scan', '--root', root, '--all', '--json', '--sample', '0']]) {
      const r = await runCli(args);
      expect(r.stdout + r.stderr).not.toContain('MINEWATCH-TEST-SECRET');
      expect(r.stdout).toContain('authorized_keys is a symlink to /etc/shadow');
    }
  });

  it('a hard link to a root-only file in the home is refused too', () => {
    const { root } = hostileRoot(() => {});
    fs.linkSync(path.join(root, 'etc/shadow'), path.join(root, 'home/abc/.ssh/authorized_keys'));
    const report = collectPersistence({ root });
    expect(JSON.stringify(report)).not.toContain('MINEWATCH-TEST-SECRET');
    expect(report.warnings.join('\n')).toMatch(/authorized_keys.*with 2 names/);
  });

  it('cron FIFOs and device-like entries are refused at once and said, not skipped silently', () => {
    const { root } = hostileRoot(() => {});
    fs.mkdirSync(path.join(root, 'var/spool/cron/crontabs'), { recursive: true });
    execFileSync('mkfifo', [path.join(root, 'var/spool/cron/crontabs/abc')]);
    const started = Date.now();
    const report = collectPersistence({ root });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.locations).toContainEqual({ path: '/var/spool/cron/crontabs/abc', status: 'unreadable', reason: 'a named pipe (FIFO), not a regular file' });
    expect(report.warnings.join('\n')).toContain('/var/spool/cron/crontabs/abc is a named pipe');
  });
});

describe.skipIf(!isRoot)('names swapped while minewatch reads (issue 9.8)', { timeout: 60_000 }, () => {
  it('~/.bash_history flipped between a file and a link to the secret: never a secret line', async () => {
    const base = tempDir();
    const secret = secretFile(base);
    const root = path.join(base, 'root');
    write(root, 'etc/passwd', PASSWD);
    const home = path.join(root, 'home/abc');
    write(home, '.bash_history', 'ls -la\n');
    chownTree(home);
    // As abc: the name alternates between a symlink to the secret and a regular file, atomically.
    await flipper(home, `const hold = () => { const t = Date.now(); while (Date.now() - t < 3) {} };
      fs.symlinkSync(${JSON.stringify(secret)}, 'l'); fs.renameSync('l', '.bash_history'); hold();
      fs.writeFileSync('f', 'ls -la\\n'); fs.renameSync('f', '.bash_history'); hold();`);
    let read = 0;
    let refused = 0;
    const until = Date.now() + 10_000;
    for (let i = 0; i < 200_000 && Date.now() < until && (read < 20 || refused < 20); i++) {
      if (i % 200 === 199) await new Promise((res) => setTimeout(res, 1)); // let the flipper run on a busy machine
      try {
        const h = readHistory(root, '/home/abc');
        expect(h.lines.join('\n')).not.toContain('MINEWATCH-TEST-SECRET');
        expect(h.lines).toEqual(['ls -la']);
        read++;
      } catch (err) {
        expect(String((err as Error).message)).not.toContain('MINEWATCH-TEST-SECRET');
        refused++;
      }
    }
    // The race was really run: both states were met.
    expect(read).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('~/.ssh swapped for a link to a root directory during reads: the root file is never read', async () => {
    const base = tempDir();
    const root = path.join(base, 'root');
    write(root, 'etc/passwd', PASSWD);
    write(root, 'root/.ssh/authorized_keys', `${SECRET}\n`, 0o600);
    fs.chmodSync(path.join(root, 'root'), 0o700);
    const home = path.join(root, 'home/abc');
    write(home, '.ssh/authorized_keys', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl abc@laptop\n');
    write(home, 'real/.keep', '');
    chownTree(home);
    fs.renameSync(path.join(home, '.ssh/authorized_keys'), path.join(home, 'real/authorized_keys'));
    fs.rmdirSync(path.join(home, '.ssh'));
    // As abc: ~/.ssh is the real directory for a moment, then a link to /root/.ssh, again and again.
    await flipper(home, `const hold = () => { const t = Date.now(); while (Date.now() - t < 2) {} };
      try { fs.unlinkSync('.ssh'); } catch {}
      fs.renameSync('real', '.ssh'); hold(); hold(); hold();
      fs.renameSync('.ssh', 'real'); fs.symlinkSync('/root/.ssh', '.ssh'); hold();`);
    const tree = new SafeTree(root);
    let ok = 0;
    let links = 0;
    const until = Date.now() + 10_000;
    try {
      // Until both states were met a few times (a loaded machine may need a while), at most 10 s.
      for (let i = 0; i < 200_000 && Date.now() < until && (ok < 20 || links < 20); i++) {
        const r = readFile(tree, '/home/abc/.ssh/authorized_keys', { owners: [NOBODY] });
        if (r.ok) {
          expect(r.data.toString()).not.toContain('MINEWATCH-TEST-SECRET');
          ok++;
        } else {
          expect(['symlink', 'missing', 'not-dir', 'changed']).toContain(r.reason);
          if (r.reason === 'symlink') links++;
        }
        if (i % 200 === 199) await new Promise((res) => setTimeout(res, 1)); // let the flipper run on a busy machine
      }
    } finally {
      tree.close();
    }
    expect(ok).toBeGreaterThan(0);
    expect(links).toBeGreaterThan(0);
  });
});
