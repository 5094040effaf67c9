// After a kill, watch for the same miner coming back (cron, systemd, a watchdog we missed).
import type { ProcessInfo } from '../model';
import { sanitize } from '../text/sanitize';

export interface KilledProcess {
  pid: number;
  exe: string | null;
  sha256?: string;
  cmdline: string[];
  startTicks: number;
}

interface Remembered extends KilledProcess {
  at: number;
}

/** A shared interpreter path proves nothing: every shell script has exe = /bin/dash. */
const SHARED_EXE = /^(sh|bash|dash|zsh|ksh|mksh|ash|busybox|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|node|nodejs|java|env)$/;

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** A bare interpreter (`bash`) or an empty argv is too common to identify anything. */
function distinctive(argv: string[]): boolean {
  if (argv.length === 0) return false;
  return !(argv.length === 1 && SHARED_EXE.test(base(argv[0]).replace(/^-/, '')));
}

export class RespawnWatch {
  private readonly windowMs: number;
  private readonly now: () => number;
  private entries: Remembered[] = [];

  constructor(opts: { windowMs?: number; now?: () => number } = {}) {
    this.windowMs = opts.windowMs ?? 10 * 60e3;
    this.now = opts.now ?? Date.now;
  }

  remember(killed: KilledProcess): void {
    this.entries.push({ ...killed, cmdline: [...killed.cmdline], at: this.now() });
  }

  /** How many killed processes are still being watched. */
  get size(): number {
    this.prune();
    return this.entries.length;
  }

  private prune(): void {
    const t = this.now();
    this.entries = this.entries.filter((e) => t - e.at <= this.windowMs);
  }

  /**
   * A new process (other pid, or same pid with another start time) that looks like a killed one:
   * same executable path (unless it is a shared interpreter), same command line, or same hash.
   */
  check(p: ProcessInfo, sha256?: string): { oldPid: number; why: string } | null {
    this.prune();
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (p.pid === e.pid && p.startTicks === e.startTicks) continue; // the same process, not a new one
      const reasons: string[] = [];
      if (sha256 && e.sha256 && sha256 === e.sha256) reasons.push('the same executable hash');
      if (p.exe && e.exe && p.exe === e.exe && !SHARED_EXE.test(base(e.exe))) reasons.push(`the same executable ${sanitize(e.exe)}`);
      if (distinctive(e.cmdline) && p.cmdline.length === e.cmdline.length && p.cmdline.every((a, j) => a === e.cmdline[j])) {
        reasons.push('the same command line');
      }
      if (reasons.length === 0) continue;
      const mins = Math.max(0, Math.round((this.now() - e.at) / 60e3));
      const ago = mins === 0 ? 'less than a minute ago' : `${mins} min ago`;
      return { oldPid: e.pid, why: `PID ${p.pid} has ${reasons.join(' and ')} as PID ${e.pid}, killed ${ago}: it came back` };
    }
    return null;
  }
}
