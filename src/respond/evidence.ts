// Preserve volatile evidence before anything is changed: raw /proc files, link targets, the executable
// (even when deleted from disk: /proc/PID/exe still opens the inode) and the script of an
// interpreter-run masquerade. Everything goes to a fresh 0700 directory with a SHA256SUMS file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { AuditLog, auditTarget, safeJson } from './audit';
import { failureOf, pidDir, readLink } from './procread';
import type { PinnedTarget } from './target';

export function defaultEvidenceDir(opts: { uid: number; env: Record<string, string | undefined> }): string {
  if (opts.uid === 0) return '/var/lib/minewatch/evidence';
  const state = opts.env.XDG_STATE_HOME;
  if (state && path.isAbsolute(state)) return path.join(state, 'minewatch', 'evidence');
  const home = opts.env.HOME || os.homedir();
  return path.join(home, '.local', 'state', 'minewatch', 'evidence');
}

export interface EvidenceFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface EvidenceResult {
  dir: string;
  files: EvidenceFile[];
  notes: string[];
}

export interface EvidenceOptions {
  procRoot?: string;
  dir: string;
  /** Total bound for everything written (default 256 MiB). */
  maxBytes?: number;
  /** Cap for each raw /proc file copied into the JSON (default 1 MiB; maps 4 MiB). */
  maxProcFileBytes?: number;
  /** Anything the caller wants kept with the evidence, e.g. the inspector's JSON. */
  extra?: unknown;
  audit?: AuditLog;
  now?: () => number;
}

const MiB = 1024 * 1024;
const PROC_FILES = ['stat', 'status', 'cmdline', 'comm', 'environ', 'cgroup', 'maps', 'loginuid', 'sessionid', 'limits', 'mountinfo', 'net/tcp', 'net/tcp6', 'net/udp', 'net/udp6'];
const INTERPRETERS = /^(sh|bash|dash|zsh|ksh|mksh|ash|busybox|fish|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|node|nodejs|lua[0-9.]*|tclsh[0-9.]*)$/;
/** Interpreter options that take a value, so the value is not mistaken for the script. */
const OPTION_WITH_VALUE = new Set(['-O', '-o', '-W', '-X', '-I', '-r', '--rcfile', '--init-file']);

class Budget {
  used = 0;
  constructor(readonly max: number) {}
  get left(): number {
    return Math.max(0, this.max - this.used);
  }
}

/** Create `dir` and any missing parents with mode 0700 (explicitly, whatever the umask). */
async function mkdirPrivate(dir: string): Promise<void> {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  while (!fs.existsSync(cur)) {
    missing.unshift(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const d of missing) {
    try {
      await fsp.mkdir(d, { mode: 0o700 });
      await fsp.chmod(d, 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function stamp(ms: number): string {
  // ISO 8601 with ':' replaced so the name is safe in every tool and file system.
  return new Date(ms).toISOString().replace(/:/g, '-');
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80) || 'script';
}

async function readCapped(file: string, cap: number): Promise<{ buf: Buffer; truncated: boolean } | { error: string }> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    // /proc files report size 0: read until EOF or the cap.
    for (;;) {
      const want = Math.min(64 * 1024, cap + 1 - total);
      if (want <= 0) break;
      const buf = Buffer.alloc(want);
      const { bytesRead } = await fh.read(buf, 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    const all = Buffer.concat(chunks);
    return all.length > cap ? { buf: all.subarray(0, cap), truncated: true } : { buf: all, truncated: false };
  } catch (err) {
    return { error: failureOf(err) === 'EOTHER' ? (err as NodeJS.ErrnoException).code ?? 'EOTHER' : failureOf(err) };
  } finally {
    await fh?.close();
  }
}

/** A raw byte copy as JSON: text when the bytes are valid UTF-8, base64 otherwise. */
function rawJson(buf: Buffer, truncated: boolean) {
  const text = buf.toString('utf8');
  const lossless = Buffer.from(text, 'utf8').equals(buf);
  return lossless
    ? { bytes: buf.length, truncated, encoding: 'utf8', data: text }
    : { bytes: buf.length, truncated, encoding: 'base64', data: buf.toString('base64') };
}

function hashBytes(buf: Buffer | string): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

async function writeNew(dir: string, name: string, data: Buffer | string, budget: Budget, files: EvidenceFile[], notes: string[]): Promise<boolean> {
  const bytes = Buffer.byteLength(data);
  if (bytes > budget.left) {
    notes.push(`${name} not written: ${bytes} bytes exceed the remaining evidence budget (${budget.left} bytes)`);
    return false;
  }
  await fsp.writeFile(path.join(dir, name), data, { flag: 'wx', mode: 0o600 });
  budget.used += bytes;
  files.push({ name, bytes, sha256: hashBytes(data) });
  return true;
}

/**
 * Stream `source` into `<dir>/<name>` while hashing. When the file is larger than the remaining
 * budget it is only hashed (not copied) and a note says so. Returns the hash and size of the source.
 */
async function copyStreaming(
  source: string,
  dir: string,
  name: string,
  budget: Budget,
  files: EvidenceFile[],
  notes: string[],
  expect?: { dev: number | null; ino: number | null; what: string },
): Promise<{ sha256: string; bytes: number; copied: boolean } | null> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(source, 'r');
  } catch (err) {
    notes.push(`${name} not copied: could not open ${source} (${(err as NodeJS.ErrnoException).code ?? err})`);
    return null;
  }
  try {
    const st = await fh.stat();
    if (expect && expect.dev !== null && expect.ino !== null && (st.dev !== expect.dev || st.ino !== expect.ino)) {
      notes.push(`${name}: the file now behind ${expect.what} is not the one pinned (inode changed); copied anyway, compare hashes with care`);
    }
    const copy = st.size <= budget.left;
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    let overflow = false;
    const limit = budget.left;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        if (copy && bytes > limit) {
          overflow = true;
          cb(new Error('evidence budget exceeded while copying'));
          return;
        }
        cb(null, copy ? chunk : undefined);
      },
    });
    const input = fh.createReadStream({ autoClose: false, start: 0 });
    const target = path.join(dir, name);
    try {
      if (copy) {
        await pipeline(input, counter, fs.createWriteStream(target, { flags: 'wx', mode: 0o600 }));
      } else {
        await pipeline(input, counter, async function* (src) {
          for await (const _ of src) void _;
        });
      }
    } catch (err) {
      if (copy) await fsp.rm(target, { force: true });
      if (overflow) {
        notes.push(`${name} not copied: it grew beyond the remaining evidence budget (${limit} bytes) while being copied`);
        return null;
      }
      notes.push(`${name} not copied: read failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return null;
    }
    const sha256 = hash.digest('hex');
    if (copy) {
      budget.used += bytes;
      files.push({ name, bytes, sha256 });
    } else {
      notes.push(`${name} not copied: ${bytes} bytes exceed the remaining evidence budget (${limit} bytes); sha256 of the original is ${sha256}`);
    }
    return { sha256, bytes, copied: copy };
  } finally {
    await fh.close();
  }
}

/** The script path of `interpreter [options] path/to/script ...`, or null (e.g. `sh -c '...'`). */
export function scriptArgument(exe: string | null, cmdline: string[]): string | null {
  const interp = path.basename(exe ?? cmdline[0] ?? '');
  if (!INTERPRETERS.test(interp) && !INTERPRETERS.test(path.basename(cmdline[0] ?? ''))) return null;
  for (let i = 1; i < cmdline.length; i++) {
    const a = cmdline[i];
    if (a === '-c' || a === '-e' || a === '-m' || a === '-E' || a === '--eval' || a === '-' || a === '--command') return null;
    if (a === '--') return cmdline[i + 1] ?? null;
    if (a.startsWith('-')) {
      if (OPTION_WITH_VALUE.has(a)) i++;
      continue;
    }
    return a === '' ? null : a;
  }
  return null;
}

interface ProcessCapture {
  json: Record<string, unknown>;
  cwd: string | null;
  fds: Record<string, string | null>;
}

async function captureProc(t: PinnedTarget, procRoot: string, cap: number, nowMs: number): Promise<ProcessCapture> {
  const dir = pidDir(procRoot, t.pid);
  const raw: Record<string, unknown> = {};
  for (const f of PROC_FILES) {
    const r = await readCapped(path.join(dir, f), f === 'maps' ? Math.max(cap, 4 * MiB) : cap);
    raw[f] = 'error' in r ? { error: r.error } : rawJson(r.buf, r.truncated);
  }
  const links: Record<string, unknown> = {};
  let cwd: string | null = null;
  for (const l of ['exe', 'cwd', 'root']) {
    const r = readLink(path.join(dir, l));
    links[l] = r.target === null ? { error: r.error } : { target: r.target, deleted: r.deleted };
    if (l === 'cwd') cwd = r.target;
  }
  const fds: Record<string, string | null> = {};
  let fdError: string | null = null;
  try {
    const names = (await fsp.readdir(path.join(dir, 'fd'))).sort((a, b) => Number(a) - Number(b)).slice(0, 4096);
    for (const n of names) {
      try {
        fds[n] = await fsp.readlink(path.join(dir, 'fd', n));
      } catch {
        fds[n] = null;
      }
    }
  } catch (err) {
    fdError = failureOf(err);
  }
  const json = {
    pinned: t,
    capturedAt: new Date(nowMs).toISOString(),
    proc: raw,
    links,
    fd: fdError ? { error: fdError } : fds,
  };
  return { json, cwd, fds };
}

export async function captureEvidence(targets: PinnedTarget[], opts: EvidenceOptions): Promise<EvidenceResult> {
  const procRoot = opts.procRoot ?? '/proc';
  const now = opts.now ?? Date.now;
  const budget = new Budget(opts.maxBytes ?? 256 * MiB);
  const cap = opts.maxProcFileBytes ?? MiB;
  const files: EvidenceFile[] = [];
  const notes: string[] = [];
  if (targets.length === 0) throw new Error('captureEvidence: no target');

  await mkdirPrivate(opts.dir);
  const baseName = `${stamp(now())}-pid${targets[0].pid}`;
  let dir = path.join(opts.dir, baseName);
  for (let n = 1; ; n++) {
    try {
      await fsp.mkdir(dir, { mode: 0o700 });
      await fsp.chmod(dir, 0o700);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 100) throw err;
      dir = path.join(opts.dir, `${baseName}-${n}`);
    }
  }

  const context = {
    capturedAt: new Date(now()).toISOString(),
    hostname: os.hostname(),
    uptimeSeconds: os.uptime(),
    kernel: `${os.type()} ${os.release()}`,
    minewatch: { pid: process.pid, uid: process.getuid?.() ?? null, euid: process.geteuid?.() ?? null, node: process.version },
    targets: targets.map((t) => ({ pid: t.pid, startTicks: t.startTicks, exe: t.exe, uid: t.uid, name: t.name })),
    extra: opts.extra ?? null,
  };
  await writeNew(dir, 'context.json', safeJson(context, 2) + '\n', budget, files, notes);

  for (const t of targets) {
    const pid = t.pid;
    const cap_ = await captureProc(t, procRoot, cap, now());
    const procJson = safeJson(cap_.json, 2) + '\n';
    await writeNew(dir, `process-${pid}.json`, procJson, budget, files, notes);

    if (t.exe !== null) {
      const r = await copyStreaming(path.join(pidDir(procRoot, pid), 'exe'), dir, `exe-${pid}.bin`, budget, files, notes, {
        dev: t.exeDev,
        ino: t.exeIno,
        what: `/proc/${pid}/exe`,
      });
      if (r && t.exeDeleted) notes.push(`exe-${pid}.bin was recovered through /proc/${pid}/exe: the file had been deleted from disk`);
    } else {
      notes.push(`exe-${pid}.bin not copied: the executable of PID ${pid} is unreadable (kernel thread, or needs root)`);
    }

    const script = scriptArgument(t.exe, t.cmdline);
    if (script) {
      const name = `script-${pid}-${safeName(path.basename(script))}`;
      // Relative paths resolve against the process's cwd, absolute ones against its root.
      const viaProc = path.isAbsolute(script)
        ? path.join(pidDir(procRoot, pid), 'root', script)
        : path.join(pidDir(procRoot, pid), 'cwd', script);
      const absolute = path.isAbsolute(script) ? script : cap_.cwd ? path.join(cap_.cwd, script) : null;
      let source = viaProc;
      if (!fs.existsSync(viaProc)) {
        // Deleted script: shells often keep it open (dash reads it from fd 10).
        const fd = Object.entries(cap_.fds).find(
          ([, target]) => target !== null && absolute !== null && (target === absolute || target === absolute + ' (deleted)'),
        );
        if (fd) {
          source = path.join(pidDir(procRoot, pid), 'fd', fd[0]);
          notes.push(`${name}: the script is no longer at ${absolute}; recovered through open file descriptor ${fd[0]}`);
        } else if (absolute !== null && fs.existsSync(absolute)) {
          source = absolute;
          notes.push(`${name}: read from ${absolute} on this host because ${viaProc} was not accessible (it may differ if the process runs in a container)`);
        }
      }
      await copyStreaming(source, dir, name, budget, files, notes);
    }

    // A miner's config.json (wallet, pool) next to the binary or in its working directory.
    const configs = [path.join(pidDir(procRoot, pid), 'cwd', 'config.json')];
    if (t.exe !== null && path.isAbsolute(t.exe)) configs.push(path.join(pidDir(procRoot, pid), 'root', path.dirname(t.exe), 'config.json'));
    const seen = new Set<string>();
    for (const c of configs) {
      try {
        const st = fs.statSync(c);
        const key = `${st.dev}:${st.ino}`;
        if (!st.isFile() || seen.has(key)) continue;
        seen.add(key);
        if (st.size > MiB) {
          notes.push(`config.json of PID ${pid} not copied: ${st.size} bytes is more than a config file should be`);
          continue;
        }
        await copyStreaming(c, dir, `config-${pid}-${seen.size}.json`, budget, files, notes);
      } catch {
        /* none there */
      }
    }
  }

  const sums = files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
  await fsp.writeFile(path.join(dir, 'SHA256SUMS'), sums, { flag: 'wx', mode: 0o600 });
  files.push({ name: 'SHA256SUMS', bytes: Buffer.byteLength(sums), sha256: hashBytes(sums) });

  if (opts.audit) {
    try {
      for (const t of targets) {
        opts.audit.append({
          action: 'evidence',
          target: auditTarget(t),
          result: 'ok',
          message: `evidence for PID ${t.pid} saved in ${dir}`,
          details: { dir, files: files.map((f) => f.name), notes },
        });
      }
    } catch (err) {
      notes.push(`the audit log could not be written: ${(err as Error).message}`);
    }
  }
  return { dir, files, notes };
}
