import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatInspect, inspectProcess, inspectQuick } from '../../src/inspect/index';
import type { InspectReport } from '../../src/inspect/types';
import { fakeElf, makeFixture, type Fixture } from './helpers';

// Any raw C0/C1 control character, DEL, or bidi/line-separator code point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let fx: Fixture;
beforeEach(() => {
  fx = makeFixture();
  // An executable whose path itself is hostile.
  const exe = path.join(fx.dir, 'evil\x1b[31mname\u202e');
  fs.writeFileSync(exe, fakeElf({ upx: true, extra: '\0stratum+tcp://pool.example.com:3333\x1b[2J\0' }));
  fs.symlinkSync(exe, path.join(fx.procRoot, '4242', 'exe'));
});
afterEach(() => fx.cleanup());

function text(r: InspectReport): string[] {
  const lines = formatInspect(r);
  for (const line of lines) expect(line).not.toMatch(CONTROL);
  return lines;
}

describe('formatInspect', () => {
  it('renders every section with hostile strings escaped', async () => {
    const r = await inspectProcess(4242, { procRoot: fx.procRoot, root: fx.root });
    const lines = text(r);
    const all = lines.join('\n');
    expect(lines[0]).toBe(`Process 4242 "rcu-sched" (state S), inspected ${new Date(r.takenAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`);
    expect(all).toContain('user      alice (uid 1000)');
    expect(all).toContain('groups    alice(1000), docker(999)');
    expect(all).toContain('sudo      YES: /etc/sudoers.d/x');
    expect(all).toContain('parents   400 sshd <- 1 systemd');
    expect(all).toContain('evil\\x1b[31mname\\u202e');
    expect(all).toContain('type      UPX-packed ELF 64-bit LSB executable');
    expect(all).toMatch(/sha256    [0-9a-f]{64}/);
    expect(all).toContain('[stratum] stratum+tcp://pool.example.com:3333');
    expect(all).toContain('Command line  rcu-sched --donate-level=1 \\x1b[2Jgotcha');
    expect(all).toContain('!! LD_PRELOAD=/tmp/.x/libhide.so');
    expect(all).toContain('TERM=xterm\\x1b]0;pwned\\x07');
    expect(all).toContain('AWS_SECRET_ACCESS_KEY=<masked, 38 chars>');
    expect(all).not.toContain('hunter2');
    expect(all).toContain('tcp  10.0.0.5:41234 -> 203.0.113.7:3333  ESTABLISHED  [mining pool port]');
    expect(all).toContain('tcp  127.0.0.1:8080 -> *  LISTEN');
    expect(all).not.toMatch(/8080.*mining pool port/);
    expect(all).toContain('deleted code still mapped:');
    expect(all).toContain('    /usr/lib/libevil.so');
    expect(all).toContain('Logins of the owner (/var/log/auth.log)');
    expect(all).toContain('Shell history (/home/alice/.bash_history, last 20 lines)');
    expect(all).toContain('  echo \\x1b[31mred');
  });

  it('says when hashes were not computed and when sections are unavailable', () => {
    const lines = text(inspectQuick(4301, { procRoot: fx.procRoot, root: fx.root }));
    expect(lines[0]).toMatch(/^Process 4301 "a\) \(weird" \(state S\)/);
    expect(lines).toContain('Executable: unavailable (no executable: kernel thread or zombie)');
    expect(lines).toContain('Environment: unavailable (no such file)');
    expect(lines).toContain('Shell history: unavailable (no shell history in /home/carol)');
    expect(lines).toContain('  sudo      no: not in sudo/wheel/admin and no sudoers rule names the user or its groups');
    const q = text(inspectQuick(4242, { procRoot: fx.procRoot, root: fx.root }));
    expect(q).toContain('  hashes    not computed (quick inspection)');
  });

  it('a vanished process is one header and reasons', () => {
    const lines = text(inspectQuick(999999, { procRoot: fx.procRoot, root: fx.root }));
    expect(lines[0]).toMatch(/^Process 999999, inspected /);
    expect(lines).toContain('Identity: unavailable (process has exited)');
    expect(lines).toHaveLength(11);
  });

  it('caps long lists', () => {
    const r = inspectQuick(4242, { procRoot: fx.procRoot, root: fx.root });
    if (!r.openFiles.ok) throw new Error('fixture');
    r.openFiles.data.files = Array.from({ length: 100 }, (_, i) => `/f${i}`);
    const lines = text(r);
    expect(lines).toContain('  /f19');
    expect(lines).not.toContain('  /f20');
    expect(lines).toContain('  … 80 more');
  });

  it('open-file counts add up to the fd total (several fds on one file count once per fd)', () => {
    const r = inspectQuick(4242, { procRoot: fx.procRoot, root: fx.root });
    if (!r.openFiles.ok) throw new Error('fixture');
    r.openFiles.data = { ...r.openFiles.data, total: 9, files: ['/a'], fds: { files: 3, sockets: 2, pipes: 1, other: 1 }, unreadable: 1 };
    const head = text(r).find((l) => l.startsWith('Open files ('))!;
    expect(head).toBe('Open files (9 fds: 3 on files, 2 sockets, 1 pipes, 1 other, 1 unreadable, 1 closed while read, 1 distinct files)');
    const [total, ...parts] = [...head.matchAll(/(\d+) (fds|on files|sockets|pipes|other|unreadable|closed while read)/g)].map((m) => Number(m[1]));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
  });
});
