// Bundles the CLI into one file: importing ink+react from node_modules costs ~400 ms at start-up,
// a bundle ~60 ms (see ../shared/reference/facts.md). react-devtools-core is only for Ink's dev tools.
import { build } from 'esbuild';
import { RUNTIME_FLAGS } from './runtime-flags.mjs';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
// Packaging's part of the build (Yoga/Ink start-up patches, commit stamp, man page, the single
// executable's CommonJS bundle) lives in its own module.
import { buildSingleExecutableBundle, defines, startupPatches, writeManPage } from './build-package.mjs';

// Build-time changes to Ink 6.8 and the text libraries it uses: scripts/ink/patches.mjs.
import { inkPatches } from './ink/patches.mjs';

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
await build({ ...common, entryPoints: ['scripts/heapDiff.ts'], outfile: 'dist/heap-diff.js' });
chmodSync('dist/minewatch.js', 0o755);
await writeManPage(common);
