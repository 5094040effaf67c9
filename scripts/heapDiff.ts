// What grew between two V8 heap snapshots of the same process (npm run bench:tui -- --heap-snapshot-at
// S1,S2 writes them): `node dist/heap-diff.js A.heapsnapshot B.heapsnapshot [--top N] [--paths K]`.
// V8 keeps an object's snapshot id for the life of the process, so the objects of B whose ids A does not
// have were allocated between the two and are still alive (a snapshot collects the garbage first). It
// prints, by constructor (strings, closures, arrays by kind): count and self size in A and B, and the
// objects new in B; then the new objects grouped by where they hang (the last hops of their shortest
// path from the GC roots), with one whole path for each of the biggest groups: a per-PID cache that
// keeps gone processes shows up there as thousands of new entries under the same Map.
import { readFileSync } from 'node:fs';
import { arg, numArg } from './args';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] }; node_count: number };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface Heap {
  count: number;
  type: Uint8Array;
  name: Uint32Array;
  id: Uint32Array;
  size: Float64Array;
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  edgeTo: Uint32Array;
  strings: string[];
  nodeTypes: string[];
  edgeTypes: string[];
}

export function loadHeap(text: string): Heap {
  const s = JSON.parse(text) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const NF = nf.length;
  const EF = ef.length;
  const count = s.nodes.length / NF;
  const iType = nf.indexOf('type'), iName = nf.indexOf('name'), iId = nf.indexOf('id'), iSize = nf.indexOf('self_size'), iEdges = nf.indexOf('edge_count');
  const h: Heap = {
    count, type: new Uint8Array(count), name: new Uint32Array(count), id: new Uint32Array(count), size: new Float64Array(count),
    firstEdge: new Uint32Array(count + 1), edgeType: new Uint8Array(s.edges.length / EF), edgeName: new Uint32Array(s.edges.length / EF),
    edgeTo: new Uint32Array(s.edges.length / EF), strings: s.strings, nodeTypes: s.snapshot.meta.node_types[0], edgeTypes: s.snapshot.meta.edge_types[0],
  };
  let e = 0;
  for (let i = 0; i < count; i++) {
    const o = i * NF;
    h.type[i] = s.nodes[o + iType];
    h.name[i] = s.nodes[o + iName];
    h.id[i] = s.nodes[o + iId];
    h.size[i] = s.nodes[o + iSize];
    h.firstEdge[i] = e;
    e += s.nodes[o + iEdges];
  }
  h.firstEdge[count] = e;
  const eType = ef.indexOf('type'), eName = ef.indexOf('name_or_index'), eTo = ef.indexOf('to_node');
  for (let j = 0; j < h.edgeTo.length; j++) {
    h.edgeType[j] = s.edges[j * EF + eType];
    h.edgeName[j] = s.edges[j * EF + eName];
    h.edgeTo[j] = s.edges[j * EF + eTo] / NF;
  }
  return h;
}

/** The group an object counts in: its constructor for objects, its kind for strings, code, arrays... */
export function groupOf(h: Heap, i: number): string {
  const type = h.nodeTypes[h.type[i]];
  const name = h.strings[h.name[i]];
  switch (type) {
    case 'object': return name;
    case 'closure': return `(closure) ${name || 'anonymous'}`;
    case 'string': case 'concatenated string': case 'sliced string': return '(string)';
    case 'array': return `(array) ${name}`;
    case 'hidden': case 'code': case 'object shape': return `(${type}) ${name.replace(/\d+/g, '#').slice(0, 40)}`;
    case 'synthetic': return name; // (GC roots), (Internalized strings), ...
    default: return `(${type})`;
  }
}

function edgeLabel(h: Heap, j: number): string {
  const t = h.edgeTypes[h.edgeType[j]];
  return t === 'element' || t === 'hidden' ? `[${h.edgeName[j]}]` : String(h.strings[h.edgeName[j]] ?? h.edgeName[j]);
}

/** For every node, the edge by which a breadth-first walk from the roots (weak edges left out) first reached it. */
export interface Retainers { via: Int32Array; from: Int32Array }

export function shortestRetainers(h: Heap): Retainers {
  const via = new Int32Array(h.count).fill(-1);
  const from = new Int32Array(h.count).fill(-1);
  const queue = new Uint32Array(h.count);
  let head = 0, tail = 0;
  queue[tail++] = 0;
  from[0] = 0;
  const weak = h.edgeTypes.indexOf('weak');
  while (head < tail) {
    const n = queue[head++];
    for (let j = h.firstEdge[n]; j < h.firstEdge[n + 1]; j++) {
      if (h.edgeType[j] === weak) continue;
      const to = h.edgeTo[j];
      if (from[to] !== -1) continue;
      from[to] = n;
      via[to] = j;
      queue[tail++] = to;
    }
  }
  return { via, from };
}

/** The path from the roots to node i, as `Constructor.edge` hops (nearest last). */
export function retainerPath(h: Heap, { via, from }: Retainers, i: number, hops = 64): string[] {
  const path: string[] = [];
  let n = i;
  while (n > 0 && via[n] >= 0 && path.length < hops) {
    const parent = from[n];
    path.unshift(`${groupOf(h, parent)}.${edgeLabel(h, via[n])}`);
    n = parent;
  }
  return path;
}

/** Hops that only carry (plain objects and arrays, elements, hidden internals) and say nothing of who holds. */
const CARRIER = /^(Object|Array|\(array\)[^.]*|\(string\)|\(object shape\)[^.]*|\(code\)[^.]*|\(hidden\)[^.]*|system \/ [^.]*)\.(\[\d+\]|\d+|table|elements|properties|parent|first|second|next|back_pointer|value|key)$/;

/** The hops of a retainer path from the nearest named holder on, with up to `above` hops before it. */
export function ownerOf(path: string[], above: number): string {
  let i = path.length - 1;
  while (i > 0 && CARRIER.test(path[i])) i--;
  return path.slice(Math.max(0, i - above + 1), i + 1).join(' > ');
}

interface Row { group: string; countA: number; sizeA: number; countB: number; sizeB: number; newCount: number; newSize: number }

export function diffHeaps(a: Heap, b: Heap): { rows: Row[]; fresh: Uint32Array } {
  const rows = new Map<string, Row>();
  const row = (g: string) => {
    let r = rows.get(g);
    if (!r) rows.set(g, r = { group: g, countA: 0, sizeA: 0, countB: 0, sizeB: 0, newCount: 0, newSize: 0 });
    return r;
  };
  const idsA = new Set<number>();
  for (let i = 0; i < a.count; i++) { const r = row(groupOf(a, i)); r.countA++; r.sizeA += a.size[i]; idsA.add(a.id[i]); }
  const fresh: number[] = [];
  for (let i = 0; i < b.count; i++) {
    const r = row(groupOf(b, i));
    r.countB++;
    r.sizeB += b.size[i];
    if (!idsA.has(b.id[i])) { r.newCount++; r.newSize += b.size[i]; fresh.push(i); }
  }
  return { rows: [...rows.values()], fresh: Uint32Array.from(fresh) };
}

const kb = (n: number) => (n / 1024).toFixed(0);

function main() {
  const [fileA, fileB] = process.argv.slice(2).filter((x) => !x.startsWith('--') && !/^\d+$/.test(x));
  if (!fileA || !fileB) { console.error('usage: node dist/heap-diff.js A.heapsnapshot B.heapsnapshot [--top N] [--paths K]'); process.exit(2); }
  const top = numArg('top', 25);
  const paths = numArg('paths', 12);
  const depth = numArg('depth', 4);
  const a = loadHeap(readFileSync(fileA, 'utf8'));
  const b = loadHeap(readFileSync(fileB, 'utf8'));
  const { rows, fresh } = diffHeaps(a, b);
  const total = (f: (r: Row) => number) => rows.reduce((n, r) => n + f(r), 0);
  console.log(`A ${fileA}: ${a.count} objects, ${kb(total((r) => r.sizeA))} KB; B ${fileB}: ${b.count} objects, ${kb(total((r) => r.sizeB))} KB; new in B and alive: ${fresh.length} objects, ${kb(total((r) => r.newSize))} KB`);
  console.log('\nby constructor, largest growth of self size first (KB):');
  console.log(['group', 'count A', 'count B', 'size A', 'size B', 'delta', 'new', 'new KB'].join('\t'));
  for (const r of rows.sort((x, y) => (y.sizeB - y.sizeA) - (x.sizeB - x.sizeA)).slice(0, top)) {
    console.log([r.group.slice(0, 60), r.countA, r.countB, kb(r.sizeA), kb(r.sizeB), kb(r.sizeB - r.sizeA), r.newCount, kb(r.newSize)].join('\t'));
  }
  const via = shortestRetainers(b);
  const byPlace = new Map<string, { count: number; size: number; sample: number }>();
  for (const i of fresh) {
    const place = `${ownerOf(retainerPath(b, via, i), depth)} > ${groupOf(b, i)}`;
    const g = byPlace.get(place);
    if (g) { g.count++; g.size += b.size[i]; } else byPlace.set(place, { count: 1, size: b.size[i], sample: i });
  }
  console.log(`\nnew objects by what holds them (the nearest named holder on the shortest path from the roots: a Map, Set, class instance or closure variable, and up to ${depth} hops above it), most bytes first:`);
  const places = [...byPlace.entries()].sort((x, y) => y[1].size - x[1].size).slice(0, paths);
  for (const [place, g] of places) console.log(`${g.count}\t${kb(g.size)} KB\t${place}`);
  console.log('\nwhole path of the largest groups\' first object:');
  for (const [, g] of places.slice(0, 5)) console.log(`- ${retainerPath(b, via, g.sample).join(' > ')} > ${groupOf(b, g.sample)}`);
}

if (process.argv[1]?.endsWith('heap-diff.js')) main();
