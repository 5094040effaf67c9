// `minewatch scan --format prometheus` and `--textfile-dir`: the real `promtool check metrics` passes,
// the figures match the incident, a failed scan says so, and the file is only ever replaced whole.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusText } from '../../src/export/prometheus';
import { BIN, runCli } from '../helpers/cli';
import { incidentHost, type IncidentHost } from './fixtureHost';
import { haveTool } from './tools';

const promtool = haveTool('promtool');

function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Sample value by exact series name (with labels). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let host: IncidentHost;
beforeAll(() => { host = incidentHost(); });
afterAll(() => host?.remove());

describe('scan --format prometheus', () => {
  it('prints the incident as bounded series (no PID labels)', async () => {
    const r = await runCli(['scan', '--format', 'prometheus', ...host.scanArgs]);
    expect(r.code).toBe(1);
    const t = r.stdout;
    expect(sample(t, 'minewatch_flagged_processes{severity="critical"}')).toBe(2);
    expect(sample(t, 'minewatch_flagged_processes{severity="low"}')).toBe(0);
    expect(sample(t, 'minewatch_flagged_persistence_entries{severity="critical"}')).toBe(1);
    expect(sample(t, 'minewatch_findings{rule="H01"}')).toBe(1);
    expect(sample(t, 'minewatch_findings{rule="H12"}')).toBe(2);
    expect(sample(t, 'minewatch_findings{rule="C9"}')).toBe(1);
    expect(sample(t, 'minewatch_findings{rule="H33"}')).toBe(0);
    expect(sample(t, 'minewatch_scan_success')).toBe(1);
    expect(sample(t, 'minewatch_unreadable_executables')).toBe(0);
    expect(sample(t, 'minewatch_build_info{version="0.1.0"}')).toBe(1);
    expect(sample(t, 'minewatch_scan_duration_seconds')).toBeGreaterThan(0);
    expect(Math.abs(sample(t, 'minewatch_last_scan_timestamp_seconds')! - Date.now() / 1000)).toBeLessThan(60);
    expect(t).not.toMatch(/pid=|path=/);
  });

  it.runIf(promtool)('passes promtool check metrics, and promtool does catch a bad exposition', async () => {
    const r = await runCli(['scan', '--format', 'prometheus', ...host.scanArgs]);
    expect(promtoolCheck(r.stdout)).toEqual({ status: 0, output: '' });
    const failed = prometheusText({ report: null, unreadableExecutables: 0, durationSeconds: 0.5, finishedAt: Date.now(), version: '0.1.0' });
    expect(promtoolCheck(failed)).toEqual({ status: 0, output: '' });
    // The check is real: a counter without _total is a lint error.
    expect(promtoolCheck('# HELP minewatch_x x\n# TYPE minewatch_x counter\nminewatch_x 1\n').status).not.toBe(0);
  });
});

describe('scan --textfile-dir', () => {
  it.runIf(promtool)('writes DIR/minewatch.prom (mode 0644, promtool-clean) next to the chosen format', async () => {
    const dir = join(host.dir, 'textfile');
    mkdirSync(dir);
    const r = await runCli(['scan', '--format', 'ecs', '--textfile-dir', dir, ...host.scanArgs]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^\{"@timestamp"/);
    const file = join(dir, 'minewatch.prom');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    const text = readFileSync(file, 'utf8');
    expect(sample(text, 'minewatch_flagged_processes{severity="critical"}')).toBe(2);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    expect(readdirSync(dir)).toEqual(['minewatch.prom']);
  });

  it('a failed scan replaces the figures with minewatch_scan_success 0 and exits 2', async () => {
    const dir = join(host.dir, 'textfile-fail');
    mkdirSync(dir);
    const r = await runCli(['scan', '--textfile-dir', dir, '--proc', join(host.dir, 'no-such-proc'), '--root', host.root, '--sample', '0']);
    expect(r.code).toBe(2);
    const text = readFileSync(join(dir, 'minewatch.prom'), 'utf8');
    expect(sample(text, 'minewatch_scan_success')).toBe(0);
    expect(text).not.toContain('minewatch_flagged_processes');
    if (promtool) expect(promtoolCheck(text).status).toBe(0);
  });

  it('is replaced atomically: a reader polling it while scans rewrite it never sees a partial file', async () => {
    const dir = join(host.dir, 'textfile-race');
    mkdirSync(dir);
    const file = join(dir, 'minewatch.prom');
    const scan = () => new Promise<number | null>((resolve) => {
      const c = spawn(process.execPath, [BIN, 'scan', '--format', 'ecs', '--output', join(dir, '..', 'race.ndjson'), '--textfile-dir', dir, ...host.scanArgs], { stdio: 'ignore' });
      c.on('close', resolve);
    });
    expect(await scan()).toBe(1);
    let running = true;
    let reads = 0;
    const versions = new Set<string>();
    const bad: string[] = [];
    const reader = (async () => {
      while (running) {
        const text = readFileSync(file, 'utf8');
        reads++;
        const ts = /^minewatch_last_scan_timestamp_seconds (\S+)$/m.exec(text)?.[1];
        if (!text.endsWith('minewatch_build_info{version="0.1.0"} 1\n') || !text.startsWith('# HELP minewatch_flagged_processes') || !ts) bad.push(text);
        else versions.add(ts);
        await new Promise((r) => setImmediate(r));
      }
    })();
    // Two writers at a time, six scans in all.
    const codes: (number | null)[] = [];
    for (let i = 0; i < 3; i++) codes.push(...await Promise.all([scan(), scan()]));
    running = false;
    await reader;
    expect(codes.every((c) => c === 1)).toBe(true);
    expect(bad).toEqual([]);
    expect(reads).toBeGreaterThan(50);
    expect(versions.size).toBeGreaterThan(2); // the reader did see the file being replaced
    expect(readdirSync(dir)).toEqual(['minewatch.prom']); // no temporary file left behind
  }, 60_000);
});
