// Builds fixture /proc (and /) trees in a temp directory from a compact description, so the reader and
// every rule can be tested on exactly the process table a case needs, without touching the live system.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeProc {
  pid: number;
  comm: string;
  ppid?: number;
  state?: string;
  uid?: number;
  session?: number;
  ttyNr?: number;
  flags?: number;
  utime?: number;
  stime?: number;
  threads?: number;
  startTicks?: number;
  rssPages?: number;
  /** argv; written NUL-separated with a trailing NUL. */
  cmdline?: string[];
  /** Symlink target of exe; null = no link (kernel thread: ENOENT). */
  exe?: string | null;
  cwd?: string | null;
  cgroup?: string;
  environ?: string[];
  /** Override the pid written in stat field 1 (for H43). */
  statPid?: number;
  /** Raw stat content instead of the generated one. */
  rawStat?: string;
}

export const PF_KTHREAD = 0x00200000;

export function statLine(p: FakeProc): string {
  const f = [
    p.state ?? 'S', p.ppid ?? 1, p.pid, p.session ?? p.pid, p.ttyNr ?? 0, -1, p.flags ?? 4194560,
    0, 0, 0, 0, p.utime ?? 0, p.stime ?? 0, 0, 0, 20, 0, p.threads ?? 1, 0, p.startTicks ?? 1000,
    10_000_000, p.rssPages ?? 100, '18446744073709551615',
  ];
  return `${p.statPid ?? p.pid} (${p.comm}) ${f.join(' ')} 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
}

export class ProcTree {
  readonly base: string;
  readonly proc: string;
  readonly root: string;

  constructor() {
    this.base = mkdtempSync(join(tmpdir(), 'mw-proc-'));
    this.proc = join(this.base, 'proc');
    this.root = join(this.base, 'root');
    mkdirSync(this.proc);
    mkdirSync(join(this.root, 'etc'), { recursive: true });
    writeFileSync(join(this.proc, 'stat'), 'cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 2 3 4\nbtime 1700000000\n');
    writeFileSync(join(this.proc, 'uptime'), '1000.00 1900.00\n');
    mkdirSync(join(this.proc, 'sys/kernel'), { recursive: true });
    writeFileSync(join(this.proc, 'sys/kernel/hostname'), 'fixture-host\n');
    writeFileSync(join(this.proc, 'sys/kernel/osrelease'), '6.1.0-fixture\n');
    writeFileSync(join(this.root, 'etc/passwd'), [
      'root:x:0:0:root:/root:/bin/bash',
      'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
      'abc:x:1001:1001:abc:/home/abc:/bin/bash',
      'dev:x:1002:1002:dev:/home/dev:/bin/bash',
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    ].join('\n') + '\n');
  }

  /** PID 1 (systemd) and kthreadd with a few kernel threads: a normal host. */
  withBaseSystem(): this {
    this.add({ pid: 1, comm: 'systemd', ppid: 0, uid: 0, cmdline: ['/sbin/init'], exe: '/usr/lib/systemd/systemd', cwd: '/', cgroup: '0::/init.scope' });
    this.add({ pid: 2, comm: 'kthreadd', ppid: 0, uid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' });
    this.add({ pid: 15, comm: 'rcu_preempt', ppid: 2, uid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' });
    this.add({ pid: 16, comm: 'kworker/0:1-events', ppid: 2, uid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/' });
    this.add({ pid: 40, comm: 'kswapd0', ppid: 2, uid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], utime: 0, cgroup: '0::/' });
    return this;
  }

  add(p: FakeProc): this {
    const dir = join(this.proc, String(p.pid));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stat'), p.rawStat ?? statLine(p));
    const uid = p.uid ?? 0;
    writeFileSync(join(dir, 'status'), `Name:\t${p.comm}\nPid:\t${p.pid}\nPPid:\t${p.ppid ?? 1}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\nThreads:\t${p.threads ?? 1}\n`);
    const argv = p.cmdline ?? [p.comm];
    writeFileSync(join(dir, 'cmdline'), argv.length ? Buffer.from(argv.join('\0') + '\0') : Buffer.alloc(0));
    writeFileSync(join(dir, 'cgroup'), `${p.cgroup ?? '0::/user.slice/user-1001.slice/session-3.scope'}\n`);
    writeFileSync(join(dir, 'environ'), (p.environ ?? ['PATH=/usr/bin']).join('\0') + '\0');
    if (p.exe !== null) symlinkSync(p.exe ?? `/usr/bin/${p.comm}`, join(dir, 'exe'));
    if (p.cwd !== null) symlinkSync(p.cwd ?? '/', join(dir, 'cwd'));
    return this;
  }

  /** Change utime (for CPU between two samples). */
  setCpu(p: FakeProc, utime: number): void {
    writeFileSync(join(this.proc, String(p.pid), 'stat'), statLine({ ...p, utime }));
  }

  file(path: string, content: string | Buffer): this {
    const full = join(this.root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
    return this;
  }

  procFile(path: string, content: string): this {
    const full = join(this.proc, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
    return this;
  }

  cleanup(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}
