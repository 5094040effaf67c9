// Which container a process runs in: its cgroup path names the runtime and the container (docker,
// containerd, podman, CRI-O and Kubernetes pods, systemd-nspawn, LXC/LXD), and its PID namespace inode,
// compared with PID 1's, says whether PID 1 inside it is someone else's init. A process in its own PID
// namespace whose cgroup names no runtime (unshare, bubblewrap, a browser sandbox) is labelled by its
// namespace. Read once per (pid, start time): neither can change without an exec into another cgroup,
// which the periodic re-read catches.
import type { ContainerInfo, ContainerRuntime, ProcessInfo } from '../model';
import { readNamespace } from './pid';

/** Inode of /proc/PID/ns/pid ("pid:[4026531836]"), or undefined. */
function pidNamespace(procRoot: string, pid: number): number | undefined {
  return readNamespace(procRoot, pid, 'pid') ?? undefined;
}

const HEX64 = '[0-9a-f]{64}';

interface Pattern {
  re: RegExp;
  runtime: ContainerRuntime;
}

// Order matters: Kubernetes paths contain the runtime's own scope (cri-containerd-<id>, crio-<id>, docker-<id>).
const PATTERNS: Pattern[] = [
  { re: new RegExp(`kubepods[^]*?pod([0-9a-f_-]{36})[^]*?(?:cri-containerd-|crio-|docker-|/)(${HEX64})`), runtime: 'kubernetes' },
  { re: new RegExp(`/docker-(${HEX64})\\.scope`), runtime: 'docker' },
  { re: new RegExp(`/docker/(${HEX64})`), runtime: 'docker' },
  { re: new RegExp(`/libpod-(?!conmon-)(${HEX64})\\.scope`), runtime: 'podman' },
  { re: new RegExp(`/crio-(?!conmon-)(${HEX64})\\.scope`), runtime: 'cri-o' },
  { re: new RegExp(`/cri-containerd-(${HEX64})\\.scope`), runtime: 'containerd' },
  { re: new RegExp(`/nerdctl-(${HEX64})\\.scope`), runtime: 'containerd' },
  { re: new RegExp(`/[\\w.-]+/(${HEX64})(?:/|$)`), runtime: 'containerd' }, // containerd namespaces: [/containerd.service]/default/<id>
  { re: /\/systemd-nspawn@([^/]+)\.service/, runtime: 'nspawn' },
  { re: /\/machine-([^/]+)\.scope/, runtime: 'nspawn' },
  { re: /^\/lxc\.payload[.:/]([^/]+)/, runtime: 'lxc' },
  { re: /^\/lxc\/([^/]+)/, runtime: 'lxc' },
];

const SHORT: Record<ContainerRuntime, string> = {
  docker: 'docker', containerd: 'ctrd', podman: 'podman', 'cri-o': 'crio', kubernetes: 'k8s', nspawn: 'nspawn', lxc: 'lxc', namespace: 'pidns',
};

/** The container a cgroup path names, or null for the host's own slices and scopes. */
export function containerFromCgroup(path: string | null): Omit<ContainerInfo, 'ownPidNamespace'> | null {
  if (!path) return null;
  for (const { re, runtime } of PATTERNS) {
    const m = re.exec(path);
    if (!m) continue;
    if (runtime === 'kubernetes') {
      const pod = m[1].replace(/_/g, '-');
      return { runtime, id: m[2], pod, label: `k8s:${pod.slice(0, 8)}/${m[2].slice(0, 8)}` };
    }
    const id = m[1].replace(/\\x2d/g, '-');
    const short = /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
    return { runtime, id, pod: null, label: `${SHORT[runtime]}:${short}` };
  }
  return null;
}

/** Cache of container facts per (pid, start time), and PID 1's namespace to compare with. */
export class ContainerIndex {
  private readonly cache = new Map<number, { startTicks: number; cgroup: string | null; info: ContainerInfo | null }>();
  private hostPidNs: number | undefined;

  constructor(private readonly procRoot = '/proc') {}

  /** Containers of every process that is in one; host processes are left out. */
  sample(processes: ReadonlyMap<number, ProcessInfo>): Map<number, ContainerInfo> {
    if (this.hostPidNs === undefined) this.hostPidNs = pidNamespace(this.procRoot, 1) ?? 0;
    const out = new Map<number, ContainerInfo>();
    for (const p of processes.values()) {
      if (p.kernelThread) continue;
      let c = this.cache.get(p.pid);
      if (!c || c.startTicks !== p.startTicks || c.cgroup !== p.cgroup) {
        c = { startTicks: p.startTicks, cgroup: p.cgroup, info: this.read(p) };
        this.cache.set(p.pid, c);
      }
      if (c.info) out.set(p.pid, c.info);
    }
    if (this.cache.size > processes.size) for (const pid of this.cache.keys()) if (!processes.has(pid)) this.cache.delete(pid);
    return out;
  }

  private read(p: ProcessInfo): ContainerInfo | null {
    const fromCgroup = containerFromCgroup(p.cgroup);
    // NSpid with one entry (read by the reader on a live /proc) says it shares /proc's PID namespace,
    // which is PID 1's: no namespace link to read (one readlink per process on a big host).
    const ns = this.hostPidNs && p.pidNsDepth !== 1 ? pidNamespace(this.procRoot, p.pid) : undefined;
    const ownPidNamespace = ns !== undefined && this.hostPidNs !== 0 && ns !== this.hostPidNs;
    if (fromCgroup) return { ...fromCgroup, ownPidNamespace };
    if (ownPidNamespace) return { runtime: 'namespace', id: String(ns), pod: null, label: `pidns:${ns}`, ownPidNamespace };
    return null;
  }
}

/**
 * Whether a process's container matches what the user typed: "host" for processes in none, a runtime
 * ("docker", "k8s", "lxc"...), or any part of the label, id or pod uid.
 */
export function matchesContainer(c: ContainerInfo | null, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === 'host') return c === null;
  if (!c) return false;
  if (q === '' || q === c.runtime || q === SHORT[c.runtime]) return true;
  return c.label.toLowerCase().includes(q) || c.id.toLowerCase().startsWith(q) || (c.pod ?? '').startsWith(q);
}
