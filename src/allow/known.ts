// Which processes are known-good: minewatch itself (its own PID running its own executable), and every
// process whose executable matches an allow-list entry by path AND content hash. Their findings are
// set aside (counted apart, dimmed), never deleted; a process at an allowed path whose executable has
// another hash gets finding A1 instead: the program at that path was replaced.
//
// Hashes are of /proc/PID/exe, the image the process actually runs (even when the file was deleted or
// replaced since), computed once per process (PID + start time), only for processes at an allowed path.
import type { Assessment, Finding, ProcessInfo, Snapshot } from '../model';
import { severityForScore } from '../model';
import { sanitize } from '../text/sanitize';
import type { AllowEntry } from './list';

export const REPLACED_WEIGHT = 6;
export const REPLACED_ID = 'A1';
export const REPLACED_TITLE = 'Allow-listed path runs another executable';
export const REPLACED_DESCRIBES = 'The executable sits at a path the allow-list vouches for, but its content has another SHA-256: the program at that path was replaced, so the process is judged again as if it were not allow-listed.';

export interface KnownGoodMark {
  pid: number;
  /** Why it is known-good, in words: "minewatch itself", "allow-listed: /etc/minewatch/allow:3". */
  why: string;
  /** The entry it matched (null for minewatch itself). */
  entry: AllowEntry | null;
  /** What the rules said about it, kept so the views can still show it on request. */
  setAside: Assessment | null;
}

export interface SelfIdentity {
  pid: number;
  /** The executable this minewatch runs (realpath of process.execPath). */
  exe: string | null;
}

/** SHA-256 of the executable a process runs, or null when it cannot be read. */
export type ExeHasher = (p: ProcessInfo) => Promise<string | null>;

export interface KnownGoodResult {
  /** The assessments without minewatch and known-good processes, with A1 added where a hash changed. */
  assessments: Map<number, Assessment>;
  knownGood: Map<number, KnownGoodMark>;
  /** Processes at an allowed path whose hash is not known yet (they stay as judged until it is). */
  pending: number;
}

interface Hashed {
  startTicks: number;
  sha256: string | null;
}

export class KnownGood {
  private entries: AllowEntry[];
  private byPath = new Map<string, AllowEntry[]>();
  private readonly hashes = new Map<number, Hashed>();
  private readonly inFlight = new Map<number, Promise<void>>();

  constructor(private readonly opts: { entries?: AllowEntry[]; self?: SelfIdentity | null; hash: ExeHasher; onHashed?: () => void }) {
    this.entries = [];
    for (const e of opts.entries ?? []) this.add(e);
  }

  get list(): readonly AllowEntry[] {
    return this.entries;
  }

  add(entry: AllowEntry): void {
    if (this.entries.some((e) => e.sha256 === entry.sha256 && e.path === entry.path)) return;
    this.entries = [...this.entries, entry];
    this.byPath.set(entry.path, [...(this.byPath.get(entry.path) ?? []), entry]);
  }

  private isSelf(p: ProcessInfo): boolean {
    const self = this.opts.self;
    return !!self && p.pid === self.pid && self.exe !== null && p.exe === self.exe;
  }

  private known(p: ProcessInfo): Hashed | null {
    const h = this.hashes.get(p.pid);
    return h && h.startTicks === p.startTicks ? h : null;
  }

  private startHash(p: ProcessInfo): Promise<void> {
    const running = this.inFlight.get(p.pid);
    if (running) return running;
    const job = this.opts.hash(p).catch(() => null).then((sha256) => {
      this.hashes.set(p.pid, { startTicks: p.startTicks, sha256 });
      this.inFlight.delete(p.pid);
      this.opts.onHashed?.();
    });
    this.inFlight.set(p.pid, job);
    return job;
  }

  private candidates(snapshot: Snapshot): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    for (const p of snapshot.processes.values()) if (p.exe !== null && !p.exeMemfd && this.byPath.has(p.exe) && !this.known(p)) out.push(p);
    return out;
  }

  /** Hash every process at an allowed path that is not hashed yet (scan waits for this; the dashboard does not). */
  async prepare(snapshot: Snapshot): Promise<void> {
    for (const p of this.candidates(snapshot)) await this.startHash(p);
  }

  /**
   * Split one tick's verdicts. Processes at an allowed path that are not hashed yet keep their verdict
   * and are hashed in the background (one at a time); the next tick uses the result.
   */
  apply(snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): KnownGoodResult {
    const out = new Map(assessments);
    const knownGood = new Map<number, KnownGoodMark>();
    let pending = 0;
    for (const [pid, h] of this.hashes) {
      const p = snapshot.processes.get(pid);
      if (!p || p.startTicks !== h.startTicks) this.hashes.delete(pid);
    }
    const queue: ProcessInfo[] = [];
    for (const p of snapshot.processes.values()) {
      if (this.isSelf(p)) {
        knownGood.set(p.pid, { pid: p.pid, why: 'minewatch itself', entry: null, setAside: out.get(p.pid) ?? null });
        out.delete(p.pid);
        continue;
      }
      const allowed = p.exe !== null && !p.exeMemfd ? this.byPath.get(p.exe) : undefined;
      if (!allowed) continue;
      const h = this.known(p);
      if (!h) { pending++; queue.push(p); continue; }
      const match = h.sha256 !== null ? allowed.find((e) => e.sha256 === h.sha256) : undefined;
      if (match) {
        knownGood.set(p.pid, { pid: p.pid, why: `allow-listed (${match.source})`, entry: match, setAside: out.get(p.pid) ?? null });
        out.delete(p.pid);
      } else if (h.sha256 !== null) {
        out.set(p.pid, withFinding(out.get(p.pid), p.pid, replacedFinding(p, allowed[0], h.sha256)));
      }
    }
    if (queue.length) void this.drain(queue);
    return { assessments: out, knownGood, pending };
  }

  private draining = false;
  private async drain(queue: ProcessInfo[]): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (const p of queue) if (!this.known(p)) await this.startHash(p);
    } finally {
      this.draining = false;
    }
  }
}

function replacedFinding(p: ProcessInfo, entry: AllowEntry, actual: string): Finding {
  return {
    id: REPLACED_ID, weight: REPLACED_WEIGHT, severity: severityForScore(REPLACED_WEIGHT), title: REPLACED_TITLE,
    explanation: `${sanitize(entry.path)} is allow-listed (${sanitize(entry.source)}) with SHA-256 ${entry.sha256.slice(0, 16)}…, but PID ${p.pid} runs content with SHA-256 ${actual.slice(0, 16)}…: the program at that path was replaced`,
    attack: ['T1036.005', 'T1554'],
    evidence: { path: entry.path, expected: entry.sha256, actual, source: entry.source },
  };
}

function withFinding(a: Assessment | undefined, pid: number, f: Finding): Assessment {
  const findings = [f, ...(a?.findings ?? [])];
  const score = findings.reduce((s, x) => s + x.weight, 0);
  return { pid, score, severity: severityForScore(score), findings };
}
