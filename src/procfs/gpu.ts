// Which processes hold a GPU, from /proc alone: the targets of /proc/PID/fd/* that are NVIDIA device
// files (/dev/nvidia0..N, nvidiactl, nvidia-uvm, nvidia-caps/*: character major 195, uvm's major is
// given at load time) or DRM nodes (/dev/dri/renderD*, card*: major 226), and for DRM the usage keys
// the kernel writes into /proc/PID/fdinfo/FD (Documentation/gpu/drm-usage-stats.rst: drm-client-id,
// drm-engine-<name> busy nanoseconds, drm-memory-/drm-total-<region> sizes). NVIDIA's driver writes no
// drm-* keys: its per-process figures come from nvidia-smi (src/gpu/nvidiaSmi.ts).
// A device node made under another name (mknod /tmp/x c 195 0) is caught by its major number.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readText } from './files';
import { forEachFd, readFdinfo, statFd } from './pid';

export const NVIDIA_MAJOR = 195;
export const DRM_MAJOR = 226;

export type GpuFdKind = 'nvidia-gpu' | 'nvidia-ctl' | 'drm-render' | 'drm-card';

export interface GpuFd {
  fd: number;
  target: string;
  kind: GpuFdKind;
  /** nvidia0, renderD128, card0; for control files the file name. */
  device: string;
}

/** Targets that are devices but never a GPU: skipped without a stat. */
const NOT_GPU = /^\/dev\/(null|zero|full|u?random|tty.*|pts\/.*|ptmx|console|shm\/.*|mqueue\/.*|fuse|kvm|net\/tun|vhost-.*|autofs|rtc\d*|hpet|kmsg|log|snd\/.*|input\/.*|watchdog\d*|cpu\/.*|mapper\/.*|loop.*|sd[a-z].*|nvme.*|vd[a-z].*|xvd.*|dm-.*|md\d+|sg\d+|bus\/.*|vfio\/.*|infiniband\/.*|hugepages\/.*)$/;

/** What a descriptor target names, by path; null when it is not a GPU device file by name. */
export function classifyGpuPath(target: string): { kind: GpuFdKind; device: string } | null {
  if (!target.startsWith('/dev/')) return null;
  let m = /^\/dev\/(nvidia\d+)$/.exec(target);
  if (m) return { kind: 'nvidia-gpu', device: m[1] };
  m = /^\/dev\/(nvidiactl|nvidia-uvm(?:-tools)?|nvidia-modeset|nvidia-nvswitchctl|nvidia-nvlink|nvidia-caps\/[\w-]+)$/.exec(target);
  if (m) return { kind: 'nvidia-ctl', device: m[1] };
  m = /^\/dev\/dri\/(renderD\d+)$/.exec(target);
  if (m) return { kind: 'drm-render', device: m[1] };
  m = /^\/dev\/dri\/(card\d+)$/.exec(target);
  if (m) return { kind: 'drm-card', device: m[1] };
  return null;
}

/** major(st_rdev) for Linux's dev_t encoding. */
export function devMajor(rdev: number): number {
  return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
}

export type RdevOf = (procRoot: string, pid: number, fd: number) => { isChar: boolean; rdev: number } | null;

/** stat through /proc/PID/fd/N (follows to the device node the descriptor holds). */
export const rdevOf: RdevOf = (procRoot, pid, fd) => {
  try {
    const st = statFd(procRoot, pid, fd);
    return { isChar: st.isCharacterDevice(), rdev: st.rdev };
  } catch {
    return null;
  }
};

/** At most this many descriptors per process are stat'ed to look for a renamed device node. */
const MAX_STATS = 16;

/**
 * The GPU device files a process holds. Throws when fd/ cannot be listed (gone, or not ours without
 * root). A target that is neither a known GPU file nor a known non-GPU device nor a socket/pipe/anon
 * inode costs a stat (at most MAX_STATS per process): that is how a renamed NVIDIA or DRM node
 * (mknod /tmp/.x c 195 0) is found.
 */
export function scanGpuFds(procRoot: string, pid: number, rdev: RdevOf = rdevOf): GpuFd[] {
  const out: GpuFd[] = [];
  let stats = 0;
  forEachFd(procRoot, pid, (fd, target) => {
    const c = classifyGpuPath(target);
    if (c) { out.push({ fd, target, ...c }); return; }
    if (target.charCodeAt(0) !== 47 /* / */ || NOT_GPU.test(target) || stats >= MAX_STATS) return; // socket:[..], pipe:[..], anon_inode:..
    if (target.endsWith(' (deleted)') || /\.(log|so[\d.]*|db|sqlite\d*|lock|json|txt)$/.test(target)) return;
    stats++;
    const st = rdev(procRoot, pid, fd);
    if (!st?.isChar) return;
    const major = devMajor(st.rdev);
    const device = target.slice(target.lastIndexOf('/') + 1);
    if (major === NVIDIA_MAJOR) out.push({ fd, target, kind: 'nvidia-gpu', device });
    else if (major === DRM_MAJOR) out.push({ fd, target, kind: 'drm-render', device });
  }, 4096);
  return out;
}

export interface DrmUsage {
  clientId: string;
  driver: string | null;
  pdev: string | null;
  /** Busy nanoseconds per engine (drm-engine-<name>). */
  engines: Record<string, number>;
  /** Bytes in all memory regions (drm-total-* when the driver gives them, else drm-memory-*). */
  memBytes: number;
}

const UNIT: Record<string, number> = { '': 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function sizeOf(v: string): number {
  const m = /^(\d+)\s*(KiB|MiB|GiB)?$/.exec(v.trim());
  return m ? Number(m[1]) * UNIT[m[2] ?? ''] : 0;
}

/** The drm-* keys of one fdinfo; null when there is no drm-client-id (not a DRM client, or NVIDIA). */
export function parseDrmFdinfo(info: Map<string, string>): DrmUsage | null {
  const clientId = info.get('drm-client-id');
  if (clientId === undefined) return null;
  const engines: Record<string, number> = {};
  let total = 0;
  let memory = 0;
  for (const [k, v] of info) {
    if (k.startsWith('drm-engine-') && !k.startsWith('drm-engine-capacity-')) {
      const ns = /^(\d+)/.exec(v);
      if (ns) engines[k.slice('drm-engine-'.length)] = Number(ns[1]);
    } else if (k.startsWith('drm-total-')) total += sizeOf(v);
    else if (k.startsWith('drm-memory-')) memory += sizeOf(v);
  }
  return { clientId, driver: info.get('drm-driver') ?? null, pdev: info.get('drm-pdev') ?? null, engines, memBytes: total || memory };
}

export function readDrmUsage(procRoot: string, pid: number, fd: number): DrmUsage | null {
  try {
    return parseDrmFdinfo(readFdinfo(procRoot, pid, fd));
  } catch {
    return null;
  }
}

export interface GpuHardware {
  /** An NVIDIA driver is loaded (its /proc/driver/nvidia, or /dev/nvidiactl). */
  nvidia: boolean;
  /** Model names from /proc/driver/nvidia/gpus/<bus>/information. */
  nvidiaModels: { bus: string; model: string }[];
  nvidiaDriver: string | null;
  /** DRM render nodes under <root>/dev/dri. */
  drmRender: string[];
}

/** What GPUs this host has, without running anything: for deciding what to start and to show. */
export function readGpuHardware(procRoot: string, root: string): GpuHardware {
  const nvidiaModels: { bus: string; model: string }[] = [];
  let buses: string[] = [];
  try { buses = readdirSync(join(procRoot, 'driver/nvidia/gpus')); } catch { /* no NVIDIA driver */ }
  for (const bus of buses) {
    const info = readText(join(procRoot, 'driver/nvidia/gpus', bus, 'information')) ?? '';
    nvidiaModels.push({ bus, model: /^Model:\s*(.+)$/m.exec(info)?.[1].trim() ?? 'NVIDIA GPU' });
  }
  const version = readText(join(procRoot, 'driver/nvidia/version'));
  let devNvidia = false;
  try { devNvidia = readdirSync(join(root, 'dev')).some((e) => e === 'nvidiactl' || /^nvidia\d+$/.test(e)); } catch { /* no /dev */ }
  let drmRender: string[] = [];
  try { drmRender = readdirSync(join(root, 'dev/dri')).filter((e) => /^renderD\d+$/.test(e)).sort(); } catch { /* no DRM */ }
  return {
    nvidia: buses.length > 0 || version !== null || devNvidia,
    nvidiaModels,
    nvidiaDriver: version ? (/Kernel Module\s+(?:for\s+\S+\s+)?([\d.]+)/.exec(version)?.[1] ?? null) : null,
    drmRender,
  };
}
