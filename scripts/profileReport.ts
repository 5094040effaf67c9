// Reads a V8 .cpuprofile of the bundled dashboard and says where the time went: self time by module
// (React, Ink layout, Ink output, string width/wrapping, /proc reader, detection, store, views...) and by
// function. The bundle is one file, so each frame is mapped back to its source through the bundle's
// source map (dist/minewatch.js.map). Time spent in Node's own code or in native functions (read(2),
// readdir, open...) is charged to the nearest caller of ours, and also counted apart, so "/proc reader"
// includes the system calls it makes.
import { SourceMap } from 'node:module';

export interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
export interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
export interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export type Category = string;

/** Categories by source path, first match wins. */
const BY_SOURCE: [RegExp, Category][] = [
  [/node_modules\/(react-reconciler|react|scheduler)\//, 'React'],
  [/node_modules\/yoga-layout\//, 'Ink layout (Yoga)'],
  [/node_modules\/(string-width|wrap-ansi|slice-ansi|cli-truncate|widest-line|strip-ansi|ansi-regex|emoji-regex|get-east-asian-width|@alcalzone\/ansi-tokenize|ansi-styles|chalk|is-fullwidth-code-point)\/|node_modules\/ink\/(build|src)\/(measure-text|wrap-text|colorize)\.[jt]s/, 'string width/wrapping/ANSI'],
  [/node_modules\/ink\/(build|src)\/(output|render-node-to-output|log-update|write-synchronized|render-border|render-background|renderer)\.[jt]s/, 'Ink output'],
  [/node_modules\/ink\/(build|src)\/(dom|reconciler|styles|get-max-width|squash-text-nodes|measure-element)\.[jt]s/, 'Ink layout'],
  [/node_modules\/ink\//, 'Ink (other)'],
  [/node_modules\/zustand\//, 'store'],
  [/node_modules\/systeminformation\//, 'systeminformation'],
  [/node_modules\//, 'other libraries'],
  [/(^|\/)src\/procfs\//, '/proc reader'],
  [/(^|\/)src\/(detect|model|content|pkg|persistence|host|gpu|deep|allow|incident)\//, 'detection'],
  [/(^|\/)src\/store\//, 'store'],
  [/(^|\/)src\/app\/poller/, 'poller'],
  [/(^|\/)(components|src\/view|src\/text|src\/app)\//, 'views'],
  [/(^|\/)src\//, 'minewatch (other)'],
];

const SPECIAL: Record<string, Category> = {
  '(garbage collector)': 'GC',
  '(program)': 'V8/Node (program)',
  '(idle)': '(idle)',
  '(root)': '(idle)',
};

export function categoryOfSource(source: string): Category {
  for (const [re, c] of BY_SOURCE) if (re.test(source)) return c;
  return 'minewatch (other)';
}

export interface Located { category: Category | null; name: string }

/**
 * Where a frame comes from: a category when it is code of the bundle (mapped through the source map),
 * null for Node's own JavaScript and native functions (charged to the caller).
 */
export function locate(frame: CallFrame, bundleUrl: string, map: SourceMap | null): Located {
  const special = SPECIAL[frame.functionName];
  if (special && !frame.url) return { category: special, name: frame.functionName };
  const fn = frame.functionName || '(anonymous)';
  if (frame.url && frame.url === bundleUrl) {
    const e = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
    const src = e?.originalSource ? e.originalSource.replace(/^.*?(node_modules\/|src\/|components\/|scripts\/)/, '$1') : '';
    return { category: src ? categoryOfSource(src) : 'minewatch (other)', name: `${fn} (${src || 'bundle'}${e?.originalLine !== undefined ? `:${e.originalLine + 1}` : ''})` };
  }
  return { category: null, name: `${fn} (${frame.url || 'native'})` };
}

export interface Breakdown {
  /** Sampled time in ms, idle excluded. */
  busyMs: number;
  byCategory: { category: Category; ms: number; nativeMs: number }[];
  byFunction: { name: string; category: Category; ms: number }[];
}

/**
 * Self time by category and by function over the samples whose time (ms since the profile's start)
 * lies in [fromMs, toMs).
 */
export function breakdown(profile: CpuProfile, bundleUrl: string, map: SourceMap | null, fromMs = 0, toMs = Infinity): Breakdown {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const located = new Map<number, Located>();
  const loc = (id: number): Located => {
    let l = located.get(id);
    if (!l) { l = locate(byId.get(id)!.callFrame, bundleUrl, map); located.set(id, l); }
    return l;
  };
  /** Category charged for a node: its own, else its nearest ancestor's of the bundle. */
  const charged = new Map<number, { cat: Category; caller: string }>();
  const chargeOf = (id: number): { cat: Category; caller: string } => {
    const c = charged.get(id);
    if (c) return c;
    let cur: number | undefined = id;
    let res = { cat: 'Node (no caller of ours)' as Category, caller: '' };
    while (cur !== undefined) {
      const l = loc(cur);
      if (l.category) { res = { cat: l.category, caller: l.name }; break; }
      cur = parent.get(cur);
    }
    charged.set(id, res);
    return res;
  };
  const cats = new Map<Category, { ms: number; nativeMs: number }>();
  const fns = new Map<string, { category: Category; ms: number }>();
  let t = 0;
  let busyMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] / 1000;
    if (t < fromMs || t >= toMs) continue;
    // a sample's time is the delta to the next one
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
    const id = profile.samples[i];
    const l = loc(id);
    const { cat, caller } = chargeOf(id);
    if (cat === '(idle)') continue;
    busyMs += dt;
    const c = cats.get(cat) ?? { ms: 0, nativeMs: 0 };
    c.ms += dt;
    if (!l.category) c.nativeMs += dt;
    cats.set(cat, c);
    // Node's and native functions are named with the caller of ours they ran for
    const name = l.category ? l.name : `${l.name} <- ${caller.replace(/ \(.*/, '') || '?'}`;
    const f = fns.get(name) ?? { category: cat, ms: 0 };
    f.ms += dt;
    fns.set(name, f);
  }
  return {
    busyMs,
    byCategory: [...cats].map(([category, v]) => ({ category, ...v })).sort((a, b) => b.ms - a.ms),
    byFunction: [...fns].map(([name, v]) => ({ name, ...v })).sort((a, b) => b.ms - a.ms),
  };
}

export function formatBreakdown(b: Breakdown, ticks: number, top = 25): string {
  const out: string[] = [];
  const per = (ms: number) => (ticks > 0 ? `${(ms / ticks).toFixed(2).padStart(7)} ms/tick` : '');
  out.push(`busy ${b.busyMs.toFixed(0)} ms sampled${ticks > 0 ? ` over ${ticks} ticks = ${(b.busyMs / ticks).toFixed(2)} ms/tick` : ''}`);
  out.push('', 'self time by module (Node/native time charged to its caller; "native" = of which in Node or system calls)');
  for (const c of b.byCategory) {
    out.push(`  ${c.category.padEnd(28)} ${c.ms.toFixed(0).padStart(7)} ms ${(100 * c.ms / b.busyMs).toFixed(1).padStart(5)} %  ${per(c.ms)}  native ${(100 * c.nativeMs / Math.max(c.ms, 1e-9)).toFixed(0).padStart(3)} %`);
  }
  out.push('', `top ${top} functions by self time`);
  for (const f of b.byFunction.slice(0, top)) {
    out.push(`  ${f.ms.toFixed(0).padStart(7)} ms ${(100 * f.ms / b.busyMs).toFixed(1).padStart(5)} %  [${f.category}] ${f.name}`);
  }
  return out.join('\n');
}
