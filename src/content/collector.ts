// Content evidence, bounded and cached, off the tick: for processes that already show a sign or burn
// CPU, read a miner configuration next to them (the cwd and the executable's directory, through the
// kernel's links and the safe opener), scan their executable for miner strings (the inspector's
// bounded scanner, cached by device, inode, size and mtime), hash the executable where its package
// recorded a digest to compare with, hash a deleted image replaced at its path, and list executable
// mappings from writable or hidden places. Detection reads the results as
// snapshot.content on the next tick; nothing here blocks a frame: the strings scan streams and yields.
import * as path from 'node:path';
import { readBounded, openFileAt, policy, isRefusal, type PinnedDir } from '../fsafe/index';
import { hashFile, StringsScanner } from '../inspect/executable';
import { hiddenDirs } from '../model/toolchain';
import type { Assessment, ContentFacts, ProcessInfo, Snapshot } from '../model';
import { openCwd, processRootTree } from '../procfs/around';
import { attempt, openExe, readMaps, sharesMountNamespace } from '../procfs/pid';
import { closeSync, fstatSync, readSync } from 'node:fs';
import { parseMinerConfig } from './minerConfig';

const CONFIG_NAMES = ['config.json', 'config.txt', 'pools.txt'];
const CONFIG_MAX = 64 * 1024;
/** At most this many processes are looked at per update, strongest first (the dashboard's default). */
const PER_UPDATE = 6;
/** Bytes of the executable scanned for strings (xmrig's strings sit in its first megabytes). */
const STRINGS_LIMIT = 4 * 1024 * 1024;
const RECHECK_MS = 60_000;
/**
 * Larger executables are not hashed to compare with their package: no packaged program comes near it,
 * and a process can show anything at a packaged path in its own mount namespace.
 */
const IMAGE_LIMIT = 1024 * 1024 * 1024;
const WRITABLE = /^\/(tmp|var\/tmp|dev\/shm|run\/shm|dev\/mqueue)\//;

interface Entry {
  startTicks: number;
  /** The executable when it was looked at: an exec since makes the facts another program's. */
  exe: string | null;
  facts: ContentFacts;
  at: number;
}

export interface CollectorOptions {
  procRoot?: string;
  root?: string;
  now?: () => number;
  /** Processes looked at per update (default 6: the dashboard spreads them over ticks; a scan takes more). */
  perUpdate?: number;
  /** Wall time an update may take before it leaves the rest for the next one (default 500 ms). */
  budgetMs?: number;
  /** Whether the package that installed `exe` recorded its digest: only then is the whole file hashed. */
  packaged?: (exe: string) => boolean;
}

/** Read and scanned between two turns of the event loop: about 10 ms of work idle, so a key waits no longer. */
const CHUNK = 64 * 1024;

function belowHigh(a: Assessment | undefined): boolean {
  return !a || a.severity === 'none' || a.severity === 'low' || a.severity === 'medium';
}

/**
 * The inspector's strings scanner over the first `limit` bytes of an open file, a chunk at a time,
 * yielding to the event loop between chunks (a UI keeps drawing). Closes the descriptor.
 */
async function scanStrings(fd: number, limit: number): Promise<{ stringsHits: ReturnType<StringsScanner['finish']>; stringsScanned: number }> {
  const scanner = new StringsScanner();
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    let pos = 0;
    while (pos < limit) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, limit - pos), pos);
      if (n <= 0) break;
      scanner.push(buf.subarray(0, n));
      pos += n;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    try { closeSync(fd); } catch { /* closed */ }
  }
  return { stringsHits: scanner.finish(), stringsScanned: scanner.scanned };
}

export class ContentCollector {
  private readonly procRoot: string;
  private readonly now: () => number;
  private readonly byPid = new Map<number, Entry>();
  /** Strings of executables already scanned, by dev:ino:size:mtime. */
  private readonly strings = new Map<string, ContentFacts['exeStrings']>();
  /** Digests of executables already hashed, by dev:ino:size:mtime. */
  private readonly images = new Map<string, ContentFacts['exeImage']>();
  private readonly packaged: (exe: string) => boolean;
  private busy: Promise<void> | null = null;
  private readonly perUpdate: number;
  private readonly budgetMs: number;

  constructor(opts: CollectorOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.now = opts.now ?? Date.now;
    this.perUpdate = opts.perUpdate ?? PER_UPDATE;
    this.budgetMs = opts.budgetMs ?? 500;
    this.packaged = opts.packaged ?? (() => false);
  }

  /** What is known for the processes of this snapshot (same PID and start time). */
  facts(snapshot: Snapshot): Map<number, ContentFacts> {
    const out = new Map<number, ContentFacts>();
    for (const [pid, e] of this.byPid) {
      const p = snapshot.processes.get(pid);
      if (!p || p.startTicks !== e.startTicks || p.exe !== e.exe) { this.byPid.delete(pid); continue; }
      if (Object.values(e.facts).some((v) => v)) out.set(pid, e.facts);
    }
    return out;
  }

  /** Whether a process deserves a look: another sign already, or busy. */
  static candidate(p: ProcessInfo, a: Assessment | undefined): boolean {
    if (p.kernelThread || p.exe === null) return false;
    return (a !== undefined && a.findings.some((f) => f.weight >= 2)) || p.cpuPercent >= 50;
  }

  /**
   * Look at the candidates not looked at recently; one update at a time (a second call joins it). The
   * cheap looks (a config file, the maps) are done for up to 256 candidates; the costly ones (reading an
   * executable's strings, hashing a replaced image) for the first `perUpdate` by priority, within a
   * budget of minewatch's own CPU time (not wall time: a loaded host must not starve it, nor it the host).
   */
  update(snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): Promise<void> {
    if (this.busy) return this.busy;
    const now = this.now();
    const due = [...snapshot.processes.values()]
      .filter((p) => ContentCollector.candidate(p, assessments.get(p.pid)))
      .filter((p) => { const e = this.byPid.get(p.pid); return !e || e.startTicks !== p.startTicks || e.exe !== p.exe || now - e.at > RECHECK_MS; })
      // Where content can change the verdict first (below high), then the strongest signs, then the busiest.
      .sort((a, b) => Number(belowHigh(assessments.get(b.pid))) - Number(belowHigh(assessments.get(a.pid)))
        || (assessments.get(b.pid)?.score ?? 0) - (assessments.get(a.pid)?.score ?? 0) || b.cpuPercent - a.cpuPercent)
      .slice(0, 256);
    if (due.length === 0) return Promise.resolve();
    const cpu0 = process.cpuUsage();
    const wall0 = this.now();
    this.busy = (async () => {
      let costly = 0;
      for (const p of due) {
        const spent = process.cpuUsage(cpu0);
        // CPU time bounds our cost to the host; a wall-time cap (3x) bounds a wait on a disk-bound host.
        const mayCost = costly < this.perUpdate && (spent.user + spent.system) / 1000 < this.budgetMs
          && this.now() - wall0 < 3 * this.budgetMs;
        if (mayCost) costly++;
        const facts = await this.look(p, mayCost).catch(() => ({} as ContentFacts));
        // Without the costly looks, come back to it on a later update.
        this.byPid.set(p.pid, { startTicks: p.startTicks, exe: p.exe, facts, at: mayCost ? this.now() : 0 });
        // A turn of the event loop between candidates: the cheap looks are synchronous, and 256 of them
        // in one go held keys and frames back (139 ms idle, several times that on a pegged host).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })().finally(() => { this.busy = null; });
    return this.busy;
  }

  private async look(p: ProcessInfo, costly: boolean): Promise<ContentFacts> {
    const facts: ContentFacts = {};
    facts.minerConfig = this.minerConfig(p);
    facts.execMaps = this.execMaps(p);
    if (costly) {
      facts.exeStrings = await this.exeStrings(p);
      // a container's process names paths of its own image: the host's package database does not describe them
      if (!p.exeDeleted && p.exe && sharesMountNamespace(this.procRoot, p.pid) !== false && this.packaged(p.exe)) facts.exeImage = await this.exeImage(p);
      if (p.exeDeleted && p.exePathExists) facts.replacedImage = await this.replacedImage(p);
    }
    return facts;
  }

  private readConfigIn(dir: PinnedDir, where: string, owners: number[]): ContentFacts['minerConfig'] {
    const pol = policy(owners);
    for (const name of CONFIG_NAMES) {
      const opened = openFileAt(dir, name, path.posix.join(where, name), pol);
      if (isRefusal(opened)) continue;
      try {
        const read = readBounded(opened.fd, opened.stat, name, { maxBytes: CONFIG_MAX });
        if (isRefusal(read)) continue;
        const text = read.data.toString('utf8');
        const cfg = parseMinerConfig(text);
        if (!cfg) continue;
        const excerpt = (cfg.pools[0] ?? cfg.strong.join(', ')).slice(0, 160);
        return { file: path.posix.join(where, name), keys: cfg.keys, pools: cfg.pools, excerpt };
      } finally {
        try { closeSync(opened.fd); } catch { /* closed */ }
      }
    }
    return null;
  }

  private minerConfig(p: ProcessInfo): ContentFacts['minerConfig'] {
    const owners = p.uid === null ? [] : [p.uid];
    const cwd = openCwd(this.procRoot, p.pid);
    if (cwd) {
      try {
        const found = this.readConfigIn(cwd, p.cwd ?? '(cwd)', owners);
        if (found) return found;
      } finally { cwd.close(); }
    }
    if (p.exe && p.exe.startsWith('/') && !p.exeMemfd) {
      const dirName = path.posix.dirname(p.exe);
      if (p.cwd && path.posix.normalize(p.cwd) === dirName) return null;
      const tree = processRootTree(this.procRoot, p.pid);
      try {
        const dir = tree.openDir(dirName, { owners });
        if (isRefusal(dir)) return null;
        try { return this.readConfigIn(dir, dirName, owners); } finally { dir.close(); }
      } finally { tree.close(); }
    }
    return null;
  }

  /** The running executable, opened through the kernel's link, its identity (dev:ino:size:mtime) and size. */
  private openImage(p: ProcessInfo): { fd: number; key: string; size: number } | null {
    const fd = attempt(() => openExe(this.procRoot, p.pid));
    if (fd === null) return null;
    try {
      const st = fstatSync(fd);
      return { fd, key: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`, size: st.size };
    } catch { closeSync(fd); return null; }
  }

  /** The whole running executable's SHA-256 and MD5 (what rpm and dpkg record), cached per file. */
  private async exeImage(p: ProcessInfo): Promise<ContentFacts['exeImage']> {
    const opened = this.openImage(p);
    if (!opened) return null;
    const { fd, key, size } = opened;
    if (size > IMAGE_LIMIT) { closeSync(fd); return null; }
    if (this.images.has(key)) { closeSync(fd); return this.images.get(key) ?? null; }
    const h = await hashFile(fd, { stringsLimit: 0 }).catch(() => null);
    const result = h ? { sha256: h.sha256, md5: h.md5 } : null;
    if (this.images.size > 2000) this.images.clear();
    this.images.set(key, result);
    return result;
  }

  private async exeStrings(p: ProcessInfo): Promise<ContentFacts['exeStrings']> {
    const opened = this.openImage(p);
    if (!opened) return null;
    const { fd, key } = opened;
    if (this.strings.has(key)) { closeSync(fd); return this.strings.get(key) ?? null; }
    const r = await scanStrings(fd, STRINGS_LIMIT);
    const matches = r.stringsHits.filter((h) => h.kind === 'stratum' || h.kind === 'miner' || h.kind === 'pool' || h.kind === 'wallet')
      .map((h) => `${h.kind}: ${h.text}`).slice(0, 8);
    const result = matches.length > 0 ? { matches, bytesScanned: r.stringsScanned } : null;
    if (this.strings.size > 2000) this.strings.clear();
    this.strings.set(key, result);
    return result;
  }

  private execMaps(p: ProcessInfo): string[] | null {
    const text = attempt(() => readMaps(this.procRoot, p.pid));
    if (!text) return null;
    const out = new Set<string>();
    for (const line of text.split('\n')) {
      const f = line.split(/\s+/);
      if (f.length < 6 || !f[1]?.includes('x')) continue;
      const file = f.slice(5).join(' ');
      if (!file.startsWith('/') || file.startsWith('/memfd:') || file === p.exe) continue;
      const deleted = file.endsWith(' (deleted)');
      const real = deleted ? file.slice(0, -10) : file;
      if (real === p.exe) continue;
      if (WRITABLE.test(real) || hiddenDirs(real).length > 0 || (deleted && !/^\/(usr|lib|lib64|opt)\//.test(real))) out.add(file);
      if (out.size >= 8) break;
    }
    return out.size > 0 ? [...out] : null;
  }

  private async replacedImage(p: ProcessInfo): Promise<ContentFacts['replacedImage']> {
    const fd = attempt(() => openExe(this.procRoot, p.pid));
    if (fd === null || !p.exe) return null;
    const running = await hashFile(fd, { stringsLimit: 0 });
    // The file now at the path, as the process's root sees it, through the safe opener.
    const tree = processRootTree(this.procRoot, p.pid);
    try {
      const parent = tree.parentOf(p.exe);
      if (isRefusal(parent)) return { runningSha256: running.sha256, onDiskSha256: null, onDiskMd5: null };
      try {
        const opened = openFileAt(parent.walked.dir, parent.name, p.exe, parent.walked.policy);
        if (isRefusal(opened)) return { runningSha256: running.sha256, onDiskSha256: null, onDiskMd5: null };
        const disk = await hashFile(opened.fd, { stringsLimit: 0 });
        return { runningSha256: running.sha256, onDiskSha256: disk.sha256, onDiskMd5: disk.md5 };
      } finally { parent.walked.dir.close(); }
    } finally { tree.close(); }
  }
}
