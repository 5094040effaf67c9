// End to end: a dozen corpus cases live. Harmless processes of our own (copies of a payload that only
// sleeps, renamed with exec -a or prctl), scanned by the real binary; every one is killed by the PID we
// started, and its directory removed. The verdict is checked against the responder's side of "high".
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { severityRank } from '../../src/model';
import type { ScanReport } from '../../src/scan/report';
import { runCli } from '../helpers/cli';
import { spawnEscapeNamed, spawnFakeMiner, spawnFakeSshd, waitFor, type Spawned } from '../helpers/masquerade';

interface Live { name: string; kind: 'malicious' | 'benign'; pid: () => number; ids?: string[] }

const spawned: Spawned[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];
const cases: Live[] = [];
let report: ScanReport;

function child(cmd: string, args: string[], opts: { argv0?: string } = {}): ChildProcess {
  const c = spawn(cmd, args, { stdio: 'ignore', argv0: opts.argv0 });
  children.push(c);
  return c;
}

beforeAll(async () => {
  const track = async (p: Promise<Spawned>) => { const s = await p; spawned.push(s); return s; };
  // Malicious shapes.
  const kswapd = await track(spawnFakeMiner({ name: 'kswapd0', args: [], lifetimeSec: 120 }));
  cases.push({ name: 'userland kswapd0 in a hidden temp dir', kind: 'malicious', pid: () => kswapd.pid, ids: ['H01'] });
  const xmrig = await track(spawnFakeMiner({ name: 'xmrig', hiddenDir: false, args: ['-o', 'stratum+tcp://pool.example:3333'], lifetimeSec: 120 }));
  cases.push({ name: 'xmrig with a stratum URL', kind: 'malicious', pid: () => xmrig.pid, ids: ['H30', 'H32'] });
  const flags = await track(spawnFakeMiner({ name: 'app', hiddenDir: false, args: ['--donate-level=1', '--cpu-max-threads-hint=50', '-a', 'rx/0'], lifetimeSec: 120 }));
  cases.push({ name: 'XMRig-only options', kind: 'malicious', pid: () => flags.pid, ids: ['H31'] });
  const sshd = await track(spawnFakeSshd({ lifetimeSec: 120 }));
  cases.push({ name: 'shell script named sshd', kind: 'malicious', pid: () => sshd.pid, ids: ['H02'] });
  const kworker = await track(spawnEscapeNamed('kworker/0:5', { lifetimeSec: 120 }));
  cases.push({ name: 'prctl-renamed kworker/0:5', kind: 'malicious', pid: () => kworker.pid, ids: ['H01'] });
  const perfd = await track(spawnFakeMiner({ name: 'perfd', hiddenDir: false, args: [], lifetimeSec: 120 }));
  writeFileSync(join(perfd.dir, 'config.json'), JSON.stringify({ 'donate-level': 0, pools: [{ url: 'pool.example.org:3333', user: '4Abc' }] }));
  cases.push({ name: 'miner with config.json next to it', kind: 'malicious', pid: () => perfd.pid, ids: ['H37'] });
  const crond = await track(spawnFakeMiner({ name: 'crond', hiddenDir: false, args: [], lifetimeSec: 120 }));
  cases.push({ name: 'crond in /tmp', kind: 'malicious', pid: () => crond.pid, ids: ['H02', 'H10'] });

  // Honest shapes.
  const busy = child('python3', ['-c', 'import time\nt=time.time()\nwhile time.time()-t<60: pass']);
  cases.push({ name: 'busy python3 -c loop', kind: 'benign', pid: () => busy.pid! });
  const plain = child('sleep', ['60']);
  cases.push({ name: 'plain sleep', kind: 'benign', pid: () => plain.pid! });
  const tmux = child('sleep', ['60'], { argv0: 'tmux: server' });
  cases.push({ name: 'argv0 "tmux: server"', kind: 'benign', pid: () => tmux.pid! });
  const goBuild = join(tmpdir(), `go-build${process.pid}${Date.now() % 100000}`);
  dirs.push(goBuild);
  mkdirSync(join(goBuild, 'b001/exe'), { recursive: true });
  copyFileSync('/bin/sleep', join(goBuild, 'b001/exe/main'));
  const goRun = child(join(goBuild, 'b001/exe/main'), ['60']);
  cases.push({ name: 'go run binary in /tmp/go-build*', kind: 'benign', pid: () => goRun.pid! });
  const nohup = child('nohup', ['sleep', '60']);
  cases.push({ name: 'nohup sleep', kind: 'benign', pid: () => nohup.pid! });

  await waitFor(() => children.every((c) => c.pid !== undefined), 3000);
  const r = await runCli(['scan', '--json', '--all', '--sample', '500']);
  report = JSON.parse(r.stdout);
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
    try { process.kill(c.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  await Promise.all(spawned.map((s) => s.kill()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('live corpus: a dozen cases through minewatch scan', () => {
  it('runs twelve cases', () => expect(cases.length).toBe(12));
  for (let i = 0; i < 12; i++) {
    it(`case ${i + 1}`, () => {
      const c = cases[i];
      const p = report.processes.find((x) => x.pid === c.pid());
      const sev = p?.severity ?? 'none';
      const ids = p?.findings.map((f) => f.id) ?? [];
      const label = `${c.kind} ${c.name}: ${sev} (${ids.join(' ')})`;
      if (c.kind === 'malicious') {
        expect(p, label).toBeDefined();
        expect(severityRank(sev), label).toBeGreaterThanOrEqual(severityRank('high'));
        for (const id of c.ids ?? []) expect(ids, label).toContain(id);
      } else {
        expect(severityRank(sev), label).toBeLessThan(severityRank('high'));
      }
    });
  }
});
