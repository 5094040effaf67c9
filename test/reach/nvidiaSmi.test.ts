// The nvidia-smi loop: its parser on pmon output as the driver prints it, and its lifecycle with a fake
// nvidia-smi (a shell script on PATH in a temporary directory): started only on an NVIDIA host, read
// while it runs, stopped with minewatch, and its absence or failure said plainly.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GpuSampler, gpuWarnings } from '../../src/gpu/index';
import { NvidiaSmiMonitor, parsePmonHeader, parsePmonLine } from '../../src/gpu/nvidiaSmi';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';

const PMON = [
  '# gpu         pid   type     sm    mem    enc    dec    jpg    ofa     fb   command ',
  '# Idx           #    C/G      %      %      %      %      %      %     MB   name ',
  '    0        454     C      3      0      -      -      -      -    714   python3        ',
  '    1          -     -      -      -      -      -      -      -      -   -              ',
];

const dirs: string[] = [];
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake nvidia-smi that records its PID and arguments and prints pmon lines every 0.1 s (or fails). */
function fakeSmi(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mw-smi-'));
  dirs.push(dir);
  const path = join(dir, 'nvidia-smi');
  // the arguments first, then the PID, each written whole (mv): a reader that sees the PID sees both
  writeFileSync(path, `#!/bin/sh\necho "$@" > "${dir}/args.tmp" && mv "${dir}/args.tmp" "${dir}/args"\necho $$ > "${dir}/pid.tmp" && mv "${dir}/pid.tmp" "${dir}/pid"\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function until<T>(f: () => T | null | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('pmon parser', () => {
  it('maps columns by the header and skips idle GPUs and units', () => {
    const cols = parsePmonHeader(PMON[0])!;
    expect(cols).toEqual(['gpu', 'pid', 'type', 'sm', 'mem', 'enc', 'dec', 'jpg', 'ofa', 'fb', 'command']);
    expect(parsePmonHeader(PMON[1])).toBeNull();
    expect(parsePmonLine(cols, PMON[1], 5)).toBeNull();
    expect(parsePmonLine(cols, PMON[2], 5)).toEqual({ gpu: 0, pid: 454, type: 'C', smPct: 3, memPct: 0, fbMiB: 714, command: 'python3', at: 5 });
    expect(parsePmonLine(cols, PMON[3], 5)).toBeNull();
  });

  it('reads an older driver\'s columns (no jpg/ofa)', () => {
    const cols = parsePmonHeader('# gpu        pid  type    sm   mem   enc   dec    fb   command')!;
    expect(parsePmonLine(cols, '    0      12345     C    97    45     -     -  10240   t-rex', 1)).toMatchObject({ pid: 12345, smPct: 97, fbMiB: 10240, command: 't-rex' });
  });
});

describe('nvidia-smi lifecycle (fake program)', () => {
  it('runs one long-lived pmon, feeds the sampler, and stops with minewatch', async () => {
    const lines = PMON.map((l) => `echo '${l}'`).join('\n');
    const smi = fakeSmi(`while :; do\n${lines}\nsleep 0.1\ndone`);
    const tree = new ProcTree().withBaseSystem();
    dirs.push(tree.base);
    tree.procFile('driver/nvidia/version', 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04\n');
    tree.add({ pid: 454, comm: 'python3', uid: 0, exe: '/usr/bin/python3', cmdline: ['python3', 'train.py'] });
    const gpu = new GpuSampler({ procRoot: tree.proc, root: tree.root, nvidiaSmi: smi, graphicsNames: false });
    gpu.start();
    const pid = await until(() => existsSync(join(smi, '..', 'pid')) && Number(readFileSync(join(smi, '..', 'pid'), 'utf8')));
    started.push(pid);
    expect(readFileSync(join(smi, '..', 'args'), 'utf8').trim()).toBe('pmon -s um -d 1');
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root });
    const state = await until(() => { const s = gpu.sample(reader.sample()); return s.processes.has(454) && s; });
    expect(state.processes.get(454)).toMatchObject({ memBytes: 714 * 2 ** 20, utilPct: 3, source: 'nvidia-smi', vendor: 'nvidia' });
    expect(state.nvidia).toMatchObject({ state: 'running' });
    expect(state.present).toBe(true);
    gpu.stop();
    await until(() => !alive(pid));
    expect(gpu.nvidia!.status.state).toBe('off');
  });

  it('is not started on a host without an NVIDIA driver', () => {
    const tree = new ProcTree().withBaseSystem();
    dirs.push(tree.base);
    const gpu = new GpuSampler({ procRoot: tree.proc, root: tree.root, nvidiaSmi: '/nonexistent/nvidia-smi', graphicsNames: false });
    gpu.start();
    expect(gpu.nvidia).toBeNull();
    expect(gpu.sample(new ProcReader({ procRoot: tree.proc, root: tree.root }).sample()).nvidia).toBeNull();
    gpu.stop();
  });

  it('says plainly when nvidia-smi is missing', async () => {
    const m = new NvidiaSmiMonitor({ command: '/nonexistent/dir/nvidia-smi' });
    m.start();
    await until(() => m.status.state === 'failed');
    expect(m.status.message).toMatch(/not found: NVIDIA per-process memory and utilisation are not shown/);
    expect(gpuWarnings({ present: true, devices: [], nvidia: m.status, processes: new Map(), unlisted: [] })).toEqual([m.status.message]);
  });

  it('says plainly when nvidia-smi fails, with its own words', async () => {
    const smi = fakeSmi("echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\" >&2\nexit 9");
    const m = new NvidiaSmiMonitor({ command: smi });
    m.start();
    await until(() => m.status.state === 'failed');
    expect(m.status.message).toMatch(/exited \(code 9\): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
    m.stop();
  });

  it('reports a GPU user that /proc answers for but does not list', async () => {
    const smi = fakeSmi(`while :; do\necho '${PMON[0]}'\necho '    0   ${process.pid}     C     99    40      -      -      -      -   9000   xmrig'\nsleep 0.1\ndone`);
    const tree = new ProcTree().withBaseSystem();
    dirs.push(tree.base);
    tree.procFile('driver/nvidia/version', 'NVRM version: 580\n');
    // the fixture listing lacks our PID, but /proc/<our pid> of the fixture answers: make it so
    tree.add({ pid: process.pid, comm: 'xmrig', uid: 1001 });
    const gpu = new GpuSampler({ procRoot: tree.proc, root: tree.root, nvidiaSmi: smi, graphicsNames: false });
    gpu.start();
    try {
      const reader = new ProcReader({ procRoot: tree.proc, root: tree.root });
      const snap = reader.sample();
      snap.processes.delete(process.pid); // as a readdir hook would leave it out
      const state = await until(() => { const s = gpu.sample(snap); return s.unlisted.length > 0 && s; });
      expect(state.unlisted).toEqual([{ pid: process.pid, command: 'xmrig', fbMiB: 9000 }]);
      expect(gpuWarnings(state)[0]).toMatch(/the \/proc listing does not show it: a hidden process/);
    } finally {
      gpu.stop();
    }
  });
});
