// What packaging adds to the build (scripts/build.mjs keeps the bundling and Ink's own patches):
// - startupPatches, an esbuild plugin with build-time patches to Yoga and Ink, each failing the build
//   loudly if the code it patches no longer matches:
//   - yoga-layout awaits its WebAssembly at import (top-level await, through fetch() of its own data:
//     URI, which loads undici): instantiate it synchronously from the base64 in the bundle instead.
//     Start-up no longer pays for undici, and the bundle can be CommonJS, which a Node
//     single-executable application needs (scripts/package.mjs);
//   - Ink's reconciler.js awaits the React dev tools and its package.json only when DEV=true (top-level
//     await, import.meta.url): the dev tools are stubbed out of the bundle anyway;
// - buildInfo/defines: the commit the build comes from and how it is packaged, stamped into the bundle
//   for `minewatch --version` (the version itself is package.json's, read by src/version.ts);
// - writeManPage: dist/minewatch.1 from src/docs/manpage.ts (the option, key and finding tables);
// - buildSingleExecutableBundle: dist/sea/minewatch.cjs, the CommonJS bundle the single executable runs.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { workerDefines } from './workerSource.mjs';

const YOGA_DATA_URI = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;

export const STARTUP_PATCHES = [
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
if (!yogaModule.calledRun) throw new Error('yoga-layout did not start synchronously (scripts/build-package.mjs patch)');
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

export const startupPatches = {
  name: 'startup-patches',
  setup(b) {
    for (const p of STARTUP_PATCHES) {
      b.onLoad({ filter: p.file }, (args) => {
        const stale = () => new Error(`startup patch: ${args.path} changed; update scripts/build-package.mjs`);
        let out = readFileSync(args.path, 'utf8');
        for (const [from, to] of p.edits ?? []) {
          if (!out.includes(from)) throw stale();
          out = out.replace(from, to);
        }
        if (p.transform) {
          out = p.transform(out);
          if (out === null) throw stale();
        }
        return { contents: out, loader: 'js' };
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

/** esbuild `define`s: production React, and the commit and packaging src/version.ts reports. */
export function defines(packaging) {
  return {
    'process.env.NODE_ENV': '"production"',
    MINEWATCH_COMMIT: JSON.stringify(buildInfo().commit),
    MINEWATCH_PACKAGING: JSON.stringify(packaging),
    ...workerDefines(),
  };
}

/** dist/minewatch.1 from src/docs/manpage.ts (bundled to a module and run here). */
export async function writeManPage(common, out = 'dist/minewatch.1') {
  const gen = 'dist/gen/manpage.mjs';
  await build({ ...common, entryPoints: ['src/docs/manpage.ts'], outfile: gen });
  const { renderManPage } = await import(`${pathToFileURL(gen).href}?t=${Date.now()}`);
  writeFileSync(out, renderManPage(buildInfo().version));
}

export const SEA_BUNDLE = 'dist/sea/minewatch.cjs';

/**
 * The bundle of the single executable: a Node SEA runs its main script as CommonJS, so this is
 * esbuild's CJS form of the same entry point as dist/minewatch.js, with everything it loads bundled in
 * (systeminformation included); dynamic import()s of the subcommands become bundled require()s.
 */
export async function buildSingleExecutableBundle(common) {
  mkdirSync('dist/sea', { recursive: true });
  await build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: SEA_BUNDLE,
    format: 'cjs',
    target: 'node24',
    external: [],
    banner: {},
    define: defines('single executable'),
  });
}
