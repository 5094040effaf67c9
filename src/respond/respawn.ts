// After a kill, remember what was killed for a while, so rule R1 (src/detect/rules/respawn.ts) can spot
// the same miner coming back (cron, systemd, a watchdog we missed). This holds the facts; the rule judges.
import type { KilledProcess } from '../model';

export type { KilledProcess };

export class RespawnWatch {
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Replaced (never mutated) on every change, so the detector can tell "unchanged" by reference. */
  private entries: readonly KilledProcess[] = [];

  constructor(opts: { windowMs?: number; now?: () => number } = {}) {
    this.windowMs = opts.windowMs ?? 10 * 60e3;
    this.now = opts.now ?? Date.now;
  }

  remember(killed: Omit<KilledProcess, 'at'> & { at?: number }): void {
    this.entries = [...this.entries, { pid: killed.pid, startTicks: killed.startTicks, exe: killed.exe, cmdline: [...killed.cmdline], at: killed.at ?? this.now() }];
  }

  /** The processes killed within the window, oldest first (the same array while nothing changed). */
  facts(): readonly KilledProcess[] {
    const t = this.now();
    if (this.entries.some((e) => t - e.at > this.windowMs)) this.entries = this.entries.filter((e) => t - e.at <= this.windowMs);
    return this.entries;
  }

  /** How many killed processes are still being watched. */
  get size(): number {
    return this.facts().length;
  }
}
