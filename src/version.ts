// The one version source: what `minewatch --version`, the scan report, ECS rule.version and
// minewatch_build_info say. The version is package.json's own (esbuild inlines that one field into
// the bundle; tests running the sources read the same file). The commit and the packaging are stamped
// in by scripts/build.mjs (esbuild `define`); the Node.js is the one running (inside the single
// executable, the runtime packaged with it).
import { version } from '../package.json';
import { RUNTIME_FLAGS } from '../scripts/runtime-flags.mjs';

declare const MINEWATCH_COMMIT: string | undefined;
declare const MINEWATCH_PACKAGING: string | undefined;

export const VERSION: string = version;
export const COMMIT = typeof MINEWATCH_COMMIT === 'string' ? MINEWATCH_COMMIT : 'unknown';
/** 'single executable' in dist/minewatch-linux-x64, 'script' in dist/minewatch.js, 'source' under tsx/vitest. */
export const PACKAGING = typeof MINEWATCH_PACKAGING === 'string' ? MINEWATCH_PACKAGING : 'source';

export function versionText(): string {
  const runtime = PACKAGING === 'single executable'
    ? `Node.js ${process.version} (inside this single executable)`
    : `Node.js ${process.version} (${process.execPath})`;
  // the V8 flags it runs with (scripts/runtime-flags.mjs), when it was started with them
  const names = new Set(RUNTIME_FLAGS.map((f) => f.split('=')[0]));
  const flags = process.execArgv.filter((a) => names.has(a.split('=')[0]));
  return `minewatch ${VERSION}\ncommit ${COMMIT}\n${runtime}\n${flags.length ? `runtime flags ${flags.join(' ')}\n` : ''}`;
}
