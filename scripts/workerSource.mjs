// The source of the worker threads minewatch starts, bundled at build time into one CommonJS script and
// handed to the main bundle as a string constant (`__IDENTITY_WORKER__`, see src/procfs/identityPool.ts):
// a worker started from a string runs the same in the script and in the single executable, which has no
// file of its own to point a worker at. vitest.config.ts defines the same constant for the tests.
import { buildSync } from 'esbuild';

let cached = null;

/** src/procfs/identityWorker.ts with what it imports, as one CommonJS script. */
export function identityWorkerSource() {
  cached ??= buildSync({
    entryPoints: ['src/procfs/identityWorker.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'warning',
    legalComments: 'none',
  }).outputFiles[0].text;
  return cached;
}

/** The constants to define in every build of minewatch that may start workers. */
export function workerDefines() {
  return { __IDENTITY_WORKER__: JSON.stringify(identityWorkerSource()) };
}
