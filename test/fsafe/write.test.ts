import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SafeTree, appendRecord, createUnique, describeRefusal, mkdirUnique, privateDir, refuse, removeSymlink, replaceFile, writeNew, writeUnique,
  type PinnedDir, type Refusal,
} from '../../src/fsafe/index';
import { NOBODY, isRoot, put, tempTree } from './helpers';

let t: { dir: string; cleanup: () => void };
beforeEach(() => {
  t = tempTree('mw-fsafe-w-');
});
afterEach(() => t.cleanup());

function pinnedOk(r: PinnedDir | Refusal): PinnedDir {
  if ('ok' in r) throw new Error(`refused: ${describeRefusal(r)}`);
  return r;
}

describe('privateDir', () => {
  it('creates missing directories 0700, owned by us, whatever the umask', () => {
    const old = process.umask(0o022);
    try {
      const d = pinnedOk(privateDir(path.join(t.dir, 'var/lib/minewatch/evidence'), { create: true }));
      d.close();
    } finally {
      process.umask(old);
    }
    for (const p of ['var', 'var/lib', 'var/lib/minewatch', 'var/lib/minewatch/evidence']) {
      const st = fs.statSync(path.join(t.dir, p));
      expect(st.mode & 0o777, p).toBe(0o700);
      expect(st.uid).toBe(process.geteuid!());
    }
  });

  it('uses an existing private directory, refuses a loose one, a symlink, and /proc', () => {
    fs.mkdirSync(path.join(t.dir, 'ev'), { mode: 0o700 });
    pinnedOk(privateDir(path.join(t.dir, 'ev'))).close();
    fs.mkdirSync(path.join(t.dir, 'loose'));
    fs.chmodSync(path.join(t.dir, 'loose'), 0o755);
    const loose = privateDir(path.join(t.dir, 'loose'));
    expect('ok' in loose && loose.reason).toBe('unsafe-dir');
    // A link only root could have made (in a root-owned 0755 directory) is followed...
    fs.symlinkSync(path.join(t.dir, 'ev'), path.join(t.dir, 'link'));
    pinnedOk(privateDir(path.join(t.dir, 'link'), { create: true })).close();
    // ...one in a sticky, world-writable directory (like /tmp) is not.
    fs.mkdirSync(path.join(t.dir, 'shared'));
    fs.chmodSync(path.join(t.dir, 'shared'), 0o1777);
    fs.symlinkSync(path.join(t.dir, 'ev'), path.join(t.dir, 'shared/evidence'));
    const viaLink = privateDir(path.join(t.dir, 'shared/evidence'), { create: true });
    expect('ok' in viaLink && viaLink.reason).toBe('symlink');
    for (const p of ['/proc/self/evidence', '/proc', '/sys/kernel/x', '/dev/shm/../evidence']) {
      const r = privateDir(p, { create: true });
      expect('ok' in r && r.reason, p).toBe('special-fs');
    }
  });

  it.skipIf(!isRoot)("refuses a directory another user owns or a parent they can write", () => {
    fs.mkdirSync(path.join(t.dir, 'theirs'), { mode: 0o700 });
    fs.chownSync(path.join(t.dir, 'theirs'), NOBODY, NOBODY);
    const r = privateDir(path.join(t.dir, 'theirs'), { create: true });
    expect('ok' in r && r.reason).toBe('unsafe-dir');
    const below = privateDir(path.join(t.dir, 'theirs/evidence'), { create: true });
    expect('ok' in below && below.reason).toBe('unsafe-dir');
    expect(fs.existsSync(path.join(t.dir, 'theirs/evidence'))).toBe(false);
  });
});

describe('files in a pinned directory', () => {
  it('creates O_EXCL, never through an existing name or symlink; unique names never throw EEXIST', () => {
    const d = pinnedOk(privateDir(path.join(t.dir, 'ev'), { create: true }));
    try {
      const w = writeNew(d, 'a.json', '{}');
      expect(w.ok).toBe(true);
      expect(fs.statSync(path.join(t.dir, 'ev/a.json')).mode & 0o777).toBe(0o600);
      const again = writeNew(d, 'a.json', 'x');
      expect('reason' in again && again.reason).toBe('exists');
      fs.symlinkSync('/etc/passwd', path.join(t.dir, 'ev/b'));
      const viaLink = writeNew(d, 'b', 'x');
      expect('reason' in viaLink && viaLink.reason).toBe('exists');
      const names = [writeUnique(d, 'backup', '.txt', '1'), writeUnique(d, 'backup', '.txt', '2'), writeUnique(d, 'backup', '.txt', '3')].map((r) => (r.ok ? r.name : r.reason));
      expect(names).toEqual(['backup.txt', 'backup-1.txt', 'backup-2.txt']);
      const c = createUnique(d, 'backup', '.txt');
      expect('fd' in c && c.name).toBe('backup-3.txt');
      if ('fd' in c) fs.closeSync(c.fd);
      const sub1 = pinnedOk(mkdirUnique(d, 'kill'));
      const sub2 = pinnedOk(mkdirUnique(d, 'kill'));
      expect([sub1.hostPath, sub2.hostPath].map((p) => path.basename(p))).toEqual(['kill', 'kill-1']);
      sub1.close();
      sub2.close();
    } finally {
      d.close();
    }
  });

  it('writes into the pinned directory even after the path was swapped for a symlink', () => {
    const d = pinnedOk(privateDir(path.join(t.dir, 'ev'), { create: true }));
    try {
      fs.renameSync(path.join(t.dir, 'ev'), path.join(t.dir, 'moved'));
      fs.mkdirSync(path.join(t.dir, 'elsewhere'));
      fs.symlinkSync(path.join(t.dir, 'elsewhere'), path.join(t.dir, 'ev'));
      expect(writeNew(d, 'x', 'data').ok).toBe(true);
      expect(fs.readdirSync(path.join(t.dir, 'elsewhere'))).toEqual([]);
      expect(fs.readFileSync(path.join(t.dir, 'moved/x'), 'utf8')).toBe('data');
    } finally {
      d.close();
    }
  });

  it('appends audit records only to a regular file of ours with one name', () => {
    const d = pinnedOk(privateDir(path.join(t.dir, 'ev'), { create: true }));
    try {
      expect(appendRecord(d, 'audit.jsonl', '{"a":1}').ok).toBe(true);
      expect(appendRecord(d, 'audit.jsonl', '{"a":2}\n').ok).toBe(true);
      expect(fs.readFileSync(path.join(t.dir, 'ev/audit.jsonl'), 'utf8')).toBe('{"a":1}\n{"a":2}\n');
      fs.symlinkSync(path.join(t.dir, 'target'), path.join(t.dir, 'ev/link.jsonl'));
      const r = appendRecord(d, 'link.jsonl', 'x');
      expect('reason' in r && r.reason).toBe('symlink');
      expect(fs.existsSync(path.join(t.dir, 'target'))).toBe(false);
      fs.linkSync(path.join(t.dir, 'ev/audit.jsonl'), path.join(t.dir, 'second-name'));
      const h = appendRecord(d, 'audit.jsonl', 'x');
      expect('reason' in h && h.reason).toBe('hardlink');
    } finally {
      d.close();
    }
  });
});

describe('replaceFile', () => {
  const comment = (buf: Buffer) => Buffer.from(buf.toString().replace('* * * * * evil', '# * * * * * evil'));

  it('replaces atomically, keeping owner and mode, and keeps a backup first', () => {
    const file = put(t.dir, 'etc/cron.d/job', 'SHELL=/bin/sh\n* * * * * evil\n', 0o640);
    const before = fs.statSync(file);
    const tree = new SafeTree(t.dir);
    let backup: Buffer | null = null;
    const r = replaceFile(tree, '/etc/cron.d/job', comment, { beforeWrite: (orig) => ((backup = orig), null) });
    tree.close();
    if (!r.ok) throw new Error(describeRefusal(r));
    expect(fs.readFileSync(file, 'utf8')).toBe('SHELL=/bin/sh\n# * * * * * evil\n');
    expect(String(backup)).toBe('SHELL=/bin/sh\n* * * * * evil\n');
    const after = fs.statSync(file);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o7777).toBe(0o640);
    expect(fs.readdirSync(path.join(t.dir, 'etc/cron.d'))).toEqual(['job']);
  });

  it("edits the file itself, never a symlink's target, and stays inside the tree", () => {
    const outside = put(t.dir, 'host-pam', 'auth required pam_unix.so\n');
    fs.mkdirSync(path.join(t.dir, 'root/etc/cron.d'), { recursive: true });
    fs.symlinkSync(outside, path.join(t.dir, 'root/etc/cron.d/backup'));
    const tree = new SafeTree(path.join(t.dir, 'root'));
    const r = replaceFile(tree, '/etc/cron.d/backup', () => Buffer.from('# gone\n'));
    tree.close();
    expect(!r.ok && r.reason).toBe('symlink');
    expect(fs.readFileSync(outside, 'utf8')).toBe('auth required pam_unix.so\n');
  });

  it('refuses when the file changes between read and write, and leaves no temp file', () => {
    const file = put(t.dir, 'etc/crontab', '* * * * * evil\n');
    const tree = new SafeTree(t.dir);
    const r = replaceFile(tree, '/etc/crontab', comment, {
      beforeWrite: () => {
        fs.appendFileSync(file, '# appended meanwhile\n');
        return null;
      },
    });
    const swapped = replaceFile(tree, '/etc/crontab', comment, {
      beforeWrite: () => {
        fs.renameSync(file, file + '.old');
        fs.writeFileSync(file, 'other\n');
        return null;
      },
    });
    const stopped = replaceFile(tree, '/etc/crontab', comment, { beforeWrite: () => refuse('io', '/etc/crontab', 'backup failed') });
    tree.close();
    expect(!r.ok && r.reason).toBe('changed');
    expect(!swapped.ok && swapped.reason).toBe('changed');
    expect(!stopped.ok && stopped.detail).toBe('backup failed');
    expect(fs.readFileSync(file, 'utf8')).toBe('other\n');
    expect(fs.readdirSync(path.join(t.dir, 'etc')).sort()).toEqual(['crontab', 'crontab.old']);
  });

  it('refuses a hard-linked file', () => {
    const file = put(t.dir, 'etc/crontab', '* * * * * evil\n');
    fs.linkSync(file, path.join(t.dir, 'other-name'));
    const tree = new SafeTree(t.dir);
    const r = replaceFile(tree, '/etc/crontab', comment);
    tree.close();
    expect(!r.ok && r.reason).toBe('hardlink');
  });
});

describe('removeSymlink', () => {
  it('removes exactly the link whose text still matches', () => {
    put(t.dir, 'lib/systemd/system/x.service', '[Unit]\n');
    fs.mkdirSync(path.join(t.dir, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
    const link = path.join(t.dir, 'etc/systemd/system/multi-user.target.wants/x.service');
    fs.symlinkSync('/lib/systemd/system/x.service', link);
    const tree = new SafeTree(t.dir);
    const wrong = removeSymlink(tree, '/etc/systemd/system/multi-user.target.wants/x.service', { expectTarget: '/other' });
    expect(!wrong.ok && wrong.reason).toBe('changed');
    const r = removeSymlink(tree, '/etc/systemd/system/multi-user.target.wants/x.service', { expectTarget: '/lib/systemd/system/x.service' });
    tree.close();
    expect(r.ok).toBe(true);
    expect(fs.existsSync(link)).toBe(false);
    expect(fs.existsSync(path.join(t.dir, 'lib/systemd/system/x.service'))).toBe(true);
  });
});
