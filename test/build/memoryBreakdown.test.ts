// bench:tui --memory: smaps split by kind, and the heap probe answering from inside a node process.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { breakdownSmaps, formatBreakdown, formatCompact, HEAP_PROBE_IMPORT, parseSmaps, requestHeapFigures, type HeapFigures } from '../../scripts/memoryBreakdown';
import { diffHeaps, loadHeap, ownerOf, retainerPath, shortestRetainers } from '../../scripts/heapDiff';

const MB64 = 64 * 1024 * 1024;
const hex = (n: number) => n.toString(16).padStart(12, '0');
function mapping(start: number, end: number, perms: string, path: string, rssKb: number): string {
  return `${hex(start)}-${hex(end)} ${perms} 00000000 00:00 0  ${path}\nSize: ${(end - start) / 1024} kB\nRss: ${rssKb} kB\nPss: ${rssKb} kB\n`;
}

const SMAPS = [
  mapping(0x400000, 0xb6f000, 'r--p', '/usr/bin/node', 5000),
  mapping(0xb72000, 0x25fe000, 'r-xp', '/usr/bin/node', 20000),
  mapping(0x1924c000, 0x19bb1000, 'rw-p', '[heap]', 8000),
  // a thread arena: 64 MB-aligned, 4 MB used, the rest of its 64 MB reserved
  mapping(0x7f0000000000, 0x7f0000400000, 'rw-p', '', 3000),
  mapping(0x7f0000400000, 0x7f0000000000 + MB64, '---p', '', 0),
  // anonymous memory that is not an arena: aligned but not followed by its reservation
  mapping(0x7f0008000000, 0x7f0008100000, 'rw-p', '', 700),
  mapping(0x7f0100000000, 0x7f0100040000, 'rw-p', '', 256),
  mapping(0x7f0200000000, 0x7f0200200000, 'r-xp', '/usr/lib/x86_64-linux-gnu/libc.so.6', 1000),
  mapping(0x7ffc00000000, 0x7ffc00021000, 'rw-p', '[stack]', 100),
].join('');

describe('memory breakdown', () => {
  it('splits smaps into the program, libraries, malloc (main heap and thread arenas), stacks and the rest', () => {
    const b = breakdownSmaps(parseSmaps(SMAPS), '/usr/bin/node');
    expect(b).toEqual({ programKb: 25000, librariesKb: 1000, mallocMainKb: 8000, mallocArenasKb: 3000, arenas: 1, stacksKb: 100, otherAnonKb: 956, totalKb: 38056 });
  });

  it('splits the other anonymous memory into V8\'s heap and the rest with the probe\'s figures', () => {
    const b = breakdownSmaps(parseSmaps(SMAPS), '/usr/bin/node');
    const heap: HeapFigures = {
      usage: { rss: 0, heapTotal: 0, heapUsed: 0, external: 20 * 1048576, arrayBuffers: 1048576 },
      spaces: [{ space_name: 'old_space', space_size: 600 * 1024, space_used_size: 300 * 1024, physical_space_size: 512 * 1024 },
        { space_name: 'shared_space', space_size: 0, space_used_size: 0, physical_space_size: 0 }],
      code: { code_and_metadata_size: 4 * 1048576, bytecode_and_metadata_size: 1048576, external_script_source_size: 2 * 1048576 },
    };
    const text = formatBreakdown(b, heap).join('\n');
    expect(text).toContain('RSS 37.2 MB');
    expect(text).toContain('1 thread arenas 2.9');
    expect(text).toContain("V8's heap 0.5: old 0.5 (0.3 used)");
    expect(text).not.toContain('shared 0.0');
    expect(text).toContain('and the rest 0.4');
  });

  it('the probe writes V8\'s figures from inside a node process on SIGUSR2, as often as asked, with a heap snapshot when one is requested', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mw-probe-'));
    const file = join(dir, 'heap.json');
    // a process that keeps what it is told to: a per-PID map that never drops an entry
    const program = `class Leaked { constructor(pid) { this.pid = pid; this.name = 'proc-' + pid; } }
      const byPid = new Map(); let next = 1000;
      process.stdin.on('data', () => { for (let i = 0; i < 500; i++) byPid.set(next, new Leaked(next++)); process.stdout.write('grown\\n'); });
      process.stdout.write('up\\n');`;
    const child = spawn(process.execPath, ['--import', HEAP_PROBE_IMPORT, '-e', program],
      { env: { ...process.env, MINEWATCH_BENCH_HEAP: file }, stdio: ['pipe', 'pipe', 'inherit'] });
    const said = (what: string) => new Promise<void>((resolve) => { const on = (d: Buffer) => { if (String(d).includes(what)) { child.stdout!.off('data', on); resolve(); } }; child.stdout!.on('data', on); });
    try {
      await said('up');
      const figures = await requestHeapFigures(child.pid!, file, '', 10_000);
      expect(figures!.usage.heapUsed).toBeGreaterThan(0);
      expect(figures!.spaces.map((s) => s.space_name)).toContain('old_space');
      expect(figures!.code.bytecode_and_metadata_size).toBeGreaterThan(0);
      expect(formatCompact(breakdownSmaps(parseSmaps(SMAPS), '/usr/bin/node'), figures)).toMatch(/^RSS 37\.2 = program 24\.4, .*\(V8 heap [\d.]+, [\d.]+ used; old [\d.]+, [\d.]+ used; external [\d.]+\)$/);
      // two snapshots of the same process, the map grown by 500 entries between them
      const a = join(dir, 'a.heapsnapshot');
      const b = join(dir, 'b.heapsnapshot');
      expect(await requestHeapFigures(child.pid!, file, a, 60_000)).not.toBeNull();
      const grown = said('grown');
      child.stdin!.write('grow\n');
      await grown;
      expect(await requestHeapFigures(child.pid!, file, b, 60_000)).not.toBeNull();
      const heapB = loadHeap(readFileSync(b, 'utf8'));
      const { rows, fresh } = diffHeaps(loadHeap(readFileSync(a, 'utf8')), heapB);
      const leaked = rows.find((r) => r.group === 'Leaked')!;
      expect(leaked).toMatchObject({ countA: 0, countB: 500, newCount: 500 });
      // and what holds them: the map, reached through the closure's context variable byPid
      const retainers = shortestRetainers(heapB);
      const holders = new Set([...fresh].filter((i) => heapB.strings[heapB.name[i]] === 'Leaked').map((i) => ownerOf(retainerPath(heapB, retainers, i), 2)));
      expect([...holders]).toEqual(['system / Context.byPid > Map.table']);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
