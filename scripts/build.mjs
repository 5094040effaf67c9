// Bundles the CLI into one file: importing ink+react from node_modules costs ~400 ms at start-up,
// a bundle ~60 ms (see ../shared/reference/facts.md). react-devtools-core is only for Ink's dev tools.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

// Ink 6.8 builds its per-line caches (ANSI tokens, string widths) anew for every frame, so a
// dashboard that redraws 40 mostly unchanged lines each second re-tokenises all of them. This patch
// shares one bounded cache across frames (the cached arrays are only read, never changed, by
// Output.get). It fails the build if Ink's code no longer matches, rather than silently dropping.
const inkOutputCache = {
  name: 'ink-output-cache',
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]output\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const needle = '    caches = new OutputCaches();';
      if (!src.includes(needle)) throw new Error('ink-output-cache: Ink output.js changed; update the patch');
      const shared = `
let sharedCaches = null;
function sharedOutputCaches() {
    if (!sharedCaches || sharedCaches.styledChars.size > 4000 || sharedCaches.widths.size > 20000) sharedCaches = new OutputCaches();
    return sharedCaches;
}
`;
      return { contents: src.replace(needle, '    caches = sharedOutputCaches();') + shared, loader: 'js' };
    });
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
  define: { 'process.env.NODE_ENV': '"production"' },
  alias: { 'react-devtools-core': './dist/stub/devtools.js' },
  external: ['@lydell/node-pty', '@xterm/headless', '@resvg/resvg-js', 'systeminformation'],
  banner: { js: "import { createRequire as __mwCreateRequire } from 'node:module'; const require = __mwCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [inkOutputCache],
  legalComments: 'none',
};

await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/minewatch.js',
  banner: { js: '#!/usr/bin/env node\n' + common.banner.js } });
await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js' });
await build({ ...common, entryPoints: ['scripts/bench-tui.ts'], outfile: 'dist/bench-tui.js' });
chmodSync('dist/minewatch.js', 0o755);
