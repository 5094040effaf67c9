import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commentOutLine, disableUnitLink } from '../../src/respond/persistenceEdit';
import { tempDir } from './fixture';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function temp(): string {
  const d = tempDir('mw-pe-');
  dirs.push(d);
  return d;
}

const NOW = Date.parse('2025-01-02T03:04:05.678Z');
const crontab =
  '# m h  dom mon dow   command\r\n' +
  'MAILTO=""\n' +
  '@reboot /home/u/.configrc/a/upd>/dev/null 2>&1\n' +
  '*/5 * * * * /home/u/backup.sh\n' +
  'no newline at end \u00e9\x01';

describe('commentOutLine', () => {
  it('comments out exactly one line, keeps a backup and every other byte', () => {
    const dir = temp();
    const spool = path.join(dir, 'crontabs');
    fs.mkdirSync(spool);
    const file = path.join(spool, 'u');
    fs.writeFileSync(file, crontab, { mode: 0o600 });
    fs.chmodSync(file, 0o640);
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(spool, old, old);
    const inoBefore = fs.statSync(file).ino;
    const backupDir = path.join(dir, 'backup');

    const r = commentOutLine(file, 3, { backupDir, expectedText: '@reboot /home/u/.configrc/a/upd>/dev/null 2>&1', now: () => NOW });
    expect(r.ok).toBe(true);
    const after = fs.readFileSync(file, 'latin1');
    const prefix = '# disabled by minewatch 2025-01-02T03:04:05.678Z: ';
    expect(after).toBe(Buffer.from(crontab.replace('@reboot', prefix + '@reboot'), 'utf8').toString('latin1'));
    expect(r.message).toContain('commented out line 3');
    // Backup is byte-identical to the original.
    expect(fs.readFileSync(r.backupPath!).equals(Buffer.from(crontab, 'utf8'))).toBe(true);
    expect(fs.statSync(r.backupPath!).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(r.backupPath + '.meta.json', 'utf8'))).toMatchObject({ path: file, mode: '640', line: 3 });
    // Mode kept; written via rename (new inode); spool dir mtime touched; no temp file left.
    const st = fs.statSync(file);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.ino).not.toBe(inoBefore);
    expect(fs.statSync(spool).mtimeMs).toBeGreaterThan(old.getTime());
    expect(fs.readdirSync(spool)).toEqual(['u']);
  });

  it('handles CRLF lines and the last line without newline', () => {
    const dir = temp();
    const file = path.join(dir, 'tab');
    fs.writeFileSync(file, crontab);
    const r1 = commentOutLine(file, 1, { backupDir: path.join(dir, 'b'), expectedText: '# m h  dom mon dow   command', now: () => NOW });
    expect(r1.ok).toBe(true);
    const r2 = commentOutLine(file, 5, { backupDir: path.join(dir, 'b'), expectedText: 'no newline at end \u00e9\x01', now: () => NOW });
    expect(r2.ok).toBe(true);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('# disabled by minewatch 2025-01-02T03:04:05.678Z: no newline at end \u00e9\x01')).toBe(true);
    expect(text.split('\n')[0]).toBe('# disabled by minewatch 2025-01-02T03:04:05.678Z: # m h  dom mon dow   command\r');
    expect(r1.backupPath).not.toBe(r2.backupPath);
  });

  it('refuses when the line changed, without touching the file or making a backup', () => {
    const dir = temp();
    const file = path.join(dir, 'u');
    fs.writeFileSync(file, crontab);
    const backupDir = path.join(dir, 'backup');
    const r = commentOutLine(file, 3, { backupDir, expectedText: '*/5 * * * * /home/u/backup.sh' });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^line 3 of .* changed since it was shown .*: nothing was changed$/);
    expect(fs.readFileSync(file, 'utf8')).toBe(crontab);
    expect(fs.existsSync(backupDir)).toBe(false);
    expect(commentOutLine(file, 99, { backupDir, expectedText: 'x' }).ok).toBe(false);
    expect(commentOutLine(path.join(dir, 'missing'), 1, { backupDir, expectedText: 'x' }).ok).toBe(false);
  });

  it('edits the real file behind a symlink and keeps the link', () => {
    const dir = temp();
    const file = path.join(dir, 'real');
    fs.writeFileSync(file, 'a\nb\n');
    fs.symlinkSync(file, path.join(dir, 'link'));
    const r = commentOutLine(path.join(dir, 'link'), 2, { backupDir: path.join(dir, 'b'), expectedText: 'b', now: () => NOW });
    expect(r.ok).toBe(true);
    expect(fs.lstatSync(path.join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('a\n# disabled by minewatch 2025-01-02T03:04:05.678Z: b\n');
  });

  it.skipIf(process.getuid?.() !== 0)('keeps the owner of another user\'s file (root only)', () => {
    const dir = temp();
    const file = path.join(dir, 'nobody');
    fs.writeFileSync(file, 'x\n* * * * * /tmp/.x/m\n', { mode: 0o600 });
    fs.chownSync(file, 65534, 65534);
    const r = commentOutLine(file, 2, { backupDir: path.join(dir, 'b'), expectedText: '* * * * * /tmp/.x/m' });
    expect(r.ok).toBe(true);
    const st = fs.statSync(file);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([65534, 65534, 0o600]);
  });
});

describe('disableUnitLink', () => {
  it('records the target and removes the symlink from a .wants directory', () => {
    const dir = temp();
    const wants = path.join(dir, 'default.target.wants');
    fs.mkdirSync(wants);
    const unit = path.join(dir, 'pnsd.service');
    fs.writeFileSync(unit, '[Service]\nExecStart=/tmp/.x/m\n');
    const link = path.join(wants, 'pnsd.service');
    fs.symlinkSync(unit, link);
    const r = disableUnitLink(link, { backupDir: path.join(dir, 'b'), now: () => NOW });
    expect(r.ok).toBe(true);
    expect(fs.existsSync(link)).toBe(false);
    expect(fs.existsSync(unit)).toBe(true);
    expect(JSON.parse(fs.readFileSync(r.backupPath!, 'utf8'))).toMatchObject({ link, target: unit });
    expect(r.message).toContain(unit);
  });

  it('refuses a regular file or a link outside *.wants/', () => {
    const dir = temp();
    const wants = path.join(dir, 'x.wants');
    fs.mkdirSync(wants);
    fs.writeFileSync(path.join(wants, 'real.service'), '');
    expect(disableUnitLink(path.join(wants, 'real.service'), { backupDir: path.join(dir, 'b') }).message).toMatch(/not a symbolic link/);
    fs.symlinkSync('/dev/null', path.join(dir, 'a.service'));
    expect(disableUnitLink(path.join(dir, 'a.service'), { backupDir: path.join(dir, 'b') }).ok).toBe(false);
    expect(fs.lstatSync(path.join(dir, 'a.service')).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(wants, 'real.service'))).toBe(true);
  });
});
