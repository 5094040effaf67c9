// The shape of a detection rule: a small pure function over one process and the snapshot around it.
import type { Connection, ContainerInfo, ContentFacts, Finding, GpuState, HostContext, KilledProcess, ProcessInfo } from '../model';
import { severityForScore } from '../model';
import type { PackageLookup } from '../pkg/packages';
import type { KthreadNameIndex } from './kthreadNames';

/** What detection knows about an account besides its uid (from the root's /etc/passwd). */
export interface AccountFacts {
  name: string;
  home: string;
  shell: string;
}

export interface RuleContext {
  processes: ReadonlyMap<number, ProcessInfo>;
  connections: ReadonlyMap<number, Connection[]>;
  host: HostContext;
  kthreads: KthreadNameIndex;
  now: number;
  /** Who holds a GPU (absent when GPU reading is off). */
  gpu?: GpuState;
  /** Container of each process in one. */
  containers?: ReadonlyMap<number, ContainerInfo>;
  /** Processes killed from the dashboard a moment ago (the respawn watch's facts), for R1. */
  killed: readonly KilledProcess[];
  /** Package ownership of files (dpkg or rpm), or a lookup that answers "unknown". */
  packages: PackageLookup;
  /** Accounts by uid, when known. */
  accounts: ReadonlyMap<number, AccountFacts>;
  /** Content evidence gathered off the tick (miner config, strings, image hashes), by PID. */
  content: ReadonlyMap<number, ContentFacts>;
}

export interface Hit {
  weight: number;
  explanation: string;
  evidence: Record<string, unknown>;
}

export interface Rule {
  id: string;
  title: string;
  attack: string[];
  /** Plain-language description of what the rule looks for, for the README and the help screen. */
  describes: string;
  /** Amplifiers (detached, busy, renamed...) are common in honest programs: alone they never make "high". */
  amplifier?: boolean;
  /** Earlier findings on the same process are passed in, for rules that only add context (H14). */
  check(p: ProcessInfo, ctx: RuleContext, prior: readonly Finding[]): Hit | null;
}

export function toFinding(rule: Rule, hit: Hit): Finding {
  return {
    id: rule.id,
    weight: hit.weight,
    severity: severityForScore(hit.weight),
    title: rule.title,
    explanation: hit.explanation,
    attack: rule.attack,
    evidence: hit.evidence,
  };
}
