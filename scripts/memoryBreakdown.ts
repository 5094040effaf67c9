// Where a process's resident memory goes, for npm run bench:tui --memory: /proc/PID/smaps split into
// the program's own file (node, or the single executable), shared libraries, glibc malloc (main heap
// and per-thread arenas), stacks and other anonymous memory; with V8's own figures from inside the
// process (heap spaces, external memory), the anonymous part is split again into V8's heap and the rest.
// The V8 figures come from a probe loaded with --import (HEAP_PROBE_IMPORT): on SIGUSR2 it writes them
// as JSON to the file named by MINEWATCH_BENCH_HEAP (last: once it is there, everything is); when the
// file MINEWATCH_BENCH_HEAP.request names a path, it first writes a heap snapshot there (V8 collects the
// garbage before it takes one). The bench asks as often as it likes (requestHeapFigures): snapshots of
// the same run at chosen times, to diff (scripts/heapDiff.ts). Only a node-run bundle can load it; a
// single executable gets the smaps part.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** One mapping of /proc/PID/smaps with its resident size. */
export interface Mapping { start: number; end: number; perms: string; path: string; rssKb: number }

export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | null = null;
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      cur = { start: parseInt(m[1], 16), end: parseInt(m[2], 16), perms: m[3], path: m[4], rssKb: 0 };
      out.push(cur);
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r && cur) cur.rssKb = Number(r[1]);
  }
  return out;
}

/** glibc's per-thread malloc arenas: 64 MB-aligned reservations, the used part read-write, the rest ---p. */
const ARENA = 64 * 1024 * 1024;

export interface SmapsBreakdown {
  programKb: number;
  librariesKb: number;
  mallocMainKb: number;
  mallocArenasKb: number;
  arenas: number;
  stacksKb: number;
  otherAnonKb: number;
  totalKb: number;
}

/** `program`: the path of the process's executable (/proc/PID/exe). */
export function breakdownSmaps(maps: Mapping[], program: string): SmapsBreakdown {
  const b: SmapsBreakdown = { programKb: 0, librariesKb: 0, mallocMainKb: 0, mallocArenasKb: 0, arenas: 0, stacksKb: 0, otherAnonKb: 0, totalKb: 0 };
  maps.forEach((m, i) => {
    b.totalKb += m.rssKb;
    if (m.path === program) b.programKb += m.rssKb;
    else if (m.path === '[heap]') b.mallocMainKb += m.rssKb;
    else if (m.path.startsWith('[stack')) b.stacksKb += m.rssKb;
    else if (m.path.startsWith('/')) b.librariesKb += m.rssKb;
    else if (m.path === '' && m.perms.startsWith('rw') && m.start % ARENA === 0 && isArena(m, maps[i + 1])) { b.mallocArenasKb += m.rssKb; b.arenas++; }
    else b.otherAnonKb += m.rssKb; // V8's heap, WebAssembly memory, Buffers, V8 zones, [vdso]...
  });
  return b;
}

function isArena(m: Mapping, next: Mapping | undefined): boolean {
  if (m.end - m.start === ARENA) return true;
  return !!next && next.start === m.end && next.path === '' && next.perms.startsWith('---') && next.end - m.start === ARENA;
}

/** What the probe writes: process.memoryUsage(), v8.getHeapSpaceStatistics(), v8.getHeapCodeStatistics(). */
export interface HeapFigures {
  usage: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  spaces: { space_name: string; space_size: number; space_used_size: number; physical_space_size: number }[];
  code: { code_and_metadata_size: number; bytecode_and_metadata_size: number; external_script_source_size: number };
}

const PROBE = `import v8 from 'node:v8'; import fs from 'node:fs';
process.on('SIGUSR2', () => {
  const out = process.env.MINEWATCH_BENCH_HEAP;
  try {
    const figures = JSON.stringify({ usage: process.memoryUsage(), spaces: v8.getHeapSpaceStatistics(), code: v8.getHeapCodeStatistics() });
    let snapshot = '';
    try { snapshot = fs.readFileSync(out + '.request', 'utf8').trim(); } catch {}
    if (snapshot) v8.writeHeapSnapshot(snapshot);
    fs.writeFileSync(out + '.tmp', figures);
    fs.renameSync(out + '.tmp', out);
  } catch (e) { try { fs.writeFileSync(out + '.error', String(e)); } catch {} }
});`;
export const HEAP_PROBE_IMPORT = `data:text/javascript,${encodeURIComponent(PROBE)}`;

/**
 * Ask a process running the probe for its V8 figures (and a heap snapshot written to `snapshot` first,
 * when given); waits up to `waitMs` for the answer (a snapshot of a busy heap takes seconds). null: no answer.
 */
export async function requestHeapFigures(pid: number, heapFile: string, snapshot: string, waitMs: number): Promise<HeapFigures | null> {
  rmSync(heapFile, { force: true });
  writeFileSync(heapFile + '.request', snapshot);
  try { process.kill(pid, 'SIGUSR2'); } catch { return null; }
  for (let waited = 0; waited < waitMs && !existsSync(heapFile); waited += 200) await new Promise((r) => setTimeout(r, 200));
  try { return JSON.parse(readFileSync(heapFile, 'utf8')) as HeapFigures; } catch { return null; }
}

/** One line for a mid-window probe answer: V8's heap used and resident, external memory. */
export function formatHeapLine(h: HeapFigures): string {
  const resident = h.spaces.reduce((n, sp) => n + sp.physical_space_size, 0);
  const used = h.spaces.reduce((n, sp) => n + sp.space_used_size, 0);
  return `RSS ${mbBytes(h.usage.rss)} MB, V8 heap ${mbBytes(resident)} resident (${mbBytes(used)} used), external ${mbBytes(h.usage.external)}`;
}

/** One line for the breakdown over time: the same figures as formatBreakdown, compact. */
export function formatCompact(s: SmapsBreakdown, heap: HeapFigures | null): string {
  let line = `RSS ${mb(s.totalKb)} = program ${mb(s.programKb)}, libraries ${mb(s.librariesKb)}, malloc ${mb(s.mallocMainKb)} + arenas ${mb(s.mallocArenasKb)}, other anonymous ${mb(s.otherAnonKb)}`;
  if (heap) {
    const space = (name: string) => heap.spaces.find((sp) => sp.space_name === name);
    const old = space('old_space');
    const resident = heap.spaces.reduce((n, sp) => n + sp.physical_space_size, 0);
    const used = heap.spaces.reduce((n, sp) => n + sp.space_used_size, 0);
    line += ` (V8 heap ${mbBytes(resident)}, ${mbBytes(used)} used; old ${old ? `${mbBytes(old.physical_space_size)}, ${mbBytes(old.space_used_size)} used` : '-'}; external ${mbBytes(heap.usage.external)})`;
  }
  return line;
}

const mb = (kb: number) => (kb / 1024).toFixed(1);
const mbBytes = (b: number) => (b / 1048576).toFixed(1);

/** The breakdown as lines of text: each figure in MB, the anonymous part split by V8's figures when given. */
export function formatBreakdown(s: SmapsBreakdown, heap: HeapFigures | null): string[] {
  const lines = [
    `RSS ${mb(s.totalKb)} MB =`,
    `  program file (node or the single executable, shared clean pages) ${mb(s.programKb)}`,
    `  shared libraries ${mb(s.librariesKb)}`,
    `  malloc: main heap ${mb(s.mallocMainKb)}, ${s.arenas} thread arenas ${mb(s.mallocArenasKb)}`,
    `  stacks ${mb(s.stacksKb)}`,
    `  other anonymous ${mb(s.otherAnonKb)}`,
  ];
  if (heap) {
    const v8Kb = heap.spaces.reduce((n, sp) => n + sp.physical_space_size, 0) / 1024;
    const spaces = heap.spaces.filter((sp) => sp.physical_space_size > 0)
      .map((sp) => `${sp.space_name.replace(/_space$/, '')} ${mbBytes(sp.physical_space_size)} (${mbBytes(sp.space_used_size)} used)`);
    lines.push(`    of which V8's heap ${mb(v8Kb)}: ${spaces.join(', ')}`);
    lines.push(`    and the rest ${mb(Math.max(0, s.otherAnonKb - v8Kb))} (WebAssembly pages touched, Buffers, V8 zones; a worker thread's isolate)`);
    lines.push(`  V8: external ${mbBytes(heap.usage.external)} (array buffers ${mbBytes(heap.usage.arrayBuffers)}; WebAssembly memory counts whole, resident or not), code and metadata ${mbBytes(heap.code.code_and_metadata_size)}, bytecode ${mbBytes(heap.code.bytecode_and_metadata_size)}, script sources ${mbBytes(heap.code.external_script_source_size)}`);
  }
  return lines;
}
