import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafeTree, describeRefusal, entryInfo, listDir, readFile, type FileRead, type Refusal } from '../../src/fsafe/index';
import { NOBODY, chownR, isRoot, put, tempTree } from './helpers';

let t: { dir: string; cleanup: () => void };
let tree: SafeTree;
beforeEach(() => {
  t = tempTree();
  tree = new SafeTree(t.dir);
});
afterEach(() => {
  tree.close();
  t.cleanup();
});

function ok(r: FileRead | Refusal): FileRead {
  if (!r.ok) throw new Error(`refused: ${describeRefusal(r)}`);
  return r;
}
function refused(r: FileRead | Refusal | { ok: boolean }): Refusal {
  if (r.ok) throw new Error('expected a refusal');
  return r as Refusal;
}

describe('readFile', () => {
  it('reads a regular file inside the tree, with its fstat', () => {
    put(t.dir, 'etc/crontab', '* * * * * root true\n');
    const r = ok(readFile(tree, '/etc/crontab'));
    expect(r.data.toString()).toBe('* * * * * root true\n');
    expect(r.stat.isFile()).toBe(true);
    expect(r.truncated).toBe(false);
    expect(r.resolved).toBe('/etc/crontab');
  });

  it('refuses a symlink as the last component and names its target, never its content', () => {
    const secret = put(t.dir, 'secret', 'root:$6$hash:19000::::::\n', 0o600);
    put(t.dir, 'home/abc/.ssh/.keep', '');
    fs.symlinkSync(secret, path.join(t.dir, 'home/abc/.ssh/authorized_keys'));
    const r = refused(readFile(tree, '/home/abc/.ssh/authorized_keys'));
    expect(r.reason).toBe('symlink');
    expect(r.target).toBe(secret);
    expect(describeRefusal(r)).toContain(`is a symlink to ${secret}`);
    expect(JSON.stringify(r)).not.toContain('$6$hash');
  });

  it('refuses a FIFO at once instead of blocking', () => {
    fs.mkdirSync(path.join(t.dir, 'etc/cron.d'), { recursive: true });
    execFileSync('mkfifo', [path.join(t.dir, 'etc/cron.d/pipe')]);
    const started = Date.now();
    const r = refused(readFile(tree, '/etc/cron.d/pipe'));
    expect(r.reason).toBe('fifo');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a directory, and a missing file says missing', () => {
    fs.mkdirSync(path.join(t.dir, 'etc/cron.d'), { recursive: true });
    expect(refused(readFile(tree, '/etc/cron.d')).reason).toBe('directory');
    expect(refused(readFile(tree, '/etc/nothing')).reason).toBe('missing');
    expect(refused(readFile(tree, '/no/such/dir/file')).reason).toBe('missing');
  });

  it('bounds the read: refuse, head or tail', () => {
    put(t.dir, 'big', 'a'.repeat(100) + 'b'.repeat(100));
    expect(refused(readFile(tree, '/big', { maxBytes: 150 })).reason).toBe('too-big');
    const head = ok(readFile(tree, '/big', { maxBytes: 150, over: 'head' }));
    expect(head.data.toString()).toBe('a'.repeat(100) + 'b'.repeat(50));
    expect(head.truncated).toBe(true);
    const tail = ok(readFile(tree, '/big', { maxBytes: 150, over: 'tail' }));
    expect(tail.data.toString()).toBe('a'.repeat(50) + 'b'.repeat(100));
  });

  it('rejects relative paths and stays inside the tree with ..', () => {
    put(t.dir, 'etc/passwd', 'x');
    expect(refused(readFile(tree, 'etc/passwd')).reason).toBe('bad-path');
    expect(ok(readFile(tree, '/../../etc/passwd')).data.toString()).toBe('x');
  });

  it('follows a symlinked directory that only root can have made, resolved inside the tree', () => {
    put(t.dir, 'etc/crontabs/abc', 'line\n');
    fs.mkdirSync(path.join(t.dir, 'var/spool/cron'), { recursive: true });
    // Alpine: /var/spool/cron/crontabs -> /etc/crontabs (absolute: means the tree's /etc)
    fs.symlinkSync('/etc/crontabs', path.join(t.dir, 'var/spool/cron/crontabs'));
    const r = ok(readFile(tree, '/var/spool/cron/crontabs/abc'));
    expect(r.data.toString()).toBe('line\n');
    expect(r.resolved).toBe('/etc/crontabs/abc');
    // A relative link with '..' climbing above the root stops at the root.
    fs.symlinkSync('../../../../../../../../etc', path.join(t.dir, 'var/up'));
    put(t.dir, 'etc/hostname', 'fixture\n');
    expect(ok(readFile(tree, '/var/up/hostname')).data.toString()).toBe('fixture\n');
  });

  it('follows a final symlink only when asked and only in a root-controlled directory', () => {
    put(t.dir, 'lib/systemd/system/x.service', '[Service]\n');
    fs.mkdirSync(path.join(t.dir, 'etc/systemd/system'), { recursive: true });
    fs.symlinkSync('/lib/systemd/system/x.service', path.join(t.dir, 'etc/systemd/system/x.service'));
    expect(refused(readFile(tree, '/etc/systemd/system/x.service')).reason).toBe('symlink');
    expect(ok(readFile(tree, '/etc/systemd/system/x.service', { followTrusted: true })).data.toString()).toBe('[Service]\n');
  });

  it('refuses a group- or world-writable directory on the way, accepts a sticky root one', () => {
    put(t.dir, 'etc/cron.d/job', 'x\n');
    fs.chmodSync(path.join(t.dir, 'etc/cron.d'), 0o775);
    const r = refused(readFile(tree, '/etc/cron.d/job'));
    expect(r.reason).toBe('unsafe-dir');
    expect(r.at).toBe('/etc/cron.d');
    expect(r.detail).toContain('group-writable');
    fs.chmodSync(path.join(t.dir, 'etc/cron.d'), 0o1777);
    expect(ok(readFile(tree, '/etc/cron.d/job')).data.toString()).toBe('x\n');
  });
});

describe.skipIf(!isRoot)('readFile against a hostile ordinary user (needs root)', () => {
  it('refuses a directory owned by another user unless that user is the expected owner', () => {
    put(t.dir, 'home/abc/.bashrc', 'alias ls=ls\n');
    chownR(path.join(t.dir, 'home/abc'), NOBODY);
    expect(refused(readFile(tree, '/home/abc/.bashrc')).reason).toBe('unsafe-dir');
    expect(ok(readFile(tree, '/home/abc/.bashrc', { owners: [NOBODY] })).data.toString()).toBe('alias ls=ls\n');
  });

  it("never follows a symlinked directory in a user's home, even to a root-owned place", () => {
    put(t.dir, 'root/.ssh/authorized_keys', 'ssh-ed25519 AAAA root@host\n', 0o600);
    fs.mkdirSync(path.join(t.dir, 'home/abc'), { recursive: true });
    fs.symlinkSync('/root/.ssh', path.join(t.dir, 'home/abc/.ssh'));
    chownR(path.join(t.dir, 'home/abc'), NOBODY);
    const r = refused(readFile(tree, '/home/abc/.ssh/authorized_keys', { owners: [NOBODY] }));
    expect(r.reason).toBe('symlink');
    expect(r.at).toBe('/home/abc/.ssh');
    expect(r.target).toBe('/root/.ssh');
  });

  it('refuses a hard link to a root file, and a root-only file, in a user-writable directory', () => {
    put(t.dir, 'shadow', 'root:$6$secret\n', 0o640);
    fs.mkdirSync(path.join(t.dir, 'home/abc'), { recursive: true });
    fs.linkSync(path.join(t.dir, 'shadow'), path.join(t.dir, 'home/abc/.bash_history'));
    fs.chownSync(path.join(t.dir, 'home/abc'), NOBODY, NOBODY);
    const r = refused(readFile(tree, '/home/abc/.bash_history', { owners: [NOBODY] }));
    expect(r.reason).toBe('hardlink');
    fs.unlinkSync(path.join(t.dir, 'shadow'));
    const r2 = refused(readFile(tree, '/home/abc/.bash_history', { owners: [NOBODY] }));
    expect(r2.reason).toBe('foreign-file');
    // The user's own file reads fine.
    fs.chownSync(path.join(t.dir, 'home/abc/.bash_history'), NOBODY, NOBODY);
    expect(ok(readFile(tree, '/home/abc/.bash_history', { owners: [NOBODY] })).data.toString()).toContain('root:');
  });
});

describe('listDir and entryInfo', () => {
  it('lists sorted entries with their types, bounded, and identifies the directory', () => {
    put(t.dir, 'etc/cron.d/b', '');
    put(t.dir, 'etc/cron.d/a', '');
    fs.mkdirSync(path.join(t.dir, 'etc/cron.d/sub'));
    fs.symlinkSync('/etc/shadow', path.join(t.dir, 'etc/cron.d/link'));
    execFileSync('mkfifo', [path.join(t.dir, 'etc/cron.d/pipe')]);
    const l = listDir(tree, '/etc/cron.d');
    if (!l.ok) throw new Error(describeRefusal(l));
    expect(l.entries.map((e) => [e.name, e.type])).toEqual([['a', 'file'], ['b', 'file'], ['link', 'symlink'], ['pipe', 'fifo'], ['sub', 'dir']]);
    expect(l.entries[0].path).toBe('/etc/cron.d/a');
    const bounded = listDir(tree, '/etc/cron.d', { maxEntries: 2 });
    if (!bounded.ok) throw new Error('refused');
    expect(bounded.entries).toHaveLength(2);
    expect(bounded.omitted).toBe(3);
    const info = entryInfo(tree, '/etc/cron.d/link');
    if (!info.ok) throw new Error('refused');
    expect(info.stat.isSymbolicLink()).toBe(true);
    expect(info.target).toBe('/etc/shadow');
  });

  it('refuses to list through a symlink a user could have placed', () => {
    fs.mkdirSync(path.join(t.dir, 'tmp'), { mode: 0o1777 });
    fs.chmodSync(path.join(t.dir, 'tmp'), 0o1777);
    fs.mkdirSync(path.join(t.dir, 'etc'));
    fs.symlinkSync('/etc', path.join(t.dir, 'tmp/x'));
    const l = listDir(tree, '/tmp/x');
    expect(l.ok).toBe(false);
    expect((l as Refusal).reason).toBe('symlink');
  });
});

describe.skipIf(!isRoot)('trusted groups (needs root)', () => {
  it('accepts a root directory writable by a named system group only when the caller trusts that group', () => {
    put(t.dir, 'var/log/auth.log', 'sshd[1]: Accepted password for abc from 192.0.2.1 port 1\n', 0o640);
    fs.chmodSync(path.join(t.dir, 'var/log'), 0o775);
    fs.chownSync(path.join(t.dir, 'var/log'), 0, 4);
    const r = refused(readFile(tree, '/var/log/auth.log'));
    expect(r.reason).toBe('unsafe-dir');
    expect(ok(readFile(tree, '/var/log/auth.log', { groups: [4] })).data.toString()).toContain('Accepted');
    fs.chmodSync(path.join(t.dir, 'var/log'), 0o777);
    expect(refused(readFile(tree, '/var/log/auth.log', { groups: [4] })).reason).toBe('unsafe-dir');
  });
});
