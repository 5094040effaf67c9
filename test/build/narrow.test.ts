// The width-is-length fast path and the segmenter shortcut patched into string-width, ansi-tokenize and
// slice-ansi (scripts/ink/narrow.js): every code point it takes as narrow is narrow by string-width's
// own rules, and its graphemes are Intl.Segmenter's.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import stringWidth from 'string-width';
import sliceAnsi from 'slice-ansi';
import cliTruncate from 'cli-truncate';
import { describe, expect, it } from 'vitest';
import { graphemes, graphemeSegmenter, NARROW_RANGES, NARROW_TEXT } from '../../scripts/ink/narrow.js';

const ranges = NARROW_RANGES;
const segment = (t: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(t)].map((s) => [s.segment, s.index]);
const ours = (t: string) => [...graphemes(t)].map((s: { segment: string; index: number }) => [s.segment, s.index]);

describe('narrow text', () => {
  it('takes as one column each only code points string-width measures so, alone and in a row', () => {
    let n = 0;
    for (const [a, b] of ranges) {
      for (let c = a; c <= b; c++) {
        const ch = String.fromCodePoint(c);
        expect(NARROW_TEXT.test(ch)).toBe(true);
        expect([c.toString(16), stringWidth(ch)]).toEqual([c.toString(16), 1]);
        expect(stringWidth(`x${ch}${ch}y`)).toBe(4);
        n++;
      }
    }
    expect(n).toBe(884); // the ranges as written: a change to them is a change to this test
  });

  it('leaves everything else to string-width: zero-width, combining, wide, emoji', () => {
    for (const t of ['\u00ad', 'e\u0301', '\u200b', '\u25fd', '\u4e2d', '\u{1f600}', 'a\r\nb', '\u2028']) expect(NARROW_TEXT.test(t)).toBe(false);
  });

  it("splits text into the segmenter's graphemes, with or without the shortcut", () => {
    for (const t of ['', 'plain ascii', '\u001b[1m\u001b[31mbold red\u001b[39m\u001b[22m', '│ ├─ 4242 abc ·…▲', 'e\u0301 combining', '👩‍💻 emoji', 'a\r\nb', '中文 wide']) {
      expect(ours(t)).toEqual(segment(t));
    }
  });

  it('covers every symbol the views draw with, so drawing a frame never builds a segmenter', () => {
    // the views (components/) and the text they are handed (src/text/, the keymap): each non-ASCII
    // character written in them must take the fast path
    const files = [
      ...readdirSync('components').map((f) => join('components', f)),
      ...readdirSync('src/text').map((f) => join('src/text', f)),
      'src/app/keymap.ts',
    ].filter((f) => /\.tsx?$/.test(f));
    const symbols = new Set<string>();
    for (const f of files) for (const ch of readFileSync(f, 'utf8')) if (ch.codePointAt(0)! > 0x7e) symbols.add(ch);
    expect(symbols.size).toBeGreaterThan(10);
    expect([...symbols].filter((ch) => !NARROW_TEXT.test(ch)).map((ch) => `U+${ch.codePointAt(0)!.toString(16)}`)).toEqual([]);
  });

  it("answers containing(index) and iteration as the segmenter does (slice-ansi asks both)", () => {
    const intl = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const at = (segs: { containing(i?: number): { segment: string; index: number } | undefined }, i: number) => {
      const s = segs.containing(i);
      return s ? [s.segment, s.index] : null;
    };
    for (const t of ['', 'plain ascii', '\u001b[31mred\u001b[39m ─│▲', 'e\u0301 combining', 'a\r\nb', '👩‍💻 emoji']) {
      const ours = graphemeSegmenter.segment(t);
      const theirs = intl.segment(t);
      for (let i = -1; i <= t.length; i++) expect([t, i, at(ours, i)]).toEqual([t, i, at(theirs, i)]);
      expect([...ours].map((s: { segment: string; index: number }) => [s.segment, s.index])).toEqual([...theirs].map((s) => [s.segment, s.index]));
    }
  });
});

// Bundled as the dashboard bundles them: measuring and truncating simple text (what every frame draws)
// builds neither a grapheme segmenter nor string-width's Unicode-property expressions (\p{RGI_Emoji}
// alone takes 50-110 ms to build on this kind of host); other text still gets them.
interface TextLibs {
  stringWidth: (s: string) => number;
  sliceAnsi: (s: string, a: number, b?: number) => string;
  cliTruncate: (s: string, n: number) => string;
  buildUnicodeTables: () => void;
}

/** A fresh copy of the text libraries, bundled with the build's patches, loaded in this process. */
async function bundledTextLibs(): Promise<TextLibs> {
  const { build } = await import('esbuild');
  // @ts-expect-error: a plain .mjs build module without types
  const { inkPatches } = await import('../../scripts/ink/patches.mjs');
  const entry = `
    import stringWidth from 'string-width';
    import sliceAnsi from 'slice-ansi';
    import cliTruncate from 'cli-truncate';
    export { buildUnicodeTables } from ${JSON.stringify(join(process.cwd(), 'scripts/ink/narrow.js'))};
    export { stringWidth, sliceAnsi, cliTruncate };`;
  const out = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' },
    bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', plugins: [inkPatches],
    alias: { 'string-width': './node_modules/string-width/index.js' },
  });
  const dir = mkdtempSync(join(tmpdir(), 'mw-narrow-'));
  try {
    writeFileSync(join(dir, 'text.mjs'), out.outputFiles[0].text);
    return await import(pathToFileURL(join(dir, 'text.mjs')).href) as TextLibs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// slice-ansi tests every character against \p{Emoji_Presentation} (built in under a millisecond): not counted
const CHEAP = '\\p{Emoji_Presentation}';

/** Counts the segmenters and Unicode-property expressions built through the globals until restore(). */
function countConstructions() {
  const made = { segmenters: 0, properties: [] as string[] };
  const RealRegExp = globalThis.RegExp;
  const intl = Intl as { Segmenter: typeof Intl.Segmenter };
  const RealSegmenter = intl.Segmenter;
  globalThis.RegExp = new Proxy(RealRegExp, {
    construct(target, args: [string | RegExp, string?]) {
      if (String(args[0]).includes('\\p{') && String(args[0]) !== CHEAP) made.properties.push(String(args[0]));
      return Reflect.construct(target, args);
    },
  });
  intl.Segmenter = new Proxy(RealSegmenter, { construct(target, args) { made.segmenters++; return Reflect.construct(target, args); } });
  return { made, restore: () => { globalThis.RegExp = RealRegExp; intl.Segmenter = RealSegmenter; } };
}

describe('the text libraries as the build bundles them', () => {
  const row = '\u001b[31m▲\u001b[39m  4242 root     12.5 ├─ sleep 3600 · ok… ─│';
  const odd = '👩‍💻 中文 e\u0301x';

  it('build no segmenter and no Unicode-property expression for simple text, and do for the rest', async () => {
    const { made, restore } = countConstructions(); // before the bundle loads: its module-level expressions count
    try {
      const lib = await bundledTextLibs();
      // the same answers as the libraries unpatched (imported above, before the globals were wrapped)
      expect(lib.stringWidth(row)).toBe(stringWidth(row));
      expect(lib.sliceAnsi(row, 3, 12)).toBe(sliceAnsi(row, 3, 12));
      expect(lib.cliTruncate(row, 20)).toBe(cliTruncate(row, 20));
      expect(lib.cliTruncate(row, 20)).toContain('…');
      expect(made).toEqual({ segmenters: 0, properties: [] });
      // anything else still goes through string-width's own rules
      expect(lib.stringWidth(odd)).toBe(stringWidth(odd));
      expect(lib.sliceAnsi(odd, 0, 4)).toBe(sliceAnsi(odd, 0, 4));
      expect(made.segmenters).toBeGreaterThan(0);
      expect(made.properties.some((p) => p.includes('RGI_Emoji'))).toBe(true);
    } finally {
      restore();
    }
  });

  it('builds them all at once when asked (the dashboard asks once its first full frame is out), and never again', async () => {
    const { made, restore } = countConstructions();
    try {
      const lib = await bundledTextLibs();
      lib.buildUnicodeTables();
      expect(made.segmenters).toBe(1);
      expect(made.properties.length).toBe(4); // string-width's four
      expect(made.properties.some((p) => p.includes('RGI_Emoji'))).toBe(true);
      expect(lib.stringWidth(odd)).toBe(stringWidth(odd));
      expect(lib.sliceAnsi(odd, 0, 4)).toBe(sliceAnsi(odd, 0, 4));
      expect(lib.cliTruncate(odd, 4)).toBe(cliTruncate(odd, 4));
      lib.buildUnicodeTables();
      expect({ segmenters: made.segmenters, properties: made.properties.length }).toEqual({ segmenters: 1, properties: 4 });
    } finally {
      restore();
    }
  });
});
