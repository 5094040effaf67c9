// The one fake-/proc builder: fixture /proc (and /) trees in a temp directory, written in the formats
// this directory reads (proc_pid_stat(5), proc_pid_status(5)...), so the reader, every rule, the
// inspector and the response engine run on exactly the process table a case needs. Used by the tests
// and by scripts/screenshot-fixture.ts; the program itself never imports it. It only ever writes
// under the temp directory it made.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PF_KTHREAD } from './stat';

export { PF_KTHREAD };

export interface FakeProc {
  pid: number;
  comm: string;
  ppid?: number;
  state?: string;
  /** All four uids (real, effective, saved, fs), unless euid is given. */
  uid?: number;
  /** Effective uid when it differs from the real one (setuid). */
  euid?: number;
  /** Supplementary groups (the Groups: line). */
  groups?: number[];
  pgrp?: number;
  session?: number;
  ttyNr?: number;
  flags?: number;
  utime?: number;
  stime?: number;
  /** CPU time of reaped children (stat fields 16 and 17). */
  cutime?: number;
  cstime?: number;
  threads?: number;
  startTicks?: number;
  rssPages?: number;
  /** argv; written NUL-separated with a trailing NUL. Default [comm]. */
  cmdline?: string[];
  /** Symlink target of exe; null = no link (kernel thread: ENOENT). */
  exe?: string | null;
  /** Symlink target of cwd; null = no link. */
  cwd?: string | null;
  /** The cgroup line; null = no cgroup file. */
  cgroup?: string | null;
  /** "NAME=value" entries; null = no environ file. */
  environ?: string[] | null;
  /** Override the pid written in stat field 1 (for H43). */
  statPid?: number;
  /** Raw stat content instead of the generated one. */
  rawStat?: string;
  /** Raw status content instead of the generated one; null = no status file. */
  rawStatus?: string | null;
}

export function statLine(p: FakeProc): string {
  const f = [
    p.state ?? 'S', p.ppid ?? 1, p.pgrp ?? p.pid, p.session ?? p.pid, p.ttyNr ?? 0, -1, p.flags ?? 4194560,
    0, 0, 0, 0, p.utime ?? 0, p.stime ?? 0, p.cutime ?? 0, p.cstime ?? 0, 20, 0, p.threads ?? 1, 0, p.startTicks ?? 1000,
    10_000_000, p.rssPages ?? 100, '18446744073709551615',
  ];
  return `${p.statPid ?? p.pid} (${p.comm}) ${f.join(' ')} 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
}

export function statusText(p: FakeProc): string {
  const uid = p.uid ?? 0;
  const euid = p.euid ?? uid;
  return `Name:\t${p.comm}\nUmask:\t0022\nState:\t${p.state ?? 'S'}\nTgid:\t${p.pid}\nPid:\t${p.pid}\nPPid:\t${p.ppid ?? 1}\n`
    + `Uid:\t${uid}\t${euid}\t${euid}\t${euid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`
    + `Groups:\t${(p.groups ?? []).join(' ')}\nNSpid:\t${p.pid}\nThreads:\t${p.threads ?? 1}\n`;
}

/** Write (or rewrite) the files of one process under `procDir`; returns its directory. */
export function writeProc(procDir: string, p: FakeProc): string {
  const dir = join(procDir, String(p.pid));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'stat'), p.rawStat ?? statLine(p));
  if (p.rawStatus !== null) writeFileSync(join(dir, 'status'), p.rawStatus ?? statusText(p));
  const argv = p.cmdline ?? [p.comm];
  writeFileSync(join(dir, 'cmdline'), argv.length ? Buffer.from(argv.join('\0') + '\0') : Buffer.alloc(0));
  writeFileSync(join(dir, 'comm'), p.comm + '\n');
  if (p.cgroup !== null) writeFileSync(join(dir, 'cgroup'), `${p.cgroup ?? '0::/user.slice/user-1001.slice/session-3.scope'}\n`);
  if (p.environ !== null) writeFileSync(join(dir, 'environ'), (p.environ ?? ['PATH=/usr/bin']).map((e) => e + '\0').join(''));
  if (p.exe !== null) symlinkSync(p.exe ?? `/usr/bin/${p.comm}`, join(dir, 'exe'));
  if (p.cwd !== null) symlinkSync(p.cwd ?? '/', join(dir, 'cwd'));
  return dir;
}

/** Make a FIFO at `path` (mkfifo(1): Node has no mkfifo); throws when it cannot, so no test silently skips. */
export function makeFifo(path: string): void {
  rmSync(path, { force: true });
  const r = spawnSync('mkfifo', ['-m', '0644', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.error?.message ?? r.stderr}`);
}

export const FIXTURE_PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'abc:x:1001:1001:abc:/home/abc:/bin/bash',
  'dev:x:1002:1002:dev:/home/dev:/bin/bash',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
].join('\n') + '\n';

/** A fixture host: `proc` (a /proc) and `root` (a / with etc/passwd), under one temp directory. */
export class ProcTree {
  readonly base: string;
  readonly proc: string;
  readonly root: string;

  constructor(opts: { prefix?: string; passwd?: string } = {}) {
    this.base = mkdtempSync(join(tmpdir(), opts.prefix ?? 'mw-proc-'));
    this.proc = join(this.base, 'proc');
    this.root = join(this.base, 'root');
    mkdirSync(this.proc);
    mkdirSync(join(this.root, 'etc'), { recursive: true });
    writeFileSync(join(this.proc, 'stat'), 'cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 1 2 3 4\nbtime 1700000000\n');
    writeFileSync(join(this.proc, 'uptime'), '1000.00 1900.00\n');
    mkdirSync(join(this.proc, 'sys/kernel'), { recursive: true });
    writeFileSync(join(this.proc, 'sys/kernel/hostname'), 'fixture-host\n');
    writeFileSync(join(this.proc, 'sys/kernel/osrelease'), '6.1.0-fixture\n');
    writeFileSync(join(this.root, 'etc/passwd'), opts.passwd ?? FIXTURE_PASSWD);
  }

  /** PID 1 (systemd) and kthreadd with a few kernel threads: a normal host. */
  withBaseSystem(): this {
    const kernel = { ppid: 2, uid: 0, flags: PF_KTHREAD, exe: null, cmdline: [], cgroup: '0::/', environ: [] };
    this.add({ pid: 1, comm: 'systemd', ppid: 0, uid: 0, cmdline: ['/sbin/init'], exe: '/usr/lib/systemd/systemd', cwd: '/', cgroup: '0::/init.scope' });
    this.add({ ...kernel, pid: 2, comm: 'kthreadd', ppid: 0 });
    this.add({ ...kernel, pid: 15, comm: 'rcu_preempt' });
    this.add({ ...kernel, pid: 16, comm: 'kworker/0:1-events' });
    this.add({ ...kernel, pid: 40, comm: 'kswapd0', utime: 0 });
    return this;
  }

  add(p: FakeProc): this {
    writeProc(this.proc, p);
    return this;
  }

  /** Rewrite stat only (CPU time, state, parent between two samples). */
  rewriteStat(p: FakeProc): void {
    this.procFile(`${p.pid}/stat`, p.rawStat ?? statLine(p));
  }

  /** Change utime (for CPU between two samples). */
  setCpu(p: FakeProc, utime: number): void {
    this.rewriteStat({ ...p, utime });
  }

  /** Point (or remove, with null) the exe link of a process. */
  setExe(pid: number, target: string | null): void {
    const link = join(this.proc, String(pid), 'exe');
    rmSync(link, { force: true });
    if (target !== null) symlinkSync(target, link);
  }

  /** Replace one file of a process with a FIFO nobody writes to (a hostile --proc tree). */
  fifo(pid: number, name: string): string {
    return this.procFifo(`${pid}/${name}`);
  }

  /** A FIFO at a path under the fixture /proc (host files: stat, self/mountinfo, net/tcp...). */
  procFifo(path: string): string {
    const full = join(this.proc, path);
    mkdirSync(join(full, '..'), { recursive: true });
    makeFifo(full);
    return full;
  }

  remove(pid: number): void {
    rmSync(join(this.proc, String(pid)), { recursive: true, force: true });
  }

  /** A file under the fixture root. */
  file(path: string, content: string | Buffer): this {
    const full = join(this.root, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
    return this;
  }

  /** A dpkg database under the root: the package's .list (and .md5sums when given). */
  dpkg(pkg: string, files: string[], md5sums: Record<string, string> = {}): this {
    this.file(`var/lib/dpkg/info/${pkg}.list`, files.join('\n') + '\n');
    const sums = Object.entries(md5sums).map(([f, h]) => `${h}  ${f.replace(/^\//, '')}`);
    if (sums.length > 0) this.file(`var/lib/dpkg/info/${pkg}.md5sums`, sums.join('\n') + '\n');
    this.file('var/lib/dpkg/status', '');
    return this;
  }

  /** A file under the fixture /proc (host files, net tables, fd/ entries...). */
  procFile(path: string, content: string | Buffer): this {
    const full = join(this.proc, path);
    mkdirSync(join(full, '..'), { recursive: true });
    rmSync(full, { force: true }); // it may be a FIFO: writing into one would block
    writeFileSync(full, content);
    return this;
  }

  cleanup(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}
