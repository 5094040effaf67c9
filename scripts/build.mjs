// Bundles the CLI into one file: importing ink+react from node_modules costs ~400 ms at start-up,
// a bundle ~60 ms (see ../shared/reference/facts.md). react-devtools-core is only for Ink's dev tools.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
// Packaging's part of the build (Yoga/Ink start-up patches, commit stamp, man page, the single
// executable's CommonJS bundle) lives in its own module.
import { buildSingleExecutableBundle, defines, startupPatches, writeManPage } from './build-package.mjs';

// Build-time patches to Ink 6.8, each failing the build loudly if Ink's code no longer matches:
// - output.js builds its per-line caches (ANSI tokens, string widths) anew for every frame, so a
//   dashboard redrawing 40 mostly unchanged lines each second re-tokenises all of them: share one
//   bounded cache across frames (Output.get only reads the cached arrays);
// - measure-text.js and wrap-text.js cache every text ever drawn in unbounded maps: a monitor whose
//   numbers change every second would grow without end, so bound them;
// - render-node-to-output.js measures every text node's width on every frame: use the cached measure.
const INK_PATCHES = [
  {
    file: /[\\/]ink[\\/]build[\\/]output\.js$/,
    from: '    caches = new OutputCaches();',
    to: '    caches = sharedOutputCaches();',
    append: `
let sharedCaches = null;
function sharedOutputCaches() {
    if (!sharedCaches || sharedCaches.styledChars.size > 4000 || sharedCaches.widths.size > 20000) sharedCaches = new OutputCaches();
    return sharedCaches;
}
`,
  },
  {
    file: /[\\/]ink[\\/]build[\\/]measure-text\.js$/,
    from: '    cache.set(text, dimensions);',
    to: '    if (cache.size > 20000) cache.clear();\n    cache.set(text, dimensions);',
  },
  {
    file: /[\\/]ink[\\/]build[\\/]wrap-text\.js$/,
    from: '    cache[cacheKey] = wrappedText;',
    to: '    if (++cacheSize > 20000) { for (const k in cache) delete cache[k]; cacheSize = 0; }\n    cache[cacheKey] = wrappedText;',
    append: '\nlet cacheSize = 0;\n',
  },
  {
    file: /[\\/]ink[\\/]build[\\/]render-node-to-output\.js$/,
    from: '                const currentWidth = widestLine(text);',
    to: '                const currentWidth = measureText(text).width;',
    prepend: "import measureText from './measure-text.js';\n",
  },
];

const inkPatches = {
  name: 'ink-patches',
  setup(b) {
    for (const p of INK_PATCHES) {
      b.onLoad({ filter: p.file }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        if (!src.includes(p.from)) throw new Error(`ink patch: ${args.path} changed; update scripts/build.mjs`);
        return { contents: (p.prepend ?? '') + src.replace(p.from, p.to) + (p.append ?? ''), loader: 'js' };
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
  alias: { 'react-devtools-core': './dist/stub/devtools.js' },
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

await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/minewatch.js',
  banner: { js: '#!/usr/bin/env node\n' + common.banner.js } });
await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js' });
await build({ ...common, entryPoints: ['scripts/bench-tui.ts'], outfile: 'dist/bench-tui.js' });
chmodSync('dist/minewatch.js', 0o755);
await writeManPage(common);
