// Bundles the CLI into one file: importing ink+react from node_modules costs ~400 ms at start-up,
// a bundle ~60 ms (see ../shared/reference/facts.md). react-devtools-core is only for Ink's dev tools.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// Build-time patches to Ink 6.8, each failing the build loudly if Ink's code no longer matches:
// - output.js builds its per-line caches (ANSI tokens, string widths) anew for every frame, so a
//   dashboard redrawing 40 mostly unchanged lines each second re-tokenises all of them: share one
//   bounded cache across frames (Output.get only reads the cached arrays);
// - measure-text.js and wrap-text.js cache every text ever drawn in unbounded maps: a monitor whose
//   numbers change every second would grow without end, so bound them;
// - render-node-to-output.js measures every text node's width on every frame: use the cached measure;
// - yoga-layout awaits its WebAssembly at import (top-level await, through fetch() of a data: URI, which
//   loads undici): instantiate it synchronously instead. Start-up no longer pays for undici, and the
//   bundle can be CommonJS, which a Node single-executable application needs (scripts/package.mjs);
// - reconciler.js awaits the React dev tools and its package.json only when DEV=true (top-level await,
//   import.meta.url): the dev tools are stubbed out of the bundle anyway.
const YOGA_DATA_URI = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;
export const INK_PATCHES = [
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
  {
    file: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/,
    transform(src) {
      const m = YOGA_DATA_URI.exec(src);
      if (!m || !src.includes('var _scriptDir = import.meta.url;') || !src.includes('h.instantiateWasm')) return null;
      return src.replace(m[0], '"data:application/octet-stream;base64,"').replace('var _scriptDir = import.meta.url;', 'var _scriptDir = undefined;')
        + `\nexport const YOGA_WASM_BASE64 = "${m[1]}";\n`;
    },
  },
  {
    file: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/,
    edits: [
      ["import loadYoga from '../binaries/yoga-wasm-base64-esm.js';", "import loadYoga, { YOGA_WASM_BASE64 } from '../binaries/yoga-wasm-base64-esm.js';"],
      ['const Yoga = wrapAssembly(await loadYoga());', `const yogaModule = {
  instantiateWasm(imports, receive) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(YOGA_WASM_BASE64, 'base64')), imports);
    receive(instance);
    return instance.exports;
  },
};
loadYoga(yogaModule);
if (!yogaModule.calledRun) throw new Error('yoga-layout did not start synchronously (scripts/build.mjs patch)');
const Yoga = wrapAssembly(yogaModule);`],
    ],
  },
  {
    file: /[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    edits: [
      ["        await import('./devtools.js');", '        throw Object.assign(new Error(\'no dev tools in this build\'), { code: \'ERR_MODULE_NOT_FOUND\' });'],
      ['    ? await loadPackageJson()', "    ? { name: 'ink', version: undefined }"],
      ["    const content = fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8');", "    const content = '{}';"],
    ],
  },
];

export const inkPatches = {
  name: 'ink-patches',
  setup(b) {
    for (const p of INK_PATCHES) {
      b.onLoad({ filter: p.file }, (args) => {
        const src = readFileSync(args.path, 'utf8');
        const edits = p.edits ?? (p.from ? [[p.from, p.to]] : []);
        const stale = () => new Error(`ink patch: ${args.path} changed; update scripts/build.mjs`);
        let out = src;
        for (const [from, to] of edits) {
          if (!out.includes(from)) throw stale();
          out = out.replace(from, to);
        }
        if (p.transform) {
          out = p.transform(out);
          if (out === null) throw stale();
        }
        return { contents: (p.prepend ?? '') + out + (p.append ?? ''), loader: 'js' };
      });
    }
  },
};

/** The version from package.json and the commit the build comes from (with -dirty for uncommitted changes). */
export function buildInfo() {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (dirty) commit += '-dirty';
  } catch { /* not a git checkout (an npm tarball): 'unknown' */ }
  return { version, commit };
}

export function defines(packaging) {
  const { commit } = buildInfo();
  return {
    'process.env.NODE_ENV': '"production"',
    MINEWATCH_COMMIT: JSON.stringify(commit),
    MINEWATCH_PACKAGING: JSON.stringify(packaging),
  };
}

mkdirSync('dist/stub', { recursive: true });
writeFileSync('dist/stub/devtools.js', 'export default {};\nexport const connectToDevTools = () => {};\n');

export const common = {
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
  plugins: [inkPatches],
  legalComments: 'none',
};

/** dist/minewatch.1 from src/docs/manpage.ts (bundled to a module and run here). */
export async function writeManPage(out = 'dist/minewatch.1') {
  const gen = 'dist/gen/manpage.mjs';
  await build({ ...common, entryPoints: ['src/docs/manpage.ts'], outfile: gen, define: defines('script') });
  const { renderManPage } = await import(`${pathToFileURL(gen).href}?t=${Date.now()}`);
  writeFileSync(out, renderManPage(buildInfo().version));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/minewatch.js', define: defines('script'),
    banner: { js: '#!/usr/bin/env node\n' + common.banner.js } });
  await build({ ...common, entryPoints: ['scripts/bench.ts'], outfile: 'dist/bench.js' });
  await build({ ...common, entryPoints: ['scripts/bench-tui.ts'], outfile: 'dist/bench-tui.js' });
  chmodSync('dist/minewatch.js', 0o755);
  await writeManPage('dist/minewatch.1');
}
