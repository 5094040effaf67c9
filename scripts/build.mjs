// Bundles the CLI into one file: importing ink+react from node_modules costs ~400 ms at start-up,
// a bundle ~60 ms (see ../shared/reference/facts.md). react-devtools-core is only for Ink's dev tools.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';

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
  legalComments: 'none',
};

await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/minewatch.js',
  banner: { js: '#!/usr/bin/env node\n' + common.banner.js } });
await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js' });
chmodSync('dist/minewatch.js', 0o755);
