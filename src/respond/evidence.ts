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
import {
  SafeTree, at, self, closeQuietly, createNew, describeRefusal, mkdirUnique, openFileAt, privateDir, writeNew as createFileWith,
  type PinnedDir, type Refusal,
} from '../fsafe/index';
import { failureOf, pidDir, readLink } from './procread';
import type { PinnedTarget } from './target';
import { parseLaunch } from '../model/launch';

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

class Budget {
  used = 0;
  constructor(readonly max: number) {}
  get left(): number {
    return Math.max(0, this.max - this.used);
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
    // O_NONBLOCK: a FIFO in a --proc tree must not hang the capture.
    fh = await fsp.open(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
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

function writeNew(dir: PinnedDir, name: string, data: Buffer | string, budget: Budget, files: EvidenceFile[], notes: string[]): boolean {
  const bytes = Buffer.byteLength(data);
  if (bytes > budget.left) {
    notes.push(`${name} not written: ${bytes} bytes exceed the remaining evidence budget (${budget.left} bytes)`);
    return false;
  }
  const r = createFileWith(dir, name, data);
  if (!r.ok) {
    notes.push(`${name} not written: ${describeRefusal(r)}`);
    return false;
  }
  budget.used += bytes;
  files.push({ name, bytes, sha256: hashBytes(data) });
  return true;
}

/** A source opened for copying: its descriptor and fstat. */
interface Source {
  fd: number;
  stat: fs.Stats;
}

/** Open a link the kernel keeps to an open file (/proc/PID/exe, /proc/PID/fd/N): regular files only. */
function openKernelLink(p: string): Source | string {
  let fd: number;
  try {
    fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    return `could not open ${p} (${(err as NodeJS.ErrnoException).code ?? err})`;
  }
  const stat = fs.fstatSync(fd);
  if (!stat.isFile()) {
    closeQuietly(fd);
    return `${p} is not a regular file`;
  }
  return { fd, stat };
}

/** Open a file a user controls, through the safe opener (never a symlink, never a FIFO). */
function openUserFile(tree: SafeTree, hostPath: string, owners: number[]): Source | Refusal {
  const parent = tree.parentOf(hostPath, { owners });
  if ('ok' in parent) return parent;
  try {
    return openFileAt(parent.walked.dir, parent.name, hostPath, parent.walked.policy);
  } finally {
    parent.walked.dir.close();
  }
}

/**
 * Stream `source` into `<dir>/<name>` while hashing. When the file is larger than the remaining
 * budget it is only hashed (not copied) and a note says so. Returns the hash and size of the source.
 */
async function copyStreaming(
  source: Source,
  dir: PinnedDir,
  name: string,
  budget: Budget,
  files: EvidenceFile[],
  notes: string[],
  expect?: { dev: number | null; ino: number | null; what: string },
): Promise<{ sha256: string; bytes: number; copied: boolean } | null> {
  // A second descriptor on the same open file (through our own descriptor table) for an async handle.
  const fh = await fsp.open(self(source.fd), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK).catch(() => null);
  closeQuietly(source.fd);
  if (!fh) {
    notes.push(`${name} not copied: the opened file could not be read again`);
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
    let created = false;
    try {
      if (copy) {
        const out = createNew(dir, name);
        if ('ok' in out) {
          notes.push(`${name} not copied: ${describeRefusal(out)}`);
          return null;
        }
        created = true;
        await pipeline(input, counter, fs.createWriteStream('', { fd: out.fd, autoClose: true }));
      } else {
        await pipeline(input, counter, async function* (src) {
          for await (const _ of src) void _;
        });
      }
    } catch (err) {
      if (created) {
        try {
          fs.unlinkSync(at(dir.fd, name));
        } catch {
          /* already gone */
        }
      }
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

/**
 * The script of `interpreter [options] path/to/script ...` (the one launch model, src/model/launch.ts):
 * as given, and resolved against `cwd`; null for inline code (`sh -c '...'`), modules and non-interpreters.
 */
export function scriptArgument(exe: string | null, cmdline: string[], cwd: string | null = null):
  { asGiven: string; path: string | null; resolvedAgainst: string | null } | null {
  const l = parseLaunch({ argv: cmdline, exe, cwd });
  const runsFile = l.mode === 'script' || (l.mode === 'program' && l.wrappers.length > 0);
  if (!runsFile || !l.asGiven) return null;
  return { asGiven: l.asGiven, path: l.path, resolvedAgainst: l.resolvedAgainst };
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

  // The evidence directory: created by minewatch, ours, 0700, parents writable by nobody else; each
  // capture in a fresh subdirectory pinned by descriptor, so no rename or symlink swap can redirect a file.
  const top = privateDir(opts.dir, { create: true });
  if ('ok' in top) throw new Error(`evidence directory refused: ${describeRefusal(top)}`);
  const made = mkdirUnique(top, `${stamp(now())}-pid${targets[0].pid}`);
  top.close();
  if ('ok' in made) throw new Error(`evidence directory refused: ${describeRefusal(made)}`);
  const pinnedDir = made;
  const dir = path.join(path.resolve(opts.dir), path.basename(made.hostPath));
  try {
    return await captureInto(targets, pinnedDir, dir, { procRoot, now, budget, cap, files, notes, extra: opts.extra, audit: opts.audit });
  } finally {
    pinnedDir.close();
  }
}

interface CaptureState {
  procRoot: string;
  now: () => number;
  budget: Budget;
  cap: number;
  files: EvidenceFile[];
  notes: string[];
  extra: unknown;
  audit?: AuditLog;
}

async function captureInto(targets: PinnedTarget[], pd: PinnedDir, dir: string, c: CaptureState): Promise<EvidenceResult> {
  const { procRoot, now, budget, cap, files, notes } = c;
  const opts = { extra: c.extra, audit: c.audit };
  const context = {
    capturedAt: new Date(now()).toISOString(),
    hostname: os.hostname(),
    uptimeSeconds: os.uptime(),
    kernel: `${os.type()} ${os.release()}`,
    minewatch: { pid: process.pid, uid: process.getuid?.() ?? null, euid: process.geteuid?.() ?? null, node: process.version },
    targets: targets.map((t) => ({ pid: t.pid, startTicks: t.startTicks, exe: t.exe, uid: t.uid, name: t.name })),
    extra: opts.extra ?? null,
  };
  writeNew(pd, 'context.json', safeJson(context, 2) + '\n', budget, files, notes);

  for (const t of targets) {
    const pid = t.pid;
    const cap_ = await captureProc(t, procRoot, cap, now());
    const procJson = safeJson(cap_.json, 2) + '\n';
    writeNew(pd, `process-${pid}.json`, procJson, budget, files, notes);

    if (t.exe !== null) {
      const src = openKernelLink(path.join(pidDir(procRoot, pid), 'exe'));
      if (typeof src === 'string') notes.push(`exe-${pid}.bin not copied: ${src}`);
      else {
        const r = await copyStreaming(src, pd, `exe-${pid}.bin`, budget, files, notes, { dev: t.exeDev, ino: t.exeIno, what: `/proc/${pid}/exe` });
        if (r && t.exeDeleted) notes.push(`exe-${pid}.bin was recovered through /proc/${pid}/exe: the file had been deleted from disk`);
      }
    } else {
      notes.push(`exe-${pid}.bin not copied: the executable of PID ${pid} is unreadable (kernel thread, or needs root)`);
    }

    // Files the process's user controls are opened through the safe opener, in the process's own view
    // of the file system: /proc/PID/cwd for a relative script, /proc/PID/root for an absolute one.
    const cwdTree = new SafeTree(path.join(pidDir(procRoot, pid), 'cwd'));
    const rootTree = new SafeTree(path.join(pidDir(procRoot, pid), 'root'));
    const owners = [t.uid];
    try {
      const launch = scriptArgument(t.exe, t.cmdline, cap_.cwd);
      const script = launch?.asGiven ?? null;
      if (script) {
        const name = `script-${pid}-${safeName(path.basename(script))}`;
        const absolute = launch!.path;
        let src: Source | Refusal | string = path.isAbsolute(script)
          ? openUserFile(rootTree, absolute!, owners)
          : openUserFile(cwdTree, path.posix.join('/', script), owners);
        if ('reason' in src && (src.reason === 'missing' || src.reason === 'no-proc')) {
          // Deleted script: shells often keep it open (dash reads it from fd 10).
          const fd = Object.entries(cap_.fds).find(
            ([, target]) => target !== null && absolute !== null && (target === absolute || target === absolute + ' (deleted)'),
          );
          if (fd) {
            src = openKernelLink(path.join(pidDir(procRoot, pid), 'fd', fd[0]));
            if (typeof src !== 'string') notes.push(`${name}: the script is no longer at ${absolute}; recovered through open file descriptor ${fd[0]}`);
          }
        }
        if (typeof src === 'string') notes.push(`${name} not copied: ${src}`);
        else if ('reason' in src) notes.push(`${name} not copied: ${describeRefusal(src)}`);
        else await copyStreaming(src, pd, name, budget, files, notes);
      }

      // A miner's config.json (wallet, pool) next to the binary or in its working directory.
      const configs: [SafeTree, string][] = [[cwdTree, '/config.json']];
      if (t.exe !== null && path.isAbsolute(t.exe)) configs.push([rootTree, path.posix.join(path.posix.dirname(t.exe), 'config.json')]);
      const seen = new Set<string>();
      for (const [tree, p] of configs) {
        const src = openUserFile(tree, p, owners);
        if ('reason' in src) {
          if (src.reason !== 'missing' && src.reason !== 'no-proc') notes.push(`config.json of PID ${pid} not copied: ${describeRefusal(src)}`);
          continue;
        }
        const key = `${src.stat.dev}:${src.stat.ino}`;
        if (seen.has(key)) {
          closeQuietly(src.fd);
          continue;
        }
        seen.add(key);
        if (src.stat.size > MiB) {
          closeQuietly(src.fd);
          notes.push(`config.json of PID ${pid} not copied: ${src.stat.size} bytes is more than a config file should be`);
          continue;
        }
        await copyStreaming(src, pd, `config-${pid}-${seen.size}.json`, budget, files, notes);
      }
    } finally {
      cwdTree.close();
      rootTree.close();
    }
  }

  const sums = files.map((f) => `${f.sha256}  ${f.name}\n`).join('');
  const written = createFileWith(pd, 'SHA256SUMS', sums);
  if (written.ok) files.push({ name: 'SHA256SUMS', bytes: Buffer.byteLength(sums), sha256: hashBytes(sums) });
  else notes.push(`SHA256SUMS not written: ${describeRefusal(written)}`);

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
