// What `minewatch --version` says: the version and commit, stamped in by scripts/build.mjs (esbuild
// `define`), and the Node.js that runs it (inside the single-file binary, the one packaged with it).
declare const MINEWATCH_VERSION: string | undefined;
declare const MINEWATCH_COMMIT: string | undefined;
declare const MINEWATCH_PACKAGING: string | undefined;

export const VERSION = typeof MINEWATCH_VERSION === 'string' ? MINEWATCH_VERSION : '0.0.0-dev';
export const COMMIT = typeof MINEWATCH_COMMIT === 'string' ? MINEWATCH_COMMIT : 'unknown';
/** 'single executable' in dist/minewatch-linux-x64, 'script' in dist/minewatch.js. */
export const PACKAGING = typeof MINEWATCH_PACKAGING === 'string' ? MINEWATCH_PACKAGING : 'source';

export function versionText(): string {
  const runtime = PACKAGING === 'single executable'
    ? `Node.js ${process.version} (inside this single executable)`
    : `Node.js ${process.version} (${process.execPath})`;
  return `minewatch ${VERSION}\ncommit ${COMMIT}\n${runtime}\n`;
}
