// Detection: every rule over every process of a snapshot, scores summed into a severity.
// Pure with respect to the host: all it knows comes from the snapshot.
import type { Assessment, ContentFacts, Finding, KilledProcess, ProcessInfo, Snapshot } from '../model';
import { severityForScore, severityRank } from '../model';
import { runSliced, runToEnd, Slicer, UNSLICED } from '../slicer';
import { KthreadNameIndex, kthreadFamilies } from './kthreadNames';
import type { PackageLookup } from '../pkg/packages';
import { NO_PACKAGES } from '../pkg/packages';
import type { AccountFacts, Rule, RuleContext } from './rule';

export type { AccountFacts } from './rule';
import { toFinding } from './rule';
import { H22, H37, H38 } from './rules/content';
import { H20, H21 } from './rules/fileless';
import { H42, H43, H44 } from './rules/hiding';
import { H01, H02, H03 } from './rules/identity';
import { H10, H11, H12, H13, H14, H15, H16, H17 } from './rules/location';
import { H30, H31, H32, H33, H34 } from './rules/miner';
import { H50 } from './rules/gpuImpostor';
import { H51 } from './rules/gpuLocation';
import { H52 } from './rules/gpuMiner';
import { H53 } from './rules/slurmOutsideJob';
import { H49 } from './rules/packaged';
import { R1 } from './rules/respawn';

/** In evaluation order: H14 reads the findings of H01/H02 before it. */
export const RULES: readonly Rule[] = [H01, H02, H03, H10, H11, H12, H13, H15, H16, H17, H14, H20, H21, H22, H30, H31, H32, H33, H34, H37, H38, H42, H43, H44, H49, H50, H51, H52, H53, R1];

const NO_KILLS: readonly KilledProcess[] = [];

const NO_CONTENT: ReadonlyMap<number, ContentFacts> = new Map();
const AMPLIFIERS = new Set(RULES.filter((r) => r.amplifier).map((r) => r.id));
const MEDIUM = severityRank('medium');

/**
 * The last verdict on one PID and every input it was computed from. The rules are pure functions of
 * these fields, of the parent's and PID 1's names, of the kernel-thread index and of host facts; the
 * inputs that vary per tick (CPU %, connections, /proc mismatches) are handled by never caching a
 * process that has any of them. The reader hands back the same cmdline and preloadEnv objects while a
 * process is unchanged, so those compare by reference.
 */
interface Verdict {
  p: ProcessInfo;
  parentName: string | undefined;
  result: Assessment | null;
}

/** CPU % below which no rule looks at CPU (H01 corroboration and H34 start at 50). */
const CPU_SIGNIFICANT = 50;

function sameInputs(a: ProcessInfo, b: ProcessInfo): boolean {
  return a.cmdline === b.cmdline && a.name === b.name && a.ppid === b.ppid && a.ttyNr === b.ttyNr
    && a.uid === b.uid && a.user === b.user && a.exe === b.exe && a.cwd === b.cwd && a.cgroup === b.cgroup
    && a.preloadEnv === b.preloadEnv && a.kernelThread === b.kernelThread && a.flags === b.flags
    && a.session === b.session && a.startTime === b.startTime && a.exeDeleted === b.exeDeleted
    && a.exeMemfd === b.exeMemfd && a.exeError === b.exeError && a.exePathExists === b.exePathExists;
}

export interface DetectorOptions {
  /** Package ownership (the dpkg or rpm index under the chosen root); "unknown" for everything when absent. */
  packages?: PackageLookup;
  /** Accounts by uid (home, shell), from the chosen root's /etc/passwd; re-read by the caller. */
  accounts?: () => ReadonlyMap<number, AccountFacts>;
}

const NO_ACCOUNTS: ReadonlyMap<number, AccountFacts> = new Map();

export class Detector {
  private readonly packages: PackageLookup;
  private readonly accounts: () => ReadonlyMap<number, AccountFacts>;
  private lastAccounts: ReadonlyMap<number, AccountFacts> | null = null;

  constructor(opts: DetectorOptions = {}) {
    this.packages = opts.packages ?? NO_PACKAGES;
    this.accounts = opts.accounts ?? (() => NO_ACCOUNTS);
  }

  private index: KthreadNameIndex | null = null;
  private families = '';
  private kthreadNames: Set<string> | null = null;
  private readonly verdicts = new Map<number, Verdict>();
  /** Host facts every cached verdict depends on; any change clears the cache. */
  private hostKey = '';
  private killed: readonly KilledProcess[] = NO_KILLS;

  /** `killed`: the respawn watch's facts (R1); the same array while unchanged keeps cached verdicts. */
  assess(snapshot: Snapshot, killed: readonly KilledProcess[] = NO_KILLS): Map<number, Assessment> {
    return runToEnd(this.assessSteps(snapshot, killed, UNSLICED));
  }

  /**
   * The same assessment, with a turn of the event loop (`turn`) whenever `sliceMs` of it have run
   * (slicer.ts): judging 20,000 processes afresh (the first snapshot, or after the package index came in)
   * takes hundreds of ms, and the dashboard answers keys in between. The snapshot must not change meanwhile.
   */
  assessSliced(snapshot: Snapshot, killed: readonly KilledProcess[] | undefined, turn: () => Promise<unknown>, sliceMs: number): Promise<Map<number, Assessment>> {
    const slicer = new Slicer(sliceMs);
    return runSliced(this.assessSteps(snapshot, killed ?? NO_KILLS, slicer), slicer, turn);
  }

  private *assessSteps(snapshot: Snapshot, killed: readonly KilledProcess[], slicer: Slicer): Generator<void, Map<number, Assessment>, void> {
    if (killed !== this.killed) {
      this.killed = killed;
      this.verdicts.clear();
    }
    if (!sameSet(this.kthreadNames, snapshot.host.kernelThreadNames)) {
      this.kthreadNames = snapshot.host.kernelThreadNames;
      const families = kthreadFamilies(snapshot.host.kernelThreadNames);
      if (!this.index || families !== this.families) {
        this.index = new KthreadNameIndex(snapshot.host.kernelThreadNames);
        this.families = families;
        this.verdicts.clear();
      }
    }
    const init = snapshot.processes.get(1);
    const accounts = this.accounts();
    const hostKey = `${snapshot.host.kernelThreadsVisible}|${snapshot.host.cpuCount}|${init?.name}|${this.packages.generation}`;
    if (hostKey !== this.hostKey || accounts !== this.lastAccounts) {
      this.lastAccounts = accounts;
      this.hostKey = hostKey;
      this.verdicts.clear();
    }
    const special = new Set<number>();
    for (const m of snapshot.host.procMismatches) special.add(m.pid);
    for (const pid of snapshot.connections.keys()) special.add(pid);
    // GPU figures move every tick: a process holding a GPU is judged afresh
    if (snapshot.gpu) for (const pid of snapshot.gpu.processes.keys()) special.add(pid);
    const content = snapshot.content ?? NO_CONTENT;
    for (const pid of content.keys()) special.add(pid);
    const ctx: RuleContext = {
      processes: snapshot.processes,
      connections: snapshot.connections,
      host: snapshot.host,
      kthreads: this.index!,
      gpu: snapshot.gpu,
      containers: snapshot.containers,
      now: snapshot.takenAt,
      killed,
      packages: this.packages,
      accounts,
      content,
    };
    const result = new Map<number, Assessment>();
    const verdicts = this.verdicts;
    for (const p of snapshot.processes.values()) {
      const cacheable = p.cpuPercent < CPU_SIGNIFICANT && !special.has(p.pid);
      const parentName = snapshot.processes.get(p.ppid)?.name;
      const prev = verdicts.get(p.pid);
      if (cacheable && prev && prev.parentName === parentName && (prev.p === p || sameInputs(prev.p, p))) {
        if (prev.result) result.set(p.pid, prev.result);
        continue;
      }
      const assessment = assessOne(p, ctx);
      if (assessment) result.set(p.pid, assessment);
      if (cacheable) verdicts.set(p.pid, { p, parentName, result: assessment });
      else if (prev) verdicts.delete(p.pid);
      // only a process judged afresh counts toward a slice: the cached ones cost a comparison each
      if (slicer.due()) yield;
    }
    if (verdicts.size > snapshot.processes.size) {
      for (const pid of verdicts.keys()) if (!snapshot.processes.has(pid)) verdicts.delete(pid);
    }
    return result;
  }
}

function assessOne(p: ProcessInfo, ctx: RuleContext): Assessment | null {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const hit = rule.check(p, ctx, findings);
    if (hit) findings.push(toFinding(rule, hit));
  }
  if (findings.length === 0) return null;
  findings.sort((a, b) => b.weight - a.weight);
  const score = findings.reduce((s, f) => s + f.weight, 0);
  let severity = severityForScore(score);
  if (severityRank(severity) > MEDIUM && findings.every((f) => AMPLIFIERS.has(f.id))) severity = 'medium';
  return { pid: p.pid, score, severity, findings };
}

function sameSet(a: Set<string> | null, b: Set<string>): boolean {
  if (a === b) return true;
  if (!a || a.size !== b.size) return false;
  for (const x of b) if (!a.has(x)) return false;
  return true;
}

/** Host-level warnings that belong to no single process. */
export function hostWarnings(snapshot: Snapshot): string[] {
  const out: string[] = [];
  for (const m of snapshot.host.procMismatches) {
    if (m.reason.startsWith('something is mounted')) out.push(`${m.reason}: tools that read /proc see another process in place of PID ${m.pid} (H42).`);
  }
  if (snapshot.host.ldSoPreload.length > 0) {
    out.push(`/etc/ld.so.preload is not empty (${snapshot.host.ldSoPreload.join(', ')}): every program loads it first; user-land rootkits hide processes this way (H44).`);
  }
  return out;
}
