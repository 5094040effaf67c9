// Build-time changes to Ink 6.8 and the text libraries under it (used by scripts/build.mjs, and by
// test/build/inkOutput.test.ts, which bundles Ink's Output with them and compares it with Ink's own).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Each change fails the build loudly if Ink's code no longer matches:
// - output.js is replaced by scripts/ink/output.js: Ink builds every screen line anew from a grid of
//   per-character objects on every frame; ours rebuilds only the rows whose content changed since the
//   last frame and keeps nothing else between frames (flat memory). Swapped only when Ink's file is the
//   one it was written against (its SHA-256 below);
// - log-update.js writes only the lines that changed (scripts/ink/lineDiff.ts) instead of erasing and
//   rewriting the whole frame;
// - measure-text.js and wrap-text.js cache every text ever drawn in unbounded maps: a monitor whose
//   numbers change every second would grow without end, so bound them by the characters they hold;
// - render-node-to-output.js measures every text node's width on every frame: use the cached measure.
const here = dirname(fileURLToPath(import.meta.url));
const INK_REPLACED = [
  {
    file: /[\\/]ink[\\/]build[\\/]output\.js$/,
    sha256: 'de9078c7fc647c40cf9e32d6658fcbbee91dae9e3f6334e5f4ebfc5905fc401d',
    with: join(here, 'output.js'),
  },
];
const INK_PATCHES = [
  {
    file: /[\\/]ink[\\/]build[\\/]log-update\.js$/,
    from: `            previousOutput = str;
            const returnPrefix = buildReturnToBottomPrefix(cursorWasShown, previousLineCount, previousCursorPosition);
            stream.write(returnPrefix +
                ansiEscapes.eraseLines(previousLineCount) +
                str +
                cursorSuffix);`,
    to: `            const before = previousOutput;
            previousOutput = str;
            const returnPrefix = buildReturnToBottomPrefix(cursorWasShown, previousLineCount, previousCursorPosition);
            stream.write(returnPrefix +
                (changedLinesOnly(stream, before, str, lines, previousLineCount) ?? (ansiEscapes.eraseLines(previousLineCount) + str)) +
                cursorSuffix);`,
    prepend: `import { changedLinesOnly } from ${JSON.stringify(join(here, 'lineDiff.ts'))};\n`,
  },
  {
    file: /[\\/]ink[\\/]build[\\/]measure-text\.js$/,
    from: '    cache.set(text, dimensions);',
    to: '    cachedChars += text.length;\n    if (cachedChars > 2_000_000) { cache.clear(); cachedChars = text.length; }\n    cache.set(text, dimensions);',
    append: '\nlet cachedChars = 0;\n',
  },
  {
    file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
    from: '    cache[cacheKey] = wrappedText;',
    to: '    cachedChars += cacheKey.length + wrappedText.length;\n    if (cachedChars > 2_000_000) { for (const k in cache) delete cache[k]; cachedChars = cacheKey.length + wrappedText.length; }\n    cache[cacheKey] = wrappedText;',
    append: '\nlet cachedChars = 0;\n',
  },
  {
    file: /[\\/]ink[\\/]build[\\/]render-node-to-output\.js$/,
    from: '                const currentWidth = widestLine(text);',
    to: '                const currentWidth = measureText(text).width;',
    prepend: "import measureText from './measure-text.js';\n",
  },
  // Grapheme segmenters and Unicode-property regular expressions are built on first use, not at
  // start-up, and text of ASCII and the single-width symbols the dashboard draws with (box drawing,
  // arrows, "·", "…") is measured and split without them (scripts/ink/narrow.js).
  {
    file: /[\\/]string-width[\\/]index\.js$/,
    from: 'const segmenter = new Intl.Segmenter();',
    to: 'const segmenter = lazySegmenter;',
    also: [
      ['\tif (/^[\\u0020-\\u007E]*$/.test(string)) {', '\tif (NARROW_TEXT.test(string)) {'],
      // its Unicode-property expressions, built when the module loads, only on first use (the slow path)
      ['const visibleCharacterRegex = /[^\\p{Default_Ignorable_Code_Point}\\p{Control}\\p{Format}\\p{Nonspacing_Mark}\\p{Enclosing_Mark}\\p{Surrogate}]/v;',
        'const visibleCharacterRegex = onFirstUse(() => /[^\\p{Default_Ignorable_Code_Point}\\p{Control}\\p{Format}\\p{Nonspacing_Mark}\\p{Enclosing_Mark}\\p{Surrogate}]/v);'],
      ['const spacingMarkRegex = /\\p{Spacing_Mark}/v;', 'const spacingMarkRegex = onFirstUse(() => /\\p{Spacing_Mark}/v);'],
      ['const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;', 'const rgiEmojiRegex = onFirstUse(() => /^\\p{RGI_Emoji}$/v);'],
      ['const extendedPictographicRegex = /\\p{Extended_Pictographic}/gu;', 'const extendedPictographicRegex = onFirstUse(() => /\\p{Extended_Pictographic}/gu);'],
      ['segment.match(extendedPictographicRegex)', 'segment.match(extendedPictographicRegex())'],
      ['segment.search(visibleCharacterRegex)', 'segment.search(visibleCharacterRegex())'],
      ['!visibleCharacterRegex.test(character)', '!visibleCharacterRegex().test(character)'],
      ['spacingMarkRegex.test(character)', 'spacingMarkRegex().test(character)'],
      ['rgiEmojiRegex.test(segment)', 'rgiEmojiRegex().test(segment)'],
    ],
    prepend: `import { NARROW_TEXT, lazySegmenter, onFirstUse } from ${JSON.stringify(join(here, 'narrow.js'))};\n`,
  },
  {
    file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
    from: 'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });',
    to: 'const segmenter = { segment: graphemes };',
    prepend: `import { graphemes } from ${JSON.stringify(join(here, 'narrow.js'))};\n`,
  },
  // ansi-tokenize gives every character its own copy of the style list and works out the change of
  // style between every two neighbours (three Sets each): characters share the list while the style
  // does not change, and neighbours with the same list add no codes (the same bytes as before).
  {
    file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/,
    from: '                styles: [...codes],',
    to: '                styles: codes, // a new list on every style change (reduceAnsiCodesIncremental copies), never mutated',
    also: [['            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));',
      '            if (chars[i - 1].styles !== char.styles) ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));']],
  },
  // signal-exit 3 (Ink's, restore-cursor's) loads Node's assert module (~10 ms at start-up) for one
  // check that its callback is a function.
  {
    file: /[\\/]signal-exit[\\/]index\.js$/,
    from: "  var assert = require('assert')",
    to: "  var assert = { equal: function (a, b, message) { if (a !== b) throw new TypeError(message) } }",
  },
  {
    file: /[\\/]slice-ansi[\\/]tokenize-ansi\.js$/,
    from: "const GRAPHEME_SEGMENTER = new Intl.Segmenter(undefined, {granularity: 'grapheme'});",
    to: 'const GRAPHEME_SEGMENTER = graphemeSegmenter;',
    prepend: `import { graphemeSegmenter } from ${JSON.stringify(join(here, 'narrow.js'))};\n`,
  },
];

export const inkPatches = {
  name: 'ink-patches',
  setup(b) {
    for (const r of INK_REPLACED) {
      b.onLoad({ filter: r.file }, (args) => {
        const src = readFileSync(args.path);
        const sum = createHash('sha256').update(src).digest('hex');
        if (sum !== r.sha256) throw new Error(`ink patch: ${args.path} changed (sha256 ${sum}); scripts/ink/ was written for ink 6.8.0: update it and scripts/build.mjs`);
        return { contents: readFileSync(r.with, 'utf8'), loader: 'js', resolveDir: dirname(args.path) };
      });
    }
    for (const p of INK_PATCHES) {
      b.onLoad({ filter: p.file }, (args) => {
        let src = readFileSync(args.path, 'utf8');
        for (const [from, to] of [[p.from, p.to], ...(p.also ?? [])]) {
          if (!src.includes(from)) throw new Error(`ink patch: ${args.path} changed; update scripts/build.mjs`);
          src = src.replace(from, to);
        }
        return { contents: (p.prepend ?? '') + src + (p.append ?? ''), loader: 'js' };
      });
    }
  },
};

