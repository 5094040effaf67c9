// GPU per process on fixture trees built from the facts measured on an H100 host
// (../shared/reference/gpu.md), DRM fdinfo per the kernel's drm-usage-stats, and the GPU rules.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/index';
import { GpuSampler, gpuCell } from '../../src/gpu/index';
import { classifyGpuPath, devMajor, parseDrmFdinfo, readGpuHardware, scanGpuFds } from '../../src/procfs/gpu';
import { ProcReader } from '../../src/procfs/reader';
import { ProcTree, PF_KTHREAD } from '../../src/procfs/fake';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

function fd(tree: ProcTree, pid: number, n: number, target: string, fdinfo?: string): void {
  const dir = join(tree.proc, String(pid), 'fd');
  mkdirSync(dir, { recursive: true });
  symlinkSync(target, join(dir, String(n)));
  tree.procFile(`${pid}/fdinfo/${n}`, fdinfo ?? `pos:\t0\nflags:\t02\nmnt_id:\t25\nino:\t${900 + n}\n`);
}

/** The measured training process: PID 454, python3 train.py, fds 10..30 on the NVIDIA device files. */
function h100Trainer(tree: ProcTree, pid = 454, extra: Partial<Parameters<ProcTree['add']>[0]> = {}): void {
  tree.add({ pid, comm: 'python3', uid: 0, exe: '/usr/bin/python3.12', cmdline: ['python3', 'train.py'], cwd: '/root/work', threads: 18, ...extra });
  fd(tree, pid, 0, '/dev/pts/0');
  fd(tree, pid, 3, 'socket:[4242]');
  fd(tree, pid, 10, '/dev/nvidia-uvm');
  for (const n of [11, 12, 13, 14, 18, 23, 24, 26, 27, 28, 29, 30]) fd(tree, pid, n, '/dev/nvidia0');
  fd(tree, pid, 17, '/dev/nvidiactl');
  fd(tree, pid, 19, '/dev/nvidia-uvm');
  fd(tree, pid, 20, '/dev/nvidia-caps/nvidia-cap1');
  fd(tree, pid, 21, '/dev/nvidia-caps/nvidia-cap2');
}

function nvidiaDriver(tree: ProcTree): void {
  tree.procFile('driver/nvidia/version', 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build\n');
  tree.procFile('driver/nvidia/gpus/0000:18:00.0/information', 'Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   \t\t 123\nGPU UUID: \t GPU-0000\nBus Location: \t 0000:18:00.0\n');
}

const AMD_FDINFO = (clientId: number, gfxNs: number, vram = '524288 KiB') => [
  'pos:\t0', 'flags:\t02100002', 'mnt_id:\t24', 'ino:\t1234', 'drm-driver:\tamdgpu', 'drm-pdev:\t0000:03:00.0',
  `drm-client-id:\t${clientId}`, `drm-engine-gfx:\t${gfxNs} ns`, 'drm-engine-compute:\t0 ns', `drm-memory-vram:\t${vram}`, 'drm-memory-gtt:\t2048 KiB', '',
].join('\n');

describe('GPU device files', () => {
  it('classifies NVIDIA and DRM paths and leaves others alone', () => {
    expect(classifyGpuPath('/dev/nvidia0')).toEqual({ kind: 'nvidia-gpu', device: 'nvidia0' });
    expect(classifyGpuPath('/dev/nvidiactl')).toEqual({ kind: 'nvidia-ctl', device: 'nvidiactl' });
    expect(classifyGpuPath('/dev/nvidia-caps/nvidia-cap1')?.kind).toBe('nvidia-ctl');
    expect(classifyGpuPath('/dev/dri/renderD128')).toEqual({ kind: 'drm-render', device: 'renderD128' });
    expect(classifyGpuPath('/dev/dri/card0')?.kind).toBe('drm-card');
    expect(classifyGpuPath('/dev/null')).toBeNull();
    expect(classifyGpuPath('/home/u/nvidia0')).toBeNull();
    expect(devMajor(195 << 8)).toBe(195);
    expect(devMajor((226 << 8) | 128)).toBe(226);
  });

  it('reads the measured H100 trainer\'s descriptors', () => {
    tree = new ProcTree().withBaseSystem();
    h100Trainer(tree);
    const fds = scanGpuFds(tree.proc, 454);
    expect(fds.filter((f) => f.kind === 'nvidia-gpu')).toHaveLength(12);
    expect(new Set(fds.map((f) => f.device))).toEqual(new Set(['nvidia0', 'nvidiactl', 'nvidia-uvm', 'nvidia-caps/nvidia-cap1', 'nvidia-caps/nvidia-cap2']));
  });

  it('finds a device node under another name by its major number (195), with a bounded number of stats', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 700, comm: 'x', uid: 1001 });
    fd(tree, 700, 4, '/dev/.cache-x');
    fd(tree, 700, 5, '/dev/urandom');
    const asked: number[] = [];
    const rdev = (_r: string, _p: number, n: number) => { asked.push(n); return n === 4 ? { isChar: true, rdev: 195 << 8 } : { isChar: false, rdev: 0 }; };
    expect(scanGpuFds(tree.proc, 700, rdev)).toEqual([{ fd: 4, target: '/dev/.cache-x', kind: 'nvidia-gpu', device: '.cache-x' }]);
    expect(asked).toEqual([4]); // /dev/urandom is known not to be a GPU: no stat
  });

  it('parses DRM fdinfo (amdgpu) and ignores NVIDIA\'s plain fdinfo', () => {
    const map = new Map(AMD_FDINFO(7, 5_000_000).split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
    expect(parseDrmFdinfo(map)).toEqual({ clientId: '7', driver: 'amdgpu', pdev: '0000:03:00.0', engines: { gfx: 5_000_000, compute: 0 }, memBytes: (524288 + 2048) * 1024 });
    expect(parseDrmFdinfo(new Map([['pos', '0'], ['flags', '02'], ['mnt_id', '25'], ['ino', '911']]))).toBeNull();
  });

  it('knows the host\'s GPUs without running anything', () => {
    tree = new ProcTree().withBaseSystem();
    nvidiaDriver(tree);
    tree.file('dev/dri/renderD128', '');
    tree.file('dev/dri/card0', '');
    expect(readGpuHardware(tree.proc, tree.root)).toEqual({
      nvidia: true, nvidiaModels: [{ bus: '0000:18:00.0', model: 'NVIDIA H100 80GB HBM3' }], nvidiaDriver: '580.159.04', drmRender: ['renderD128'],
    });
    const bare = new ProcTree();
    try { expect(readGpuHardware(bare.proc, bare.root)).toMatchObject({ nvidia: false, drmRender: [] }); } finally { bare.cleanup(); }
  });
});

describe('GpuSampler', () => {
  it('attributes GPUs per process, DRM utilisation from busy ns, one count per DRM client', () => {
    tree = new ProcTree().withBaseSystem();
    nvidiaDriver(tree);
    tree.file('dev/dri/renderD128', ''); // the host's render node (a regular file stands in for the device)
    h100Trainer(tree);
    tree.add({ pid: 800, comm: 'blender', uid: 1002, exe: '/usr/bin/blender' });
    fd(tree, 800, 5, '/dev/dri/renderD128', AMD_FDINFO(7, 1_000_000_000));
    fd(tree, 800, 6, '/dev/dri/renderD128', AMD_FDINFO(7, 1_000_000_000)); // dup of the same client
    tree.add({ pid: 801, comm: 'Xorg', uid: 0, exe: '/usr/lib/xorg/Xorg' });
    fd(tree, 801, 9, '/dev/dri/card0');
    let now = 1_000_000;
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root });
    const gpu = new GpuSampler({ procRoot: tree.proc, root: tree.root, nvidiaSmi: false, graphicsNames: false, now: () => now });
    let state = gpu.sample(reader.sample());
    expect([...state.processes.keys()].sort()).toEqual([454, 800, 801]);
    expect(state.processes.get(454)).toMatchObject({ vendor: 'nvidia', controlOnly: false, memBytes: null, utilPct: null, source: 'fd' });
    expect(state.processes.get(454)!.devices).toEqual(['nvidia0']);
    expect(state.processes.get(800)).toMatchObject({ vendor: 'drm', memBytes: (524288 + 2048) * 1024, utilPct: null, source: 'drm-fdinfo' });
    // 1 s later the gfx engine was busy for 0.6 s: 60 %
    now += 1000;
    tree.procFile('800/fdinfo/5', AMD_FDINFO(7, 1_600_000_000));
    tree.procFile('800/fdinfo/6', AMD_FDINFO(7, 1_600_000_000));
    state = gpu.sample(reader.sample());
    expect(state.processes.get(800)!.utilPct).toBeCloseTo(60);
    expect(gpuCell(state.processes.get(800))).toBe('514M 60%');
  });

  it('on a host without a GPU driver or device no descriptor is read; once one appears, new processes are checked within a budget', () => {
    tree = new ProcTree().withBaseSystem();
    for (let i = 0; i < 400; i++) tree.add({ pid: 1000 + i, comm: 'sleep', uid: 1001 });
    h100Trainer(tree, 1500);
    let now = 1_000_000;
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root });
    const gpu = new GpuSampler({ procRoot: tree.proc, root: tree.root, nvidiaSmi: false, graphicsNames: false, now: () => now });
    expect(gpu.present).toBe(false);
    for (let t = 0; t < 3; t++) {
      const s = gpu.sample(reader.sample());
      expect(gpu.lastScans).toBe(0);
      expect(s.present).toBe(false);
      now += 1000;
    }
    nvidiaDriver(tree); // the driver is loaded: looked for again within a minute
    now += 60_000;
    const scans: number[] = [];
    let last = gpu.sample(reader.sample());
    scans.push(gpu.lastScans);
    for (let t = 0; t < 4; t++) { now += 1000; last = gpu.sample(reader.sample()); scans.push(gpu.lastScans); }
    expect(last.present).toBe(true);
    expect(scans[0]).toBeLessThanOrEqual(300);
    expect(scans.slice(0, 3).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(401); // everyone checked once
    expect(last.processes.get(1500)?.devices).toContain('nvidia0');
  });
});

/** Assess a tree with GPU reading on, CPU given per PID. */
function assessWithGpu(tree: ProcTree, busy: Record<number, number> = {}) {
  nvidiaDriver(tree);
  const reader = new ProcReader({ procRoot: tree.proc, root: tree.root });
  const snap = reader.sample();
  for (const [pid, cpu] of Object.entries(busy)) {
    const p = snap.processes.get(Number(pid));
    if (p) snap.processes.set(p.pid, { ...p, cpuPercent: cpu });
  }
  snap.gpu = new GpuSampler({ procRoot: tree.proc, root: tree.root, nvidiaSmi: false, graphicsNames: false }).sample(snap);
  const a = new Detector().assess(snap);
  return (pid: number) => a.get(pid)?.findings.map((f) => f.id) ?? [];
}

describe('GPU rules', () => {
  it('H50: a kernel-thread name or a daemon name holding a GPU', () => {
    tree = new ProcTree().withBaseSystem();
    h100Trainer(tree, 900, { comm: 'kworker/0:2', cmdline: ['[kworker/0:2]'], uid: 1001, exe: '/home/abc/.k/kw' });
    h100Trainer(tree, 901, { comm: 'sshd', cmdline: ['sshd'], uid: 1001, exe: '/home/abc/sshd' });
    h100Trainer(tree, 902); // the honest trainer
    tree.add({ pid: 903, comm: 'systemd-logind', uid: 0, exe: '/usr/lib/systemd/systemd-logind' });
    fd(tree, 903, 20, '/dev/dri/card0'); // logind holds the display node: honest
    const ids = assessWithGpu(tree);
    expect(ids(900)).toContain('H50');
    expect(ids(901)).toContain('H50');
    expect(ids(902)).not.toContain('H50');
    expect(ids(903)).toEqual([]);
  });

  it('H51: GPU work from /tmp, a hidden directory or a deleted file; not from a venv', () => {
    tree = new ProcTree().withBaseSystem();
    h100Trainer(tree, 910, { uid: 1001, exe: '/tmp/.cache/gpu', cmdline: ['/tmp/.cache/gpu'] });
    h100Trainer(tree, 911, { uid: 1001, exe: '/home/abc/.x/worker', cmdline: ['./worker'] });
    h100Trainer(tree, 912, { uid: 1001, exe: '/home/abc/venv/bin/python3', cmdline: ['python3', 'train.py'], cwd: '/home/abc/proj' });
    h100Trainer(tree, 913, { uid: 1001, exe: '/usr/bin/python3', cmdline: ['python3', '/dev/shm/run.py'] });
    const ids = assessWithGpu(tree);
    expect(ids(910)).toContain('H51');
    expect(ids(911)).toContain('H51');
    expect(ids(912)).not.toContain('H51');
    expect(ids(913)).toContain('H51');
  });

  it('H52: GPU work with a miner command line or config, not a training job', () => {
    tree = new ProcTree().withBaseSystem();
    h100Trainer(tree, 920, { uid: 1001, comm: 'python3', exe: '/opt/t-rex/t-rex', cmdline: ['./t-rex', '-a', 'kawpow', '-o', 'stratum+tcp://rvn.pool.example:3333', '-u', 'RWallet'] });
    h100Trainer(tree, 921, { uid: 1001, exe: '/usr/bin/python3', cmdline: ['python3', 'train.py', '--algo', 'adamw', '--config', 'configs/train.yaml'] });
    h100Trainer(tree, 922, { uid: 1001, exe: '/opt/bin/lolMiner', cmdline: ['lolMiner', '--algo', 'ETCHASH', '--pool', 'etc.pool.example:1010'] });
    h100Trainer(tree, 923, { uid: 1001, exe: '/usr/local/bin/worker', cmdline: ['worker', '-c', 'config.json', '--cuda'] });
    const ids = assessWithGpu(tree);
    expect(ids(920)).toContain('H52');
    expect(ids(921)).not.toContain('H52');
    expect(ids(922)).toContain('H52');
    expect(ids(923)).toContain('H52');
  });

  it('H53: on a Slurm node, sustained work by a user outside any job; inside a job is fine', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 300, comm: 'slurmd', uid: 0, exe: '/usr/sbin/slurmd', cgroup: '0::/system.slice/slurmd.service' });
    // started at boot + 10 s (startTicks 1000 of 100 Hz) and has used 2 h of CPU by the fixture's clock
    const base = { uid: 1001, utime: 100 * 3600 * 2, startTicks: 1000 };
    tree.add({ pid: 310, comm: 'python3', exe: '/usr/bin/python3', cmdline: ['python3', 'mine.py'], cgroup: '0::/user.slice/user-1001.slice/session-4.scope', ...base });
    tree.add({ pid: 311, comm: 'python3', exe: '/usr/bin/python3', cmdline: ['python3', 'sim.py'], cgroup: '0::/system.slice/slurmstepd.scope/job_4242/step_0/user/task_0', ...base });
    tree.add({ pid: 312, comm: 'vim', exe: '/usr/bin/vim', cgroup: '0::/user.slice/user-1001.slice/session-4.scope', uid: 1001, startTicks: 1000 });
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root, now: () => 1_700_000_000_000 + 3 * 3600_000 });
    const snap = reader.sample();
    const a = new Detector().assess(snap);
    const ids = (pid: number) => a.get(pid)?.findings.map((f) => f.id) ?? [];
    expect(ids(310)).toContain('H53');
    expect(a.get(310)!.findings.find((f) => f.id === 'H53')!.explanation).toMatch(/outside any Slurm job/);
    expect(ids(311)).not.toContain('H53');
    expect(ids(312)).not.toContain('H53');
  });

  it('H53 is silent on hosts without Slurm', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 310, comm: 'python3', exe: '/usr/bin/python3', uid: 1001, utime: 100 * 3600 * 2, startTicks: 1000 });
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root, now: () => 1_700_000_000_000 + 3 * 3600_000 });
    expect(new Detector().assess(reader.sample()).get(310)?.findings.map((f) => f.id) ?? []).not.toContain('H53');
  });
});

void PF_KTHREAD;
