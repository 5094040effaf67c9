// The width-is-length fast path and the segmenter shortcut patched into string-width, ansi-tokenize and
// slice-ansi (scripts/ink/narrow.js): every code point it takes as narrow is narrow by string-width's
// own rules, and its graphemes are Intl.Segmenter's.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .js build helper without types
import { graphemes, NARROW_RANGES, NARROW_TEXT } from '../../scripts/ink/narrow.js';

const ranges = NARROW_RANGES as [number, number][];
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
});
