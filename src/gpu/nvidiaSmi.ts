// NVIDIA per-process memory and utilisation: one long-lived `nvidia-smi pmon` in loop mode (it
// prints one line per process per interval until stopped), started only when an NVIDIA driver is
// present and stopped with minewatch. NVIDIA's driver writes no drm-* usage keys into fdinfo, and
// nvidia-smi per tick would be a child process per tick; NVML would need a native binding.
// If nvidia-smi is missing or fails, the status says so plainly and the GPU column shows only which
// processes hold a device (from /proc). If minewatch dies without stopping it, nvidia-smi gets SIGPIPE
// on its next line and exits.
import { spawn, type ChildProcess } from 'node:child_process';

export interface NvidiaProcUsage {
  gpu: number;
  pid: number;
  /** "C" compute, "G" graphics, "C+G". */
  type: string;
  smPct: number | null;
  memPct: number | null;
  fbMiB: number | null;
  command: string;
  /** When the line was read (ms, the monitor's clock). */
  at: number;
}

export type NvidiaState = 'off' | 'starting' | 'running' | 'failed';

export interface NvidiaStatus {
  state: NvidiaState;
  /** Plain words for the header and scan warnings. */
  message: string;
}

/** Column names from pmon's header ("# gpu  pid  type  sm  mem  enc  dec  jpg  ofa  fb  command"). */
export function parsePmonHeader(line: string): string[] | null {
  const t = line.replace(/^#\s*/, '').trim();
  if (!line.startsWith('#') || !/^gpu\s+pid\b/i.test(t)) return null;
  return t.split(/\s+/).map((c) => c.toLowerCase());
}

/** One data line under a header; null for units lines, idle GPUs ("-" pid) and junk. */
export function parsePmonLine(cols: string[], line: string, at: number): NvidiaProcUsage | null {
  if (line.startsWith('#') || !line.trim()) return null;
  const f = line.trim().split(/\s+/);
  const idx = (name: string) => cols.indexOf(name);
  const cmdAt = idx('command');
  if (cmdAt < 0 || f.length < cmdAt) return null;
  const val = (name: string): string | undefined => { const i = idx(name); return i >= 0 ? f[i] : undefined; };
  const num = (name: string): number | null => {
    const v = val(name);
    if (v === undefined || v === '-') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };
  const pid = Number(val('pid'));
  const gpu = Number(val('gpu'));
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(gpu)) return null;
  return {
    gpu, pid, type: val('type') ?? '?', smPct: num('sm'), memPct: num('mem'), fbMiB: num('fb'),
    command: f.slice(cmdAt).join(' '), at,
  };
}

export interface NvidiaSmiOptions {
  /** The program (default "nvidia-smi", looked up on PATH). */
  command?: string;
  /** Seconds between reports (pmon's -d: 1 to 10). */
  delaySec?: number;
  now?: () => number;
  /** Called on every batch of new lines and on status changes (the dashboard does not need it: it polls). */
  onUpdate?: () => void;
}

export class NvidiaSmiMonitor {
  private child: ChildProcess | null = null;
  private cols: string[] | null = null;
  private partial = '';
  private stderrTail = '';
  private readonly usage = new Map<number, NvidiaProcUsage>();
  private readonly now: () => number;
  private readonly delaySec: number;
  private readonly command: string;
  private readonly exitHandler = () => this.stop();
  status: NvidiaStatus = { state: 'off', message: 'nvidia-smi not started' };

  constructor(private readonly opts: NvidiaSmiOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.delaySec = Math.max(1, Math.min(10, Math.round(opts.delaySec ?? 1)));
    this.command = opts.command ?? 'nvidia-smi';
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  start(): void {
    if (this.child) return;
    this.status = { state: 'starting', message: `${this.command} pmon starting` };
    let child: ChildProcess;
    try {
      child = spawn(this.command, ['pmon', '-s', 'um', '-d', String(this.delaySec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      this.fail(`${this.command} could not be started: ${(err as Error).message}`);
      return;
    }
    this.child = child;
    process.once('exit', this.exitHandler);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => this.onData(d));
    child.stderr!.on('data', (d: string) => { this.stderrTail = (this.stderrTail + d).slice(-400); });
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.fail(err.code === 'ENOENT'
        ? `${this.command} not found: NVIDIA per-process memory and utilisation are not shown (processes holding a GPU still are)`
        : `${this.command} failed: ${err.message}`);
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return; // stopped on purpose
      const why = this.stderrTail.trim().split('\n').pop() ?? '';
      this.fail(`${this.command} exited (${signal ?? `code ${code}`})${why ? `: ${why}` : ''}; NVIDIA per-process figures are not shown`);
    });
    // the dashboard's loop, not this pipe, decides when the program ends
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    child.unref();
  }

  private fail(message: string): void {
    process.removeListener('exit', this.exitHandler);
    this.child = null;
    this.usage.clear();
    this.status = { state: 'failed', message };
    this.opts.onUpdate?.();
  }

  private onData(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const at = this.now();
    for (const line of lines) {
      const header = parsePmonHeader(line);
      if (header) { this.cols = header; continue; }
      if (!this.cols) continue;
      const u = parsePmonLine(this.cols, line, at);
      if (u) this.usage.set(u.pid, u);
    }
    if (this.status.state !== 'running' && this.cols) this.status = { state: 'running', message: `${this.command} pmon every ${this.delaySec} s` };
    this.opts.onUpdate?.();
  }

  /** The latest line per PID, without those not reported for a few intervals (the process ended or left the GPU). */
  latest(): Map<number, NvidiaProcUsage> {
    const cutoff = this.now() - (this.delaySec * 3 + 1) * 1000;
    for (const [pid, u] of this.usage) if (u.at < cutoff) this.usage.delete(pid);
    return this.usage;
  }

  stop(): void {
    process.removeListener('exit', this.exitHandler);
    const child = this.child;
    this.child = null;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try { child.kill('SIGTERM'); } catch { /* already gone */ }
    }
    if (this.status.state !== 'failed') this.status = { state: 'off', message: 'nvidia-smi stopped' };
  }
}
