import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeTree } from '../../src/fsafe/index';
import { wantsLinks } from '../../src/persistence/wants';
import { commentOutLine, disableUnitLink, isCronLocation } from '../../src/respond/persistenceEdit';
import { tempDir } from './fixture';

const dirs: string[] = [];
const trees: SafeTree[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
/** A fixture root (0755, like a host's /) with a private backup directory beside it. */
function fixture(): { root: string; tree: SafeTree; backupDir: string; put: (rel: string, text: string, mode?: number) => string } {
  const d = tempDir('mw-pe-');
  dirs.push(d);
  const root = path.join(d, 'root');
  fs.mkdirSync(root, { mode: 0o755 });
  const tree = new SafeTree(root);
  trees.push(tree);
  const put = (rel: string, text: string, mode = 0o644) => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
    fs.writeFileSync(p, text, { mode });
    fs.chmodSync(p, mode);
    return p;
  };
  return { root, tree, backupDir: path.join(d, 'backup'), put };
}

const NOW = Date.parse('2025-01-02T03:04:05.678Z');
const crontab =
  '# m h  dom mon dow   command\r\n' +
  'MAILTO=""\n' +
  '@reboot /home/u/.configrc/a/upd>/dev/null 2>&1\n' +
  '*/5 * * * * /home/u/backup.sh\n' +
  'no newline at end \u00e9\x01';
const SPOOL = '/var/spool/cron/crontabs/u';

describe('commentOutLine', () => {
  it('comments out exactly one line, keeps a backup and every other byte', () => {
    const f = fixture();
    const file = f.put('var/spool/cron/crontabs/u', crontab, 0o640);
    const spool = path.dirname(file);
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(spool, old, old);
    const inoBefore = fs.statSync(file).ino;

    const r = commentOutLine(f.tree, SPOOL, 3, { kind: 'user-crontab', backupDir: f.backupDir, expectedText: '@reboot /home/u/.configrc/a/upd>/dev/null 2>&1', now: () => NOW });
    expect(r.ok).toBe(true);
    const after = fs.readFileSync(file, 'latin1');
    const prefix = '# disabled by minewatch 2025-01-02T03:04:05.678Z: ';
    expect(after).toBe(Buffer.from(crontab.replace('@reboot', prefix + '@reboot'), 'utf8').toString('latin1'));
    expect(r.message).toContain('commented out line 3');
    // Backup is byte-identical to the original, private, with a note of owner and mode.
    expect(fs.readFileSync(r.backupPath!).equals(Buffer.from(crontab, 'utf8'))).toBe(true);
    expect(fs.statSync(r.backupPath!).mode & 0o777).toBe(0o600);
    expect(fs.statSync(f.backupDir).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(r.backupPath + '.meta.json', 'utf8'))).toMatchObject({ path: SPOOL, mode: '640', line: 3 });
    // Mode kept; written via rename (new inode); spool dir mtime touched; no temp file left.
    const st = fs.statSync(file);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.ino).not.toBe(inoBefore);
    expect(fs.statSync(spool).mtimeMs).toBeGreaterThan(old.getTime());
    expect(fs.readdirSync(spool)).toEqual(['u']);
  });

  it('handles CRLF lines and the last line without newline; two edits in the same millisecond both keep a backup', () => {
    const f = fixture();
    const file = f.put('etc/cron.d/tab', crontab);
    const o = { kind: 'system-crontab' as const, backupDir: f.backupDir, now: () => NOW };
    const r1 = commentOutLine(f.tree, '/etc/cron.d/tab', 1, { ...o, expectedText: '# m h  dom mon dow   command' });
    expect(r1.ok).toBe(true);
    const r2 = commentOutLine(f.tree, '/etc/cron.d/tab', 5, { ...o, expectedText: 'no newline at end \u00e9\x01' });
    expect(r2.ok).toBe(true);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('# disabled by minewatch 2025-01-02T03:04:05.678Z: no newline at end \u00e9\x01')).toBe(true);
    expect(text.split('\n')[0]).toBe('# disabled by minewatch 2025-01-02T03:04:05.678Z: # m h  dom mon dow   command\r');
    expect(r1.backupPath).not.toBe(r2.backupPath);
  });

  it('refuses when the line changed, without touching the file or making a backup', () => {
    const f = fixture();
    const file = f.put('var/spool/cron/crontabs/u', crontab);
    const o = { kind: 'user-crontab' as const, backupDir: f.backupDir };
    const r = commentOutLine(f.tree, SPOOL, 3, { ...o, expectedText: '*/5 * * * * /home/u/backup.sh' });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^line 3 of .* changed since it was shown .*: nothing was changed$/);
    expect(fs.readFileSync(file, 'utf8')).toBe(crontab);
    expect(fs.existsSync(f.backupDir)).toBe(false);
    expect(commentOutLine(f.tree, SPOOL, 99, { ...o, expectedText: 'x' }).ok).toBe(false);
    expect(commentOutLine(f.tree, '/var/spool/cron/crontabs/missing', 1, { ...o, expectedText: 'x' }).ok).toBe(false);
  });

  it('refuses a symlinked cron file: the file behind it, inside or outside the tree, stays as it was', () => {
    const f = fixture();
    const outside = path.join(path.dirname(f.root), 'host-common-auth');
    fs.writeFileSync(outside, 'auth [success=1 default=ignore] pam_unix.so nullok\n');
    const inside = f.put('etc/pam.d/common-auth', 'auth [success=1 default=ignore] pam_unix.so nullok\n');
    fs.mkdirSync(path.join(f.root, 'etc/cron.d'), { recursive: true });
    fs.symlinkSync(outside, path.join(f.root, 'etc/cron.d/backup'));
    fs.symlinkSync('/etc/pam.d/common-auth', path.join(f.root, 'etc/cron.d/backup2'));
    for (const name of ['backup', 'backup2']) {
      const r = commentOutLine(f.tree, `/etc/cron.d/${name}`, 1, { kind: 'system-crontab', backupDir: f.backupDir, expectedText: 'auth [success=1 default=ignore] pam_unix.so nullok' });
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(/is a symlink to .*: nothing was changed$/);
      expect(fs.lstatSync(path.join(f.root, `etc/cron.d/${name}`)).isSymbolicLink()).toBe(true);
    }
    expect(fs.readFileSync(outside, 'utf8')).toBe('auth [success=1 default=ignore] pam_unix.so nullok\n');
    expect(fs.readFileSync(inside, 'utf8')).toBe('auth [success=1 default=ignore] pam_unix.so nullok\n');
  });

  it('refuses anything outside the real locations of its kind', () => {
    const f = fixture();
    const file = f.put('etc/pam.d/common-auth', 'auth required pam_unix.so\n');
    const r = commentOutLine(f.tree, '/etc/pam.d/common-auth', 1, { kind: 'system-crontab', backupDir: f.backupDir, expectedText: 'auth required pam_unix.so' });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/not where a system-crontab lives/);
    expect(fs.readFileSync(file, 'utf8')).toBe('auth required pam_unix.so\n');
    expect(isCronLocation('user-crontab', '/var/spool/cron/crontabs/abc')).toBe(true);
    expect(isCronLocation('user-crontab', '/var/spool/cron/abc')).toBe(true);
    expect(isCronLocation('user-crontab', '/etc/crontabs/abc')).toBe(true);
    expect(isCronLocation('user-crontab', '/var/spool/cron/crontabs/../../../etc/shadow')).toBe(false);
    expect(isCronLocation('system-crontab', '/etc/cron.d/x')).toBe(true);
    expect(isCronLocation('system-crontab', '/etc/cron.d/sub/x')).toBe(false);
    expect(isCronLocation('anacrontab', '/etc/anacrontab')).toBe(true);
    expect(isCronLocation('shell-startup', '/home/u/.bashrc')).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)("keeps the owner of another user's file (root only)", () => {
    const f = fixture();
    const file = f.put('var/spool/cron/crontabs/nobody', 'x\n* * * * * /tmp/.x/m\n', 0o600);
    fs.chownSync(file, 65534, 65534);
    const r = commentOutLine(f.tree, '/var/spool/cron/crontabs/nobody', 2, { kind: 'user-crontab', backupDir: f.backupDir, expectedText: '* * * * * /tmp/.x/m' });
    expect(r.ok).toBe(true);
    const st = fs.statSync(file);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([65534, 65534, 0o600]);
  });
});

describe('disableUnitLink and wantsLinks', () => {
  it('records the target and removes the symlink from a .wants directory', () => {
    const f = fixture();
    f.put('etc/systemd/system/pnsd.service', '[Service]\nExecStart=/tmp/.x/m\n');
    const wants = path.join(f.root, 'etc/systemd/system/default.target.wants');
    fs.mkdirSync(wants);
    fs.symlinkSync('/etc/systemd/system/pnsd.service', path.join(wants, 'pnsd.service'));
    const links = wantsLinks(f.tree, '/etc/systemd/system/pnsd.service');
    expect(links.map((l) => l.path)).toEqual(['/etc/systemd/system/default.target.wants/pnsd.service']);
    const r = disableUnitLink(f.tree, links[0].path, { backupDir: f.backupDir, expectTarget: links[0].target, now: () => NOW });
    expect(r.ok).toBe(true);
    expect(fs.existsSync(path.join(wants, 'pnsd.service'))).toBe(false);
    expect(fs.existsSync(path.join(f.root, 'etc/systemd/system/pnsd.service'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(r.backupPath!, 'utf8'))).toMatchObject({ link: links[0].path, target: '/etc/systemd/system/pnsd.service' });
    expect(r.message).toContain('/etc/systemd/system/pnsd.service');
  });

  it('refuses a regular file, a link outside *.wants/, and a link whose target changed', () => {
    const f = fixture();
    f.put('etc/systemd/system/x.wants/real.service', '');
    fs.symlinkSync('/dev/null', path.join(f.root, 'etc/systemd/system/a.service'));
    fs.symlinkSync('/lib/systemd/system/b.service', path.join(f.root, 'etc/systemd/system/x.wants/b.service'));
    expect(disableUnitLink(f.tree, '/etc/systemd/system/x.wants/real.service', { backupDir: f.backupDir }).message).toMatch(/not a symbolic link/);
    expect(disableUnitLink(f.tree, '/etc/systemd/system/a.service', { backupDir: f.backupDir }).ok).toBe(false);
    expect(disableUnitLink(f.tree, '/etc/systemd/system/x.wants/b.service', { backupDir: f.backupDir, expectTarget: '/lib/systemd/system/other.service' }).ok).toBe(false);
    expect(fs.lstatSync(path.join(f.root, 'etc/systemd/system/a.service')).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(f.root, 'etc/systemd/system/x.wants/b.service')).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(f.root, 'etc/systemd/system/x.wants/real.service'))).toBe(true);
  });

  it("finds a user unit's links only next to it, never a system unit's link of the same name", () => {
    const f = fixture();
    f.put('home/abc/.config/systemd/user/dbus-session.service', '[Service]\nExecStart=/home/abc/.x/m\n');
    f.put('lib/systemd/system/dbus-session.service', '[Service]\nExecStart=/usr/bin/true\n');
    fs.mkdirSync(path.join(f.root, 'home/abc/.config/systemd/user/default.target.wants'));
    fs.symlinkSync('/home/abc/.config/systemd/user/dbus-session.service', path.join(f.root, 'home/abc/.config/systemd/user/default.target.wants/dbus-session.service'));
    fs.mkdirSync(path.join(f.root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
    fs.symlinkSync('/lib/systemd/system/dbus-session.service', path.join(f.root, 'etc/systemd/system/multi-user.target.wants/dbus-session.service'));
    const user = wantsLinks(f.tree, '/home/abc/.config/systemd/user/dbus-session.service');
    expect(user.map((l) => l.path)).toEqual(['/home/abc/.config/systemd/user/default.target.wants/dbus-session.service']);
    const system = wantsLinks(f.tree, '/usr/lib/systemd/system/dbus-session.service');
    expect(system.map((l) => l.path)).toEqual(['/etc/systemd/system/multi-user.target.wants/dbus-session.service']);
    // A link named like the unit that points elsewhere is not the unit's.
    expect(wantsLinks(f.tree, '/etc/systemd/system/dbus-session.service')).toEqual([]);
  });
});
