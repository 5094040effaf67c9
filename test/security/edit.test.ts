// Issue 9, items 2, 7, 8 and 9: edits as root never reach a file outside the chosen tree or location,
// never follow a link, survive a user swapping directories underneath, and never throw.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createServices } from '../../src/app/services';
import { SafeTree } from '../../src/fsafe/index';
import { wantsLinks } from '../../src/persistence/wants';
import { disableUnitLink } from '../../src/respond/persistenceEdit';
import type { SignalFn } from '../../src/respond/signal';
import { NOBODY, chownTree, flipper, isRoot, tempDir, write } from './helpers';

/** Outcome lines as text: the services hand typed lines ({text, status}) to the views. */
const text = (xs: readonly (string | { text: string })[]) => xs.map((x) => (typeof x === 'string' ? x : x.text)).join('\n');

const PAM = 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\n';

describe.skipIf(!isRoot)('disabling persistence on a tree a user controls (issue 9.2)', { timeout: 60_000 }, () => {
  it('etc/cron.d/backup -> a PAM file: nothing shows it as cron, and a forged disable changes no file', () => {
    const base = tempDir();
    const hostPam = write(base, 'host-etc/pam.d/common-auth', PAM); // stands in for the host's /etc/pam.d/common-auth
    const root = path.join(base, 'userroot');
    write(root, 'etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
    write(root, 'etc/pam.d/common-auth', PAM);
    fs.mkdirSync(path.join(root, 'etc/cron.d'), { recursive: true });
    fs.symlinkSync(hostPam, path.join(root, 'etc/cron.d/backup'));
    fs.symlinkSync('/etc/pam.d/common-auth', path.join(root, 'etc/cron.d/backup2'));
    chownTree(root); // the user controls the whole tree
    const evidence = path.join(tempDir(), 'ev');
    const kill = vi.fn<SignalFn>();
    const services = createServices({ procRoot: '/proc', root, evidenceDir: evidence, readonly: false, kill });
    const view = services.persistence(null, { processes: new Map() } as never, new Map());
    expect(view.actions.map((a) => a.path)).not.toContain('/etc/cron.d/backup');
    expect(text(view.lines)).not.toContain('pam_unix');
    expect(text(view.lines)).toMatch(/\/etc\/passwd: unsafe directory on the way: \/etc is owned by uid 65534/);
    for (const p of ['/etc/cron.d/backup', '/etc/cron.d/backup2', '/etc/pam.d/common-auth']) {
      const out = services.disablePersistence({ entryId: `${p}:1`, label: p, kind: 'system-crontab', path: p, line: 1, raw: PAM.trimEnd(), verb: 'comment the line out' });
      expect(text(out)).toMatch(/nothing was changed/);
    }
    expect(fs.readFileSync(hostPam, 'utf8')).toBe(PAM);
    expect(fs.readFileSync(path.join(root, 'etc/pam.d/common-auth'), 'utf8')).toBe(PAM);
    expect(kill).not.toHaveBeenCalled();
    // Even where root made the link (a root-owned tree), the edit acts on the link itself: refused.
    chownTree(root, 0);
    const out = services.disablePersistence({ entryId: 'x', label: 'x', kind: 'system-crontab', path: '/etc/cron.d/backup2', line: 1, raw: PAM.trimEnd(), verb: '' });
    expect(text(out)).toMatch(/backup2 is a symlink to \/etc\/pam\.d\/common-auth .*nothing was changed/);
    expect(fs.readFileSync(path.join(root, 'etc/pam.d/common-auth'), 'utf8')).toBe(PAM);
    expect(fs.lstatSync(path.join(root, 'etc/cron.d/backup2')).isSymbolicLink()).toBe(true);
  });

  it('a cron directory owned by the user is not edited either', () => {
    const base = tempDir();
    const root = path.join(base, 'userroot');
    const tab = write(root, 'etc/cron.d/job', '* * * * * root /tmp/.x/m\n');
    chownTree(path.join(root, 'etc/cron.d'));
    const tree = new SafeTree(root);
    const evidence = path.join(tempDir(), 'ev');
    const services = createServices({ procRoot: '/proc', root, evidenceDir: evidence, readonly: false });
    const out = services.disablePersistence({ entryId: 'x', label: 'x', kind: 'system-crontab', path: '/etc/cron.d/job', line: 1, raw: '* * * * * root /tmp/.x/m', verb: '' });
    tree.close();
    expect(text(out)).toMatch(/not a safe directory.*owned by uid 65534.*nothing was changed/);
    expect(fs.readFileSync(tab, 'utf8')).toBe('* * * * * root /tmp/.x/m\n');
  });

  it('two disables in the same millisecond both keep their backup, without EEXIST', () => {
    const base = tempDir();
    const root = path.join(base, 'root');
    write(root, 'etc/cron.d/job', '* * * * * root /tmp/a\n* * * * * root /tmp/b\n');
    const evidence = path.join(tempDir(), 'ev');
    const services = createServices({ procRoot: '/proc', root, evidenceDir: evidence, readonly: false });
    const now = Date.now;
    Date.now = () => 1_700_000_000_000;
    try {
      const a = services.disablePersistence({ entryId: 'a', label: 'a', kind: 'system-crontab', path: '/etc/cron.d/job', line: 1, raw: '* * * * * root /tmp/a', verb: '' });
      const b = services.disablePersistence({ entryId: 'b', label: 'b', kind: 'system-crontab', path: '/etc/cron.d/job', line: 2, raw: '* * * * * root /tmp/b', verb: '' });
      expect(text([a[0]])).toMatch(/^commented out line 1/);
      expect(text([b[0]])).toMatch(/^commented out line 2/);
    } finally {
      Date.now = now;
    }
    expect(fs.readdirSync(path.join(evidence, 'persistence-backups')).filter((n) => !n.endsWith('.meta.json'))).toHaveLength(2);
  });
});

describe.skipIf(!isRoot)('*.wants links (issue 9.7 and 9.8)', { timeout: 60_000 }, () => {
  it("disabling a user's unit never removes a system unit's link of the same name", () => {
    const base = tempDir();
    const root = path.join(base, 'root');
    write(root, 'etc/passwd', `abc:x:${NOBODY}:${NOBODY}::/home/abc:/bin/sh\n`);
    write(root, 'home/abc/.config/systemd/user/dbus-session.service', '[Service]\nExecStart=/home/abc/.x/m\n');
    fs.mkdirSync(path.join(root, 'home/abc/.config/systemd/user/default.target.wants'));
    fs.symlinkSync('/home/abc/.config/systemd/user/dbus-session.service', path.join(root, 'home/abc/.config/systemd/user/default.target.wants/dbus-session.service'));
    chownTree(path.join(root, 'home/abc'));
    write(root, 'lib/systemd/system/dbus-session.service', '[Service]\nExecStart=/usr/bin/true\n');
    fs.mkdirSync(path.join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
    const systemLink = path.join(root, 'etc/systemd/system/multi-user.target.wants/dbus-session.service');
    fs.symlinkSync('/lib/systemd/system/dbus-session.service', systemLink);
    const services = createServices({ procRoot: '/proc', root, evidenceDir: path.join(tempDir(), 'ev'), readonly: false });
    const out = services.disablePersistence({ entryId: 'u', label: 'u', kind: 'systemd-unit', path: '/home/abc/.config/systemd/user/dbus-session.service', line: null, raw: '', verb: '' });
    expect(text([out[0]])).toMatch(/^removed \/home\/abc\/\.config\/systemd\/user\/default\.target\.wants\/dbus-session\.service/);
    expect(fs.lstatSync(systemLink).isSymbolicLink()).toBe(true);
  });

  it('a user swapping the wants directory for a link to a root directory cannot make root delete a root file, and nothing throws', async () => {
    const base = tempDir();
    const root = path.join(base, 'root');
    write(root, 'etc/passwd', `abc:x:${NOBODY}:${NOBODY}::/home/abc:/bin/sh\n`);
    const userDir = path.join(root, 'home/abc/.config/systemd/user');
    write(userDir, 'm.service', '[Service]\nExecStart=/home/abc/.x/m\n');
    fs.mkdirSync(path.join(userDir, 'real.wants'));
    // The root-owned directory the user points at, holding a root file named like the link.
    const victim = write(root, 'etc/important/m.service', 'root file\n');
    chownTree(path.join(root, 'home/abc'));
    const tree = new SafeTree(root);
    const backupDir = path.join(tempDir(), 'b');
    // As abc: default.target.wants is, in turn, the real directory (with the link) and a link to /etc/important.
    await flipper(userDir, `try { fs.unlinkSync('default.target.wants'); } catch {}
      try { fs.symlinkSync('/home/abc/.config/systemd/user/m.service', 'real.wants/m.service'); } catch {}
      fs.renameSync('real.wants', 'default.target.wants'); const t = Date.now(); while (Date.now() - t < 2) {}
      fs.renameSync('default.target.wants', 'real.wants'); fs.symlinkSync('/etc/important', 'default.target.wants');`);
    let removed = 0;
    const until = Date.now() + 5000;
    try {
      for (let i = 0; i < 5000 && Date.now() < until && removed < 5; i++) {
        const r = disableUnitLink(tree, '/home/abc/.config/systemd/user/default.target.wants/m.service', {
          backupDir, expectTarget: '/home/abc/.config/systemd/user/m.service', owners: [NOBODY],
        });
        if (r.ok) removed++;
        expect(fs.readFileSync(victim, 'utf8')).toBe('root file\n');
        if (i % 50 === 49) await new Promise((res) => setTimeout(res, 1));
      }
    } finally {
      tree.close();
    }
    expect(fs.readFileSync(victim, 'utf8')).toBe('root file\n');
    expect(wantsLinks).toBeTypeOf('function');
  });
});
