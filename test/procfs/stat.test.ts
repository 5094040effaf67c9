import { describe, expect, it } from 'vitest';
import { parseStat, PF_KTHREAD } from '../../src/procfs/stat';
import { parseExeLink, parseCgroup, parseStatus } from '../../src/procfs/pid';
import { failureOf, splitNul } from '../../src/procfs/files';
import { parseMountinfo } from '../../src/procfs/host';
import { parseProcNetTcp, isPrivateAddress } from '../../src/procfs/net';
import { statLine } from '../../src/procfs/fake';

describe('parseStat', () => {
  it('reads the fields after the last parenthesis', () => {
    const s = parseStat(statLine({ pid: 42, comm: 'bash', ppid: 7, ttyNr: 34816, utime: 5, stime: 6, threads: 3, startTicks: 999, rssPages: 12 }))!;
    expect(s).toMatchObject({ pid: 42, comm: 'bash', ppid: 7, ttyNr: 34816, utime: 5, stime: 6, numThreads: 3, startTicks: 999, rssPages: 12, state: 'S' });
  });

  it('keeps spaces and closing parentheses inside comm', () => {
    const s = parseStat(statLine({ pid: 5, comm: 'a) (b) S 1 2', ppid: 77 }))!;
    expect(s.comm).toBe('a) (b) S 1 2');
    expect(s.ppid).toBe(77);
  });

  it('keeps newlines and escape sequences inside comm', () => {
    const s = parseStat(statLine({ pid: 6, comm: 'x\n\x1b[2J)', ppid: 3 }))!;
    expect(s.comm).toBe('x\n\x1b[2J)');
    expect(s.ppid).toBe(3);
  });

  it('sees the kernel-thread flag', () => {
    expect(parseStat(statLine({ pid: 2, comm: 'kthreadd', flags: PF_KTHREAD }))!.flags & PF_KTHREAD).toBeTruthy();
    expect(parseStat(statLine({ pid: 9, comm: 'kworker' }))!.flags & PF_KTHREAD).toBe(0);
  });

  it('rejects truncated or garbage content', () => {
    expect(parseStat('12 (abc')).toBeNull();
    expect(parseStat('12 (abc) S 1 2')).toBeNull();
    expect(parseStat('')).toBeNull();
  });
});

describe('small /proc parsers', () => {
  it('recognises deleted and memfd executables', () => {
    expect(parseExeLink('/tmp/x (deleted)')).toEqual({ path: '/tmp/x', deleted: true, memfd: false });
    expect(parseExeLink('/memfd:payload (deleted)')).toEqual({ path: '/memfd:payload', deleted: true, memfd: true });
    expect(parseExeLink('/usr/bin/sleep')).toEqual({ path: '/usr/bin/sleep', deleted: false, memfd: false });
  });

  it('picks the unified cgroup, or name=systemd on v1', () => {
    expect(parseCgroup('0::/system.slice/ssh.service\n')).toBe('/system.slice/ssh.service');
    expect(parseCgroup('12:cpu:/foo\n1:name=systemd:/user.slice/session-2.scope\n')).toBe('/user.slice/session-2.scope');
    expect(parseCgroup('garbage')).toBeNull();
  });

  it('names the real and the effective uid from status', () => {
    expect(parseStatus('Name:\tx\nUid:\t1000\t0\t0\t0\n')).toMatchObject({ realUid: 1000, effectiveUid: 0, savedUid: 0, fsUid: 0 });
    expect(parseStatus('Name:\tx\n')).toBeNull();
    expect(parseStatus('Uid:\t1000\n')).toBeNull();
  });

  it('treats EACCES/EPERM as "needs root" and ENOENT/ESRCH as "gone", never as evidence', () => {
    expect(failureOf(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('EACCES');
    expect(failureOf(Object.assign(new Error('x'), { code: 'EPERM' }))).toBe('EACCES');
    expect(failureOf(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(failureOf(Object.assign(new Error('x'), { code: 'ESRCH' }))).toBe('ENOENT');
    expect(failureOf(new Error('x'))).toBe('EOTHER');
  });

  it('splits NUL-separated argv without inventing a trailing empty argument', () => {
    expect(splitNul(Buffer.from('a\0b c\0'))).toEqual(['a', 'b c']);
    expect(splitNul(Buffer.from('set by\nsetproctitle'))).toEqual(['set by\nsetproctitle']);
    expect(splitNul(Buffer.alloc(0))).toEqual([]);
  });

  it('finds hidepid and mounts over /proc/PID in mountinfo', () => {
    const text = [
      '22 1 0:21 / /proc rw,nosuid - proc proc rw,hidepid=invisible',
      '40 22 0:21 /2 /proc/4242 rw - proc proc rw',
      '41 1 8:1 / / rw - ext4 /dev/sda1 rw',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual({ hidepid: true, hidepidMode: 'invisible', hidepidGid: null, procPidMounts: [{ pid: 4242, mountPoint: '/proc/4242' }] });
    expect(parseMountinfo('22 1 0:21 / /proc rw - proc proc rw,hidepid=0\n').hidepid).toBe(false);
  });

  it('decodes /proc/net/tcp and tcp6 addresses', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0 100 0 0 10 0',
      '   1: 0F02000A:9C40 0D0D0D0D:0D05 01 00000000:00000000 00:00000000 00000000  1001        0 2222 1 0 20 4 30 10 -1',
    ].join('\n');
    const c = parseProcNetTcp(tcp, 'tcp');
    expect(c[0]).toMatchObject({ localAddress: '127.0.0.1', localPort: 3306, state: 'LISTEN', inode: 1111 });
    expect(c[1]).toMatchObject({ localAddress: '10.0.2.15', remoteAddress: '13.13.13.13', remotePort: 3333, state: 'ESTABLISHED', inode: 2222 });
    const tcp6 = [
      '  sl  local_address                         remote_address                        st',
      '   0: 0000000000000000FFFF00000F02000A:9C40 0000000000000000FFFF00000D0D0D0D:0D05 01 00000000:00000000 00:00000000 00000000  1001        0 3333 1',
    ].join('\n');
    expect(parseProcNetTcp(tcp6, 'tcp6')[0]).toMatchObject({ remoteAddress: '13.13.13.13', remotePort: 3333, inode: 3333 });
  });

  it('knows private and loopback addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '192.168.0.1', '172.20.0.1', '::1', 'fe80::1', 'fd00::1']) expect(isPrivateAddress(a)).toBe(true);
    for (const a of ['13.13.13.13', '172.32.0.1', '2001:db8::1']) expect(isPrivateAddress(a)).toBe(false);
  });
});
