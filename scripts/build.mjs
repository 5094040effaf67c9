// Bundles the CLI into one file: importing ink+react from node_modules costs ~400 ms at start-up,
// a bundle ~60 ms (see ../shared/reference/facts.md). react-devtools-core is only for Ink's dev tools.
import { build } from 'esbuild';
import { RUNTIME_FLAGS } from './runtime-flags.mjs';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
// Packaging's part of the build (Yoga/Ink start-up patches, commit stamp, man page, the single
// executable's CommonJS bundle) lives in its own module.
import { buildSingleExecutableBundle, defines, startupPatches, writeManPage } from './build-package.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Build-time changes to Ink 6.8, each failing the build loudly if Ink's code no longer matches:
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
    with: join(here, 'ink', 'output.js'),
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
    prepend: `import { changedLinesOnly } from ${JSON.stringify(join(here, 'ink', 'lineDiff.ts'))};\n`,
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
    also: [['\tif (/^[\\u0020-\\u007E]*$/.test(string)) {', '\tif (NARROW_TEXT.test(string)) {']],
    prepend: `import { NARROW_TEXT, lazySegmenter } from ${JSON.stringify(join(here, 'ink', 'narrow.js'))};\n`,
  },
  {
    file: /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
    from: 'const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });',
    to: 'const segmenter = { segment: graphemes };',
    prepend: `import { graphemes } from ${JSON.stringify(join(here, 'ink', 'narrow.js'))};\n`,
  },
  {
    file: /[\\/]slice-ansi[\\/]tokenize-ansi\.js$/,
    from: "const GRAPHEME_SEGMENTER = new Intl.Segmenter(undefined, {granularity: 'grapheme'});",
    to: 'const GRAPHEME_SEGMENTER = lazySegmenter;',
    prepend: `import { lazySegmenter } from ${JSON.stringify(join(here, 'ink', 'narrow.js'))};\n`,
  },
];

const inkPatches = {
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

mkdirSync('dist/stub', { recursive: true });
writeFileSync('dist/stub/devtools.js', 'export default {};\nexport const connectToDevTools = () => {};\n');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  define: defines('script'),
  // one copy of string-width (wrap-ansi asks for 7.x, everything else in Ink for 8.x: same API)
  alias: { 'react-devtools-core': './dist/stub/devtools.js', 'string-width': './node_modules/string-width/index.js' },
  external: ['@lydell/node-pty', '@xterm/headless', '@resvg/resvg-js', 'systeminformation'],
  banner: { js: "import { createRequire as __mwCreateRequire } from 'node:module'; const require = __mwCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [inkPatches, startupPatches],
  legalComments: 'none',
};

// node scripts/build.mjs --single-executable: only what scripts/package.mjs needs.
if (process.argv.includes('--single-executable')) {
  await buildSingleExecutableBundle(common);
  await writeManPage(common);
  process.exit(0);
}

// The bundle's source map stays beside it (no comment in the bundle, nothing loads it at run time):
// npm run profile maps each profiled function back to its source with it.
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/minewatch.js', sourcemap: 'external',
  // env -S splits the line, so the runtime flags reach node (coreutils 8.30+: every supported distro)
  banner: { js: `#!/usr/bin/env -S node ${RUNTIME_FLAGS.join(' ')}\n` + common.banner.js } });
await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js' });
await build({ ...common, entryPoints: ['scripts/bench-tui.ts'], outfile: 'dist/bench-tui.js' });
await build({ ...common, entryPoints: ['scripts/profile.ts'], outfile: 'dist/profile.js' });
chmodSync('dist/minewatch.js', 0o755);
await writeManPage(common);
