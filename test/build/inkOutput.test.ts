// The build swaps two pieces of Ink for cheaper ones (scripts/ink/): they must draw exactly what Ink
// draws. Ink's own Output and ours get the same write operations, frame after frame (rows unchanged,
// rows changed, overlapping writes, clipping, wide characters, styles), and must return the same
// screen; the line-diff writer, fed to a real terminal emulator, must leave the screen a full redraw
// would leave.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { changedLinesOnly } from '../../scripts/ink/lineDiff';

const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as typeof import('@xterm/headless');

type Op = { kind: 'write'; x: number; y: number; text: string } | { kind: 'clip'; clip: Record<string, number> } | { kind: 'unclip' };

interface OutputLike { write(x: number, y: number, text: string, o: { transformers: ((s: string, i: number) => string)[] }): void; clip(c: unknown): void; unclip(): void; get(): { output: string; height: number } }
type OutputClass = new (o: { width: number; height: number }) => OutputLike;

async function load(spec: string): Promise<OutputClass> {
  return ((await import(spec)) as { default: OutputClass }).default;
}

function draw(C: OutputClass, width: number, height: number, ops: Op[]): string {
  const o = new C({ width, height });
  for (const op of ops) {
    if (op.kind === 'write') o.write(op.x, op.y, op.text, { transformers: [] });
    else if (op.kind === 'clip') o.clip(op.clip);
    else o.unclip();
  }
  return o.get().output;
}

const red = (s: string) => `\x1b[31m${s}\x1b[39m`;
const inv = (s: string) => `\x1b[7m${s}\x1b[27m`;

function frame(seed: number): Op[] {
  const ops: Op[] = [{ kind: 'write', x: 0, y: 0, text: `minewatch · host ${seed % 3 === 0 ? 'a' : 'b'}` }];
  for (let y = 1; y < 20; y++) {
    const cpu = (y * 7 + (y === seed % 20 ? seed : 0)) % 100;
    ops.push({ kind: 'write', x: 0, y, text: `${y === 5 ? red('▲') : ' '} ${String(1000 + y).padStart(7)} ${cpu.toFixed(1).padStart(6)} ${y === 7 ? inv('selected row') : 'sleep 3600'}` });
  }
  ops.push({ kind: 'write', x: 30, y: 3, text: 'over\nlapping 漢字 two lines' });
  ops.push({ kind: 'clip', clip: { x1: 5, x2: 25, y1: 10, y2: 12 } });
  ops.push({ kind: 'write', x: 2, y: 9, text: `clipped ${seed} text that runs past the clip\nsecond ${red('red')} line\nthird\nfourth` });
  ops.push({ kind: 'unclip' });
  ops.push({ kind: 'write', x: 0, y: 21, text: seed % 2 ? 'status: ok' : '' });
  ops.push({ kind: 'write', x: 0, y: 30, text: 'below the screen' });
  return ops;
}

describe('the build\'s Ink output (scripts/ink/output.js)', () => {
  it('returns the screen Ink 6.8 returns, frame after frame, whether rows changed or not', async () => {
    const Ink = await load(pathToFileURL(join(process.cwd(), 'node_modules/ink/build/output.js')).href);
    const Ours = await load('../../scripts/ink/output.js');
    let changedFrames = 0;
    let prev = '';
    for (const seed of [1, 1, 2, 2, 3, 7, 7, 8, 13, 13, 20, 21]) {
      const theirs = draw(Ink, 60, 24, frame(seed));
      expect(draw(Ours, 60, 24, frame(seed))).toBe(theirs);
      if (theirs !== prev) changedFrames++;
      prev = theirs;
    }
    expect(changedFrames).toBeGreaterThan(5);
  });

  it('draws the same screens bundled as the dashboard bundles it (every patch of scripts/ink/patches.mjs applied)', async () => {
    const { build } = await import('esbuild');
    // @ts-expect-error: a plain .mjs build module without types
    const { inkPatches } = await import('../../scripts/ink/patches.mjs');
    const inkOutput = join(process.cwd(), 'node_modules/ink/build/output.js');
    const out = await build({
      stdin: { contents: `export { default } from ${JSON.stringify(inkOutput)};`, resolveDir: process.cwd(), loader: 'js' },
      bundle: true, write: false, format: 'esm', platform: 'node', plugins: [inkPatches],
      alias: { 'string-width': './node_modules/string-width/index.js' },
    });
    const code = out.outputFiles[0].text;
    expect(code).toContain('styles: codes'); // the patched ansi-tokenize is the one bundled
    expect(code).toContain('NARROW_TEXT');
    const dir = mkdtempSync(join(tmpdir(), 'mw-ink-'));
    try {
      writeFileSync(join(dir, 'output.mjs'), code);
      const Ink = await load(pathToFileURL(inkOutput).href);
      const Bundled = await load(pathToFileURL(join(dir, 'output.mjs')).href);
      for (const seed of [1, 1, 2, 3, 7, 8, 13, 20, 21]) expect(draw(Bundled, 60, 24, frame(seed))).toBe(draw(Ink, 60, 24, frame(seed)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function screenOf(term: InstanceType<typeof Terminal>, data: string): Promise<string[]> {
  await new Promise<void>((r) => term.write(data, r));
  const lines: string[] = [];
  for (let i = 0; i < term.rows; i++) lines.push(term.buffer.active.getLine(i)!.translateToString(true));
  return lines;
}

describe('the build\'s line-diff writer (scripts/ink/lineDiff.ts)', () => {
  const A = ['title', 'row one', 'x'.repeat(40), 'row three', 'status', ''].join('\n');
  const B = ['title', 'row ONE changed', 'y'.repeat(40), 'row three', 'st', ''].join('\n');
  const stream = { columns: 40, rows: 8 };

  it('leaves the screen a full redraw leaves, and sends less', async () => {
    const t1 = new Terminal({ cols: 40, rows: 8, allowProposedApi: true, convertEol: true });
    const t2 = new Terminal({ cols: 40, rows: 8, allowProposedApi: true, convertEol: true });
    await screenOf(t1, A);
    expect(changedLinesOnly(stream, '', A, A.split('\n'), 0)).toBeNull(); // the first frame is drawn in full
    const diff = changedLinesOnly(stream, A, B, B.split('\n'), A.split('\n').length);
    expect(diff).not.toBeNull();
    const got = await screenOf(t1, diff!);
    const want = await screenOf(t2, B);
    expect(got).toEqual(want);
    expect(diff!.length).toBeLessThan(B.length + 20);
    expect(diff).not.toContain('title');
    // and the cursor ends where a full write ends: the next frame lines up again
    const C = ['title2', 'row ONE changed', 'y'.repeat(40), 'row three', 'st', ''].join('\n');
    expect(await screenOf(t1, changedLinesOnly(stream, B, C, C.split('\n'), 6)!)).toEqual(await screenOf(t2, `\x1b[5A\r\x1b[2K${C}`));
  });

  it('redraws in full after a resize or when the line count changes', () => {
    const s = { columns: 40, rows: 8 };
    changedLinesOnly(s, A, B, B.split('\n'), 6);
    expect(changedLinesOnly(s, A, B, B.split('\n'), 6)).not.toBeNull();
    s.columns = 39;
    expect(changedLinesOnly(s, A, B, B.split('\n'), 6)).toBeNull();
    const shorter = 'title\nrow\n';
    expect(changedLinesOnly(s, A, shorter, shorter.split('\n'), 6)).toBeNull();
  });
});
