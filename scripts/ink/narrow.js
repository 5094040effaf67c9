// Text whose terminal width is its length: printable ASCII and the single-width symbols a dashboard
// draws with (Latin-1, dashes, quotes, bullets, arrows, mathematical operators, box drawing, blocks,
// geometric shapes, the check and ballot marks ✓ ✗), none of which combines with its neighbours or is an emoji by default. string-width
// only knows printable ASCII as such; for the rest it builds a grapheme segmenter and Unicode-property
// regular expressions on first use (~100 ms of the first frame on a loaded 2-core host). Patched into
// string-width by scripts/build.mjs; every code point is checked against string-width itself in
// test/build/narrow.test.ts.
export const NARROW_RANGES = [
  [0x20, 0x7e], [0xa1, 0xac], [0xae, 0xff], [0x2010, 0x2027], [0x2030, 0x205e], [0x2190, 0x22ff],
  [0x2500, 0x25fc], [0x25ff, 0x25ff], [0x2713, 0x2713], [0x2717, 0x2717],
];

const hex = (c) => `\\u${c.toString(16).padStart(4, '0')}`;
export const NARROW_TEXT = new RegExp(`^[${NARROW_RANGES.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]*$`);

// Grapheme segmentation, which string-width, ansi-tokenize (every changed screen row) and slice-ansi
// each set up at start-up: the segmenter is built on first use, and text made only of ANSI escapes and
// the characters above (each its own grapheme) is split per code unit without it.
const SIMPLE_TEXT = new RegExp(`^[\\u001b${NARROW_TEXT.source.slice(2, -3)}]*$`);
let segmenter;
const realSegmenter = () => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));

/** Intl.Segmenter's grapheme segmenter, built on first use. */
export const lazySegmenter = { segment: (text) => realSegmenter().segment(text) };

function* codeUnits(text) {
  for (let index = 0; index < text.length; index++) yield { segment: text[index], index, input: text };
}

/** The graphemes of `text` as Intl.Segmenter iterates them ({ segment, index }). */
export function graphemes(text) {
  return SIMPLE_TEXT.test(text) ? codeUnits(text) : realSegmenter().segment(text);
}

/**
 * Intl.Segmenter's `segment(text)` for the code that also asks a segment `containing(index)` (slice-ansi,
 * which Ink truncates every row with): simple text answers per code unit, without the segmenter.
 */
export const graphemeSegmenter = {
  segment(text) {
    if (!SIMPLE_TEXT.test(text)) return realSegmenter().segment(text);
    return {
      containing(index = 0) {
        const i = Math.trunc(Number(index));
        return i >= 0 && i < text.length ? { segment: text[i], index: i, input: text } : undefined;
      },
      [Symbol.iterator]: () => codeUnits(text),
    };
  },
};

/**
 * A value made on first use: string-width's Unicode-property expressions (\p{RGI_Emoji} alone takes
 * 50-110 ms to build here) are needed only for text that is not simple.
 */
export function onFirstUse(make) {
  let value;
  const get = () => (value ??= make());
  tables.push(get);
  return get;
}
const tables = [];

/**
 * Builds now what text that is not simple needs: the segmenter and every expression made through
 * onFirstUse. The dashboard calls it once its first full frame is out, between ticks: left to first
 * use, the first odd process name scrolled into view would hold that key's frame for as long as they
 * take to build (50-110 ms on an idle 2-core host, \p{RGI_Emoji} most of it; more with every core busy).
 */
export function buildUnicodeTables() {
  realSegmenter();
  for (const get of tables) get();
}
