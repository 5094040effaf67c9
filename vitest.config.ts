import { defineConfig } from 'vitest/config';
import { workerDefines } from './scripts/workerSource.mjs';

// test/e2e runs twice: on node dist/minewatch.js (project e2e) and on the single executable
// dist/minewatch-linux-x64 (project e2e-binary, packaged first by its globalSetup when stale), so
// the two can never drift. test/helpers/cli.ts reads MINEWATCH_E2E_TARGET.
export default defineConfig({
  // the identity worker's bundled source, as the build defines it (scripts/workerSource.mjs)
  define: workerDefines(),
  test: {
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 20000,
    hookTimeout: 20000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.{ts,tsx}'], exclude: ['test/e2e/**'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], env: { MINEWATCH_E2E_TARGET: 'script' } } },
      {
        extends: true,
        test: {
          name: 'e2e-binary', include: ['test/e2e/**/*.test.ts'], env: { MINEWATCH_E2E_TARGET: 'binary' },
          globalSetup: ['test/install/globalSetup.ts'],
        },
      },
    ],
  },
});
