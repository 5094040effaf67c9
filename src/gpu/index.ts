// GPU per process, once per tick, cheaply: which processes hold a GPU device file (readlink of their
// fd/ entries, cached per (pid, start time) and re-checked for new, busy and GPU-holding processes),
// DRM engine and memory figures from fdinfo (AMD, Intel), NVIDIA figures from one long-lived
// nvidia-smi. No child process per tick. Device names come once at start (the NVIDIA driver's /proc
// files; systeminformation.graphics() when a GPU exists, since it runs lspci, nvidia-smi, clinfo...).
import type { GpuState, ProcGpu, Snapshot } from '../model';
import { probePid } from '../procfs/kernel';
import { readDrmUsage, readGpuHardware, scanGpuFds, type GpuFd, type GpuHardware, type RdevOf } from '../procfs/gpu';
import { NvidiaSmiMonitor } from './nvidiaSmi';
import { loadSiGraphics } from '../host/systeminformation';

/** New processes checked per tick: a first tick over 20,000 processes is spread over a few ticks. */
const NEW_PER_TICK = 300;
/** A busy process (CPU % at least this) is re-checked every BUSY_RECHECK_MS. */
const BUSY_CPU = 10;
const BUSY_RECHECK_MS = 5_000;
/** On a host with a GPU, every process is re-checked this often (spread by PID). */
const IDLE_RECHECK_MS = 120_000;
/**
 * On a host with neither a GPU driver nor a GPU device node no process can hold a GPU, so no descriptor
 * is read; the driver and device nodes are looked for again this often (a driver loaded later).
 */
const HARDWARE_RECHECK_MS = 60_000;

interface Cached {
  startTicks: number;
  checkedAt: number;
  fds: GpuFd[];
}

export interface GpuSamplerOptions {
  procRoot?: string;
  root?: string;
  /** The nvidia-smi program, or false for none (tests). Default "nvidia-smi" when an NVIDIA driver is present. */
  nvidiaSmi?: string | false;
  /** Seconds between nvidia-smi reports. */
  nvidiaDelaySec?: number;
  /** Ask systeminformation.graphics() once for model names (default true when a GPU exists). */
  graphicsNames?: boolean;
  rdev?: RdevOf;
  now?: () => number;
}

export class GpuSampler {
  private readonly procRoot: string;
  private readonly cache = new Map<number, Cached>();
  private readonly drmPrev = new Map<string, { at: number; engines: Record<string, number> }>();
  private readonly now: () => number;
  hardware: GpuHardware;
  private hardwareAt: number;
  readonly nvidia: NvidiaSmiMonitor | null;
  private names: string[];
  /** fd/ directories read on the last tick (for the benchmark). */
  lastScans = 0;

  constructor(private readonly opts: GpuSamplerOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.now = opts.now ?? Date.now;
    this.hardware = readGpuHardware(this.procRoot, opts.root ?? '/');
    this.hardwareAt = this.now();
    this.names = this.hardware.nvidiaModels.map((m) => m.model);
    this.nvidia = this.hardware.nvidia && opts.nvidiaSmi !== false
      ? new NvidiaSmiMonitor({ command: opts.nvidiaSmi || 'nvidia-smi', delaySec: opts.nvidiaDelaySec })
      : null;
  }

  get present(): boolean {
    return this.hardware.nvidia || this.hardware.drmRender.length > 0;
  }

  /** Start nvidia-smi (NVIDIA hosts) and ask for model names once (hosts with a GPU). */
  start(): void {
    this.nvidia?.start();
    if (this.present && this.opts.graphicsNames !== false) {
      loadSiGraphics()
        .then((si) => si.graphics())
        .then((g) => {
          const models = g.controllers.map((c) => c.model).filter((m) => m && !/virtual|vga compatible/i.test(m));
          if (models.length && this.names.length === 0) this.names = models;
        })
        .catch(() => { /* names stay as the driver gave them */ });
    }
  }

  stop(): void {
    this.nvidia?.stop();
  }

  sample(snapshot: Snapshot): GpuState {
    const now = this.now();
    let budget = NEW_PER_TICK;
    let scans = 0;
    if (!this.present && now - this.hardwareAt >= HARDWARE_RECHECK_MS) {
      this.hardware = readGpuHardware(this.procRoot, this.opts.root ?? '/');
      this.hardwareAt = now;
    }
    const gpuHost = this.present;
    if (!gpuHost) {
      this.cache.clear();
      this.lastScans = 0;
      return { present: false, devices: this.names, nvidia: null, processes: new Map(), unlisted: [] };
    }
    // New processes first, busiest first, within the budget.
    const due: number[] = [];
    for (const p of snapshot.processes.values()) {
      if (p.kernelThread) continue;
      const c = this.cache.get(p.pid);
      if (!c || c.startTicks !== p.startTicks) { due.push(p.pid); continue; }
      const age = now - c.checkedAt;
      if (c.fds.length > 0
        || (p.cpuPercent >= BUSY_CPU && age >= BUSY_RECHECK_MS)
        || (gpuHost && age >= IDLE_RECHECK_MS + (p.pid % 32) * 1000)) {
        this.check(p.pid, p.startTicks, now);
        scans++;
      }
    }
    if (due.length > budget) due.sort((a, b) => snapshot.processes.get(b)!.cpuPercent - snapshot.processes.get(a)!.cpuPercent);
    for (const pid of due) {
      if (budget-- <= 0) break;
      this.check(pid, snapshot.processes.get(pid)!.startTicks, now);
      scans++;
    }
    if (this.cache.size > snapshot.processes.size) {
      for (const pid of this.cache.keys()) if (!snapshot.processes.has(pid)) this.cache.delete(pid);
    }
    this.lastScans = scans;

    const processes = new Map<number, ProcGpu>();
    const seenClients = new Set<string>();
    const liveClients = new Set<string>();
    for (const [pid, c] of this.cache) {
      if (c.fds.length === 0) continue;
      const gpus = c.fds.filter((f) => f.kind === 'nvidia-gpu' || f.kind === 'drm-render' || f.kind === 'drm-card');
      const devices = [...new Set((gpus.length ? gpus : c.fds).map((f) => f.device))];
      const drm = c.fds.filter((f) => f.kind === 'drm-render' || f.kind === 'drm-card');
      let memBytes: number | null = null;
      let utilPct: number | null = null;
      let source: ProcGpu['source'] = 'fd';
      for (const f of drm) {
        const u = readDrmUsage(this.procRoot, pid, f.fd);
        if (!u) continue;
        source = 'drm-fdinfo';
        const key = `${u.pdev ?? ''}/${u.clientId}`;
        liveClients.add(key);
        if (seenClients.has(key)) continue; // the same client through a dup'd or inherited descriptor
        seenClients.add(key);
        memBytes = (memBytes ?? 0) + u.memBytes;
        const prev = this.drmPrev.get(key);
        if (prev && now > prev.at) {
          for (const [engine, ns] of Object.entries(u.engines)) {
            const before = prev.engines[engine];
            if (before === undefined || ns < before) continue;
            const pct = Math.min(100, ((ns - before) / ((now - prev.at) * 1e6)) * 100);
            utilPct = Math.max(utilPct ?? 0, pct);
          }
        }
        this.drmPrev.set(key, { at: now, engines: u.engines });
      }
      processes.set(pid, {
        devices, vendor: drm.length ? 'drm' : 'nvidia', controlOnly: gpus.length === 0,
        memBytes, utilPct: utilPct === null ? null : Math.round(utilPct * 10) / 10, source,
      });
    }
    for (const key of this.drmPrev.keys()) if (!liveClients.has(key)) this.drmPrev.delete(key);

    const unlisted: GpuState['unlisted'] = [];
    if (this.nvidia) {
      for (const u of this.nvidia.latest().values()) {
        const p = processes.get(u.pid);
        if (p) {
          p.memBytes = u.fbMiB === null ? p.memBytes : u.fbMiB * 1024 * 1024;
          p.utilPct = u.smPct ?? p.utilPct;
          p.source = 'nvidia-smi';
          p.controlOnly = false;
        } else if (snapshot.processes.has(u.pid)) {
          // on the GPU per the driver, yet its descriptors were not read yet (or not readable): trust the driver
          processes.set(u.pid, {
            devices: [`gpu${u.gpu}`], vendor: 'nvidia', controlOnly: false,
            memBytes: u.fbMiB === null ? null : u.fbMiB * 1024 * 1024, utilPct: u.smPct, source: 'nvidia-smi',
          });
        } else if (probePid(this.procRoot, u.pid)) {
          unlisted.push({ pid: u.pid, command: u.command, fbMiB: u.fbMiB });
        }
      }
    }
    return {
      present: gpuHost || processes.size > 0,
      devices: this.names,
      nvidia: this.nvidia ? { ...this.nvidia.status } : null,
      processes,
      unlisted,
    };
  }

  private check(pid: number, startTicks: number, now: number): void {
    let fds: GpuFd[] = [];
    try {
      fds = scanGpuFds(this.procRoot, pid, this.opts.rdev);
    } catch {
      // gone, or not ours without root: nothing known
    }
    this.cache.set(pid, { startTicks, checkedAt: now, fds });
  }
}

/** "714M 3%" for a column; "" when the process holds no GPU. */
export function gpuCell(g: ProcGpu | undefined): string {
  if (!g) return '';
  if (g.controlOnly) return 'ctl';
  const mem = g.memBytes === null ? '' : g.memBytes >= 1024 ** 3 ? `${(g.memBytes / 1024 ** 3).toFixed(1)}G` : `${Math.round(g.memBytes / 1024 ** 2)}M`;
  const util = g.utilPct === null ? '' : `${Math.round(g.utilPct)}%`;
  return [mem, util].filter(Boolean).join(' ') || g.devices[0] || 'gpu';
}

/** GPU warnings for the header and the scan: nvidia-smi's state when it is not running, hidden GPU users. */
export function gpuWarnings(g: GpuState | undefined): string[] {
  if (!g) return [];
  const out: string[] = [];
  if (g.nvidia && g.nvidia.state === 'failed') out.push(g.nvidia.message);
  for (const u of g.unlisted) {
    out.push(`nvidia-smi reports PID ${u.pid} (${u.command}) on a GPU${u.fbMiB !== null ? ` with ${u.fbMiB} MiB` : ''}, and /proc/${u.pid} answers, but the /proc listing does not show it: a hidden process (run the deep scan)`);
  }
  return out;
}

/** The header's GPU words: "GPU NVIDIA H100 80GB HBM3: 2 processes, 1.4G" (and nvidia-smi's trouble). */
export function gpuSummary(g: GpuState | undefined): string | null {
  if (!g?.present) return null;
  const users = [...g.processes.values()].filter((p) => !p.controlOnly);
  const mem = users.reduce((s, p) => s + (p.memBytes ?? 0), 0);
  const util = users.reduce((m, p) => Math.max(m, p.utilPct ?? 0), 0);
  const names = g.devices.length ? `${g.devices[0].replace(/^NVIDIA /, '')}${g.devices.length > 1 ? ` x${g.devices.length}` : ''}` : '';
  const figures = [`${users.length} process${users.length === 1 ? '' : 'es'}`, mem ? `${mem >= 1024 ** 3 ? `${(mem / 1024 ** 3).toFixed(1)}G` : `${Math.round(mem / 1024 ** 2)}M`}` : null, util ? `top ${Math.round(util)}%` : null].filter(Boolean).join(', ');
  const trouble = g.nvidia?.state === 'failed' ? ' (no per-process NVIDIA figures)' : '';
  return `GPU${names ? ` ${names}` : ''}: ${figures}${trouble}`;
}
