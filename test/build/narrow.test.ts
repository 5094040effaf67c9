// The width-is-length fast path and the segmenter shortcut patched into string-width, ansi-tokenize and
// slice-ansi (scripts/ink/narrow.js): every code point it takes as narrow is narrow by string-width's
// own rules, and its graphemes are Intl.Segmenter's.
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
    expect(n).toBe(882); // the ranges as written: a change to them is a change to this test
  });

  it('leaves everything else to string-width: zero-width, combining, wide, emoji', () => {
    for (const t of ['\u00ad', 'e\u0301', '\u200b', '\u25fd', '\u4e2d', '\u{1f600}', 'a\r\nb', '\u2028']) expect(NARROW_TEXT.test(t)).toBe(false);
  });

  it("splits text into the segmenter's graphemes, with or without the shortcut", () => {
    for (const t of ['', 'plain ascii', '\u001b[1m\u001b[31mbold red\u001b[39m\u001b[22m', '│ ├─ 4242 abc ·…▲', 'e\u0301 combining', '👩‍💻 emoji', 'a\r\nb', '中文 wide']) {
      expect(ours(t)).toEqual(segment(t));
    }
  });
});
