// Issue 9, item 11: `inspect` of a process with a megabyte of arguments printed 3 MB and grew without
// bound. The inspector keeps at most INSPECT_CMDLINE_CAP bytes of argv, says it cut it, clips long
// environment values, and `inspect` prints a bounded report in bounded memory.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInspect, inspectQuick } from '../../src/inspect/index';
import { INSPECT_CMDLINE_CAP } from '../../src/inspect/procfiles';
import { ProcTree } from '../../src/procfs/fake';
import { BIN } from '../helpers/cli';

const BIG = 5000;
const SMALL = 5001;
let tree: ProcTree;

beforeAll(() => {
  tree = new ProcTree().withBaseSystem();
  // ~1 MB of arguments made of bytes that the terminal sanitizer must escape (each shows as 4+ chars).
  const argv = ['./big', ...Array.from({ length: 8 }, () => '\x01\x1b\u202e'.repeat(40_000))];
  const environ = Array.from({ length: 64 }, (_, i) => `V${i}=${'B'.repeat(16_000)}`);
  tree.add({ pid: BIG, comm: 'big', uid: 1001, cmdline: argv, environ, exe: '/usr/bin/sleep' });
  tree.add({ pid: SMALL, comm: 'small', uid: 1001, cmdline: ['./small', '-x'], exe: '/usr/bin/sleep' });
});
afterAll(() => tree?.cleanup());

describe('inspect of a 1 MB argv (issue 9, item 11)', () => {
  it('keeps at most the cap of argv, and says it was cut', () => {
    const r = inspectQuick(BIG, { procRoot: tree.proc, root: tree.root });
    expect(r.cmdline.ok).toBe(true);
    const kept = r.cmdline.ok ? r.cmdline.data.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0) : 0;
    expect(kept).toBeLessThanOrEqual(INSPECT_CMDLINE_CAP + 1);
    expect(kept).toBeGreaterThan(INSPECT_CMDLINE_CAP / 2);
    expect(r.cmdlineTruncated).toBe(true);
    expect(formatInspect(r).join('\n')).toMatch(/truncated/);
    expect(inspectQuick(SMALL, { procRoot: tree.proc, root: tree.root }).cmdlineTruncated).toBeUndefined();
  });

  it('clips long environment values', () => {
    const r = inspectQuick(BIG, { procRoot: tree.proc, root: tree.root });
    expect(r.environment.ok).toBe(true);
    if (r.environment.ok) for (const e of r.environment.data) expect(e.value.length).toBeLessThan(2100);
  });

  it('the binary prints a bounded report', async () => {
    const out = await new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'inspect', String(BIG), '--proc', tree.proc, '--root', tree.root], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000, killSignal: 'SIGKILL' });
      let stdout = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal, stdout }));
    });
    expect(out.signal).toBeNull();
    expect(out.stdout).toMatch(new RegExp(`Process ${BIG}`));
    expect(out.stdout.length).toBeLessThan(320 * 1024); // was 2.9 MB
  });

  it('in bounded memory: inspecting the big process costs little more peak RSS than a small one', () => {
    // A fresh child per case, so each peak (maxRSS) is that inspection's own.
    const peak = (pid: number) => {
      const code = `
        const { inspectQuick, formatInspect } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/inspect/index.ts'))});
        const lines = formatInspect(inspectQuick(${pid}, { procRoot: ${JSON.stringify(tree.proc)}, root: ${JSON.stringify(tree.root)} }));
        process.stdout.write(JSON.stringify({ rss: process.resourceUsage().maxRSS, bytes: lines.join('\\n').length }));`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { rss: number; bytes: number };
    };
    const small = peak(SMALL);
    const big = peak(BIG);
    expect(big.bytes).toBeLessThan(320 * 1024);
    expect(big.rss - small.rss).toBeLessThan(24 * 1024); // KiB: the unbounded version took ~40 MB more
  });
});
