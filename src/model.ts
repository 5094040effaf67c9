// The data every layer shares: what a process looks like once read from /proc, what a finding is,
// and how scores become severities. Plain data only: no I/O, no React.

export type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['none', 'low', 'medium', 'high', 'critical'];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Scores add up per process: >=10 critical, 6-9 high, 3-5 medium, 1-2 low. */
export function severityForScore(score: number): Severity {
  if (score >= 10) return 'critical';
  if (score >= 6) return 'high';
  if (score >= 3) return 'medium';
  if (score >= 1) return 'low';
  return 'none';
}

/** Why a link under /proc/PID could not be read: normal conditions, never evidence. */
export type ReadFailure = 'EACCES' | 'ENOENT' | 'EOTHER';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** comm from stat field 2: at most 15 bytes, set by the process itself (untrusted). */
  name: string;
  state: string;
  pgrp: number;
  session: number;
  /** stat field 7; 0 means no controlling terminal. */
  ttyNr: number;
  /** stat field 9 (PF_* flags). */
  flags: number;
  kernelThread: boolean;
  /** Effective uid (what ps shows); null when /proc/PID/status could not be read: unknown, never root. */
  uid: number | null;
  /** Account name of uid; "?" when the uid is unknown. */
  user: string;
  /** Clock ticks since boot (stat field 22): with pid, the identity of a process. */
  startTicks: number;
  /** Milliseconds since the epoch. */
  startTime: number;
  /** argv as the process presents it (untrusted); empty for kernel threads and zombies. */
  cmdline: string[];
  /** Target of /proc/PID/exe with " (deleted)" removed; null when unreadable or a kernel thread. */
  exe: string | null;
  exeDeleted: boolean;
  exeMemfd: boolean;
  exeError: ReadFailure | null;
  /** For a deleted exe: whether a file exists again at the original path (replaced by an upgrade); else null. */
  exePathExists: boolean | null;
  cwd: string | null;
  /** The unified (v2) cgroup path, or the name=systemd one on v1 hosts. */
  cgroup: string | null;
  threads: number;
  rssBytes: number;
  /** utime + stime in clock ticks. */
  cpuTicks: number;
  /** Share of one core over the last sampling interval (100 = one full core); 0 on the first sample. */
  cpuPercent: number;
  /** Environment variables of interest (LD_PRELOAD, LD_LIBRARY_PATH) when readable; null when not. */
  preloadEnv: Record<string, string> | null;
  /**
   * How many PID namespaces deep it runs, counted from the one /proc belongs to (status NSpid: 1 = that
   * one); absent when unknown (not read, or a fixture tree).
   */
  pidNsDepth?: number;
}

/** A TCP connection as read from /proc/net/tcp{,6}, attributed to a process when possible. */
export interface Connection {
  protocol: 'tcp' | 'tcp6';
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: string;
  inode: number;
}

/** Facts about the host that rules need, read once per snapshot. */
export interface HostContext {
  /** kthreadd (PID 2) is visible: we are not inside a PID namespace / container. */
  kernelThreadsVisible: boolean;
  /** /proc is mounted with hidepid: other users' processes may be invisible. */
  hidepid: boolean;
  /** Non-comment lines of /etc/ld.so.preload under the root. */
  ldSoPreload: string[];
  /** /proc/N directories whose content does not belong to N, and bind mounts over /proc/N. */
  procMismatches: { pid: number; reason: string }[];
  cpuCount: number;
  clockTicks: number;
  /** comm of every live kernel thread (PF_KTHREAD set), as read. */
  kernelThreadNames: Set<string>;
}

/**
 * Evidence read from files around a process (not from /proc's tables), gathered off the tick for
 * processes that already show a sign or burn CPU, cached by file identity. Absent fields: not looked at.
 */
export interface ContentFacts {
  /** A miner configuration (XMRig-style JSON) in the cwd or next to the executable. */
  minerConfig?: { file: string; keys: string[]; pools: string[]; excerpt: string } | null;
  /** Miner strings found in the executable image (bounded scan). */
  exeStrings?: { matches: string[]; bytesScanned: number } | null;
  /** The running executable's digests, taken only where a package recorded one for its path (to compare). */
  exeImage?: { sha256: string; md5: string } | null;
  /** A deleted executable replaced at its path: the running image's hash and the file's now. */
  replacedImage?: { runningSha256: string; onDiskSha256: string | null; onDiskMd5: string | null } | null;
  /** Executable mappings (from /proc/PID/maps) of libraries outside the usual places, or deleted. */
  execMaps?: string[] | null;
}

export interface Snapshot {
  /** Milliseconds since the epoch when the sample was taken. */
  takenAt: number;
  /** Milliseconds between this sample and the previous one (0 for the first). */
  intervalMs: number;
  bootTime: number;
  /** The kernel's task time (user + nice + system of /proc/stat, clock ticks) as the sample began; absent when unreadable. */
  taskTicks?: number;
  /**
   * CPU time (% of one core) the kernel counted that no listed process accounted for (own time and
   * reaped children's), as of the last tick that read every process (src/procfs/restGate.ts); absent
   * until one was measured.
   */
  unaccountedPct?: number;
  processes: Map<number, ProcessInfo>;
  /** Connections per pid (only pids that have candidate connections are present). */
  connections: Map<number, Connection[]>;
  host: HostContext;
  /** Whether minewatch runs as root (uid 0): without it some links are unreadable. */
  root: boolean;
  /** How many processes' executables could not be read (EACCES) on this snapshot. */
  unreadableExe: number;
  warnings: string[];
  /** Who holds a GPU, and how much of it they use (absent when GPU reading is off). */
  gpu?: GpuState;
  /** Container of each process that is in one (absent when not read; processes on the host are left out). */
  containers?: Map<number, ContainerInfo>;
  /** The CPU accounting gap as the dashboard watches it (absent outside the dashboard). */
  cpuGap?: import('./deep/gapWatch').GapStatus;
  /** Content evidence by PID (see ContentFacts); absent when none was gathered. */
  content?: Map<number, ContentFacts>;
  /**
   * The first frame's quick pass: processes carry stat, command line and owner only, and nothing was
   * assessed yet (views say "checking", never "0 flagged").
   */
  partial?: boolean;
}

/** A process's hold on a GPU. */
export interface ProcGpu {
  /** Device files it holds: nvidia0, renderD128, or the control files (nvidiactl, nvidia-uvm). */
  devices: string[];
  vendor: 'nvidia' | 'drm';
  /** Holds only driver control files (the CUDA runtime is loaded, no GPU is in use). */
  controlOnly: boolean;
  /** GPU memory it uses, in bytes; null when unknown. */
  memBytes: number | null;
  /** Busiest engine (DRM) or SM share (NVIDIA), % of the device; null when unknown. */
  utilPct: number | null;
  source: 'nvidia-smi' | 'drm-fdinfo' | 'fd';
}

export interface GpuState {
  /** The host has a GPU (driver or device nodes), or a process holds one. */
  present: boolean;
  /** Model names (from the NVIDIA driver's /proc files, or systeminformation once at start). */
  devices: string[];
  /** The per-process NVIDIA source, said plainly ("nvidia-smi not found: ..."); null without an NVIDIA driver. */
  nvidia: { state: string; message: string } | null;
  processes: Map<number, ProcGpu>;
  /** PIDs nvidia-smi reports on a GPU that answer at /proc/N yet are missing from the listing. */
  unlisted: { pid: number; command: string; fbMiB: number | null }[];
}

export type ContainerRuntime = 'docker' | 'containerd' | 'podman' | 'cri-o' | 'kubernetes' | 'nspawn' | 'lxc' | 'namespace';

/** Which container a process runs in, from its cgroup path and namespace inodes. */
export interface ContainerInfo {
  runtime: ContainerRuntime;
  /** Container id (64 hex) or name, as the cgroup path gives it. */
  id: string;
  /** Short label for a column: "docker:3f2a9c1b7e0d", "lxc:web", "k8s:pod 1a2b3c4d". */
  label: string;
  /** Kubernetes pod uid, when the path names one. */
  pod: string | null;
  /** In a PID namespace other than the host's (PID 1 inside is not the host's init). */
  ownPidNamespace: boolean;
}

/**
 * A process minewatch killed a moment ago, remembered by the respawn watch (src/respond/respawn.ts):
 * the facts rule R1 compares every new process with.
 */
export interface KilledProcess {
  pid: number;
  startTicks: number;
  exe: string | null;
  cmdline: string[];
  /** Milliseconds since the epoch when it was killed. */
  at: number;
}

export interface Finding {
  /** Rule id from the catalogue, e.g. "H01". */
  id: string;
  /** Weight this finding adds to the process score. */
  weight: number;
  severity: Severity;
  /** One line, e.g. "Kernel-thread impostor". */
  title: string;
  /** Plain-language sentence that names the evidence. */
  explanation: string;
  /** MITRE ATT&CK technique ids. */
  attack: string[];
  /** The raw values the finding rests on. */
  evidence: Record<string, unknown>;
}

export interface Assessment {
  pid: number;
  score: number;
  severity: Severity;
  findings: Finding[];
}
