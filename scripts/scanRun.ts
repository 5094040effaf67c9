// One `minewatch scan` as a fleet runs it (the systemd unit: ECS alerts and a textfile for node_exporter,
// 1 s sample), measured from outside: wall time, and the scan process's own CPU time and peak RSS (a
// preload reports process.resourceUsage() at exit on fd 3). Shared by npm run bench and npm run profile.
import { spawnSync } from 'node:child_process';

const USAGE_PRELOAD = 'data:text/javascript,' + encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.resourceUsage(); writeSync(3, JSON.stringify({ user: u.userCPUTime, system: u.systemCPUTime, maxRss: u.maxRSS })); });");

export interface ScanRun {
  wallMs: number;
  cpuMs: number;
  userMs: number;
  systemMs: number;
  rssMb: number;
  /** ECS events written (one per line). */
  events: number;
}

/** Run `node [nodeArgs] BUNDLE scan --format ecs --textfile-dir DIR`; throws when it fails (exit 2 or a signal). */
export function runScanOnce(bundle: string, textfileDir: string, nodeArgs: string[] = []): ScanRun {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', USAGE_PRELOAD, ...nodeArgs, bundle, 'scan', '--format', 'ecs', '--textfile-dir', textfileDir],
    { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`scan failed (${r.status ?? r.signal}): ${r.stderr}`);
  const u = JSON.parse(String(r.output[3])) as { user: number; system: number; maxRss: number };
  return {
    wallMs, cpuMs: (u.user + u.system) / 1000, userMs: u.user / 1000, systemMs: u.system / 1000, rssMb: u.maxRss / 1024,
    events: String(r.stdout).split('\n').filter(Boolean).length,
  };
}

/** `ps -eo pid,ppid,user,pcpu,args` over the same table, as the benchmarks compare with: wall ms. */
export function runPsOnce(): number {
  const t0 = performance.now();
  spawnSync('ps', ['-eo', 'pid,ppid,user,pcpu,args'], { maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - t0;
}
