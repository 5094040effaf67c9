import { describe, expect, it } from 'vitest';
import { classifyString, fileTypeFromBytes, poolHost, StringsScanner } from '../../src/inspect/executable';
import { parseCgroup } from '../../src/procfs/pid';
import { parseStat } from '../../src/procfs/stat';
import { splitNul } from '../../src/procfs/files';
import { parseAuthLog, parseUtmp, syslogTime, USER_PROCESS } from '../../src/inspect/logins';
import { decodeAddress, parseNetTable } from '../../src/inspect/net';
import { isSecretName, parseEnviron, parseMaps } from '../../src/inspect/procfiles';
import type { StringsHit } from '../../src/inspect/types';
import { fakeElf, utmpRecords, WALLET } from './helpers';

function scan(text: string): string[] {
  const hits: StringsHit[] = [];
  classifyString(text, hits, new Set());
  return hits.map((h) => `${h.kind}:${h.text}`);
}

describe('fileTypeFromBytes', () => {
  it('describes ELF class, type, machine and linking', () => {
    expect(fileTypeFromBytes(fakeElf({ type: 2 }))).toBe('ELF 64-bit LSB executable, x86-64, statically linked');
    expect(fileTypeFromBytes(fakeElf({ type: 3, interp: true }))).toBe(
      'ELF 64-bit LSB shared object / PIE executable, x86-64, dynamically linked',
    );
    const elf32 = fakeElf();
    elf32[4] = 1;
    expect(fileTypeFromBytes(elf32.subarray(0, 20))).toBe('ELF 32-bit LSB executable, x86-64');
  });

  it('spots UPX packing, scripts, text and data', () => {
    expect(fileTypeFromBytes(fakeElf({ upx: true }))).toMatch(/^UPX-packed ELF 64-bit/);
    expect(fileTypeFromBytes(Buffer.from('#!/usr/bin/env python3\nprint(1)\n'))).toBe('script (/usr/bin/env python3)');
    expect(fileTypeFromBytes(Buffer.from('#!/bin/sh'))).toBe('script (/bin/sh)');
    expect(fileTypeFromBytes(Buffer.from('just some words\n'))).toBe('text');
    expect(fileTypeFromBytes(Buffer.from([0, 1, 2, 3, 0xff, 0xfe]))).toBe('data');
    expect(fileTypeFromBytes(Buffer.alloc(0))).toBe('empty');
  });
});

describe('strings classification', () => {
  it('finds stratum URLs, pool hosts, wallets and miner markers', () => {
    expect(scan('url=stratum+ssl://user@gulf.moneroocean.stream:20128')).toContain(
      'stratum:stratum+ssl://user@gulf.moneroocean.stream:20128',
    );
    expect(scan('\0pool.supportxmr.com:443\0')).toEqual(['pool:pool.supportxmr.com:443']);
    expect(scan('\0xmr-eu1.nanopool.org\0')).toEqual(['pool:xmr-eu1.nanopool.org']);
    expect(scan(`\0${WALLET}\0`)).toEqual([`wallet:${WALLET}`]);
    expect(scan('RandomX init; CryptoNight; --donate-level 1')).toEqual(['miner:randomx', 'miner:cryptonight', 'miner:donate-level']);
  });

  it('does not flag ordinary strings', () => {
    expect(scan('threadpool.cpp spool.h mempool.c ForkJoinPool.common /var/spool/cron')).toEqual([]);
    expect(scan('\0GLIBC_2.34\0libc.so.6\0__cxa_finalize\0/usr/share/locale\0')).toEqual([]);
    // not base58 (contains 0 and O), too short, too long
    expect(scan('4' + '0'.repeat(94))).toEqual([]);
    expect(scan(WALLET.slice(0, 94))).toEqual([]);
    expect(scan(WALLET + 'abc')).toEqual([]);
    expect(poolHost('pool.example')).toBe('pool.example');
    expect(poolHost('pool')).toBeNull();
    expect(poolHost('Pool.Example.com')).toBeNull();
    expect(poolHost('example.com')).toBeNull();
  });

  it('joins an indicator split across chunks', () => {
    const s = new StringsScanner();
    s.push(Buffer.from('\0\0stratum+tcp://po', 'latin1'));
    s.push(Buffer.from('ol.hashvault.pro:3333\0junk', 'latin1'));
    s.push(Buffer.from('\0' + WALLET.slice(0, 40), 'latin1'));
    s.push(Buffer.from(WALLET.slice(40), 'latin1'));
    expect(s.finish().map((h) => h.text)).toEqual(['stratum+tcp://pool.hashvault.pro:3333', WALLET]);
    expect(s.scanned).toBeGreaterThan(100);
  });

  it('stays fast on hostile input (no quadratic patterns)', () => {
    const s = new StringsScanner();
    const t0 = process.cpuUsage(); // CPU time, not wall time: other work on the machine does not count
    for (const pattern of ['pool.', 'a', '4A1', 'stratum+tcp://', 'abcdefg\0', 'xmrigx']) {
      s.push(Buffer.alloc(512 * 1024, pattern));
    }
    s.finish();
    const used = process.cpuUsage(t0);
    expect((used.user + used.system) / 1000).toBeLessThan(1000); // a quadratic scan of 3 MB takes minutes
  });
});

describe('stat, cgroup, environ, maps parsing', () => {
  it('splits stat at the last parenthesis', () => {
    const st = parseStat('77 (a) b (c)) R 5 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0');
    expect(st).toMatchObject({ pid: 77, comm: 'a) b (c)', state: 'R', ppid: 5, startTicks: 999 });
    expect(parseStat('garbage')).toBeNull();
  });

  it('prefers the unified cgroup, then name=systemd', () => {
    expect(parseCgroup('12:cpu:/a\n1:name=systemd:/sys\n0::/unified\n')).toBe('/unified');
    expect(parseCgroup('12:cpu:/a\n1:name=systemd:/sys\n')).toBe('/sys');
    expect(parseCgroup('')).toBeNull();
  });

  it('splits NUL-separated argv/environ', () => {
    expect(splitNul(Buffer.from('a\0b c\0\0'))).toEqual(['a', 'b c', '']);
    expect(splitNul(Buffer.alloc(0))).toEqual([]);
    expect(parseEnviron(splitNul(Buffer.from('LD_AUDIT=/x.so\0NOEQUALS\0GITHUB_TOKEN=ghp_x\0')))).toEqual([
      { name: 'LD_AUDIT', value: '/x.so', flag: 'preload' },
      { name: 'NOEQUALS', value: '' },
      { name: 'GITHUB_TOKEN', value: '<masked, 5 chars>', flag: 'secret-masked' },
    ]);
    expect(isSecretName('OLDPWD')).toBe(false);
    expect(isSecretName('SSH_AUTH_SOCK')).toBe(false);
    expect(isSecretName('MYSQL_PWD')).toBe(true);
    expect(isSecretName('npm_config__authToken')).toBe(true);
  });

  it('reads maps pathnames with spaces and without', () => {
    const mm = parseMaps('00400000-00401000 r-xp 00000000 08:01 1 /dev/shm/a b (deleted)\n00500000-00501000 rw-p 00000000 00:00 0\n');
    expect(mm).toEqual({ regions: 2, mappedFiles: ['/dev/shm/a b'], deletedLibs: ['/dev/shm/a b'], writableDirLibs: ['/dev/shm/a b'] });
  });
});

describe('network tables', () => {
  it('decodes kernel addresses', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
    expect(decodeAddress('B80D01200100000002000000030000C0')).toBe('2001:db8:0:1:0:2:c000:3');
  });

  it('skips malformed lines', () => {
    expect(parseNetTable('header\nnot a row\n   0: 0100007F:0050 00000000:0000 0A 0:0 0:0 0 0 0 42 1\n')).toEqual([
      { localAddress: '127.0.0.1', localPort: 80, remoteAddress: '0.0.0.0', remotePort: 0, stateCode: 10, inode: 42 },
    ]);
  });
});

describe('login records', () => {
  it('round-trips utmp records', () => {
    const recs = parseUtmp(utmpRecords([{ type: USER_PROCESS, line: 'pts/9', user: 'u'.repeat(32), host: 'h', sec: 5 }]));
    expect(recs).toEqual([{ type: USER_PROCESS, pid: 1000, line: 'pts/9', user: 'u'.repeat(32), host: 'h', time: 5000 }]);
    expect(parseUtmp(Buffer.alloc(100))).toEqual([]); // partial record ignored
  });

  it('dates BSD syslog lines in the past year', () => {
    const now = new Date(2025, 0, 10, 12, 0, 0).getTime();
    expect(syslogTime('Jan  9 08:00:00 host x', now)).toBe(new Date(2025, 0, 9, 8, 0, 0).getTime());
    expect(syslogTime('Dec 31 23:00:00 host x', now)).toBe(new Date(2024, 11, 31, 23, 0, 0).getTime());
    expect(syslogTime('no time here', now)).toBeNull();
  });

  it('parses sshd accepted/failed lines only for the user', () => {
    const text = [
      'Jan  1 00:00:00 h sshd[1]: Accepted password for root from 1.1.1.1 port 1 ssh2',
      'Jan  1 00:00:01 h sshd[1]: Failed password for invalid user root2 from 2.2.2.2 port 1 ssh2',
      'Jan  1 00:00:02 h sshd[1]: Failed publickey for root from 3.3.3.3 port 1 ssh2',
      'Jan  1 00:00:03 h sudo: root : TTY=pts/0 ; COMMAND=/bin/true',
    ].join('\n');
    const r = parseAuthLog(text, 'root', Date.now());
    expect(r.last.map((x) => x.host)).toEqual(['1.1.1.1']);
    expect(r.failed.map((x) => x.host)).toEqual(['3.3.3.3']);
  });
});
