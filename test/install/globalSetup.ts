// Before the e2e-binary project runs: dist/minewatch-linux-x64 must exist and match the sources.
// scripts/package.mjs skips the work when its inputs (sources, lock file, build scripts, commit) have
// not changed since the last package, so only the first run after a change pays for it.
export default async function setup(): Promise<void> {
  // @ts-expect-error: a plain .mjs build script, no type declarations
  const { packageBinary } = await import('../../scripts/package.mjs');
  const { built, ms } = await packageBinary({ log: () => {} });
  if (built) console.log(`test/install/globalSetup: packaged dist/minewatch-linux-x64 in ${(ms / 1000).toFixed(1)} s`);
}
