// The V8 flags minewatch runs with, wherever it runs: the shebang of dist/minewatch.js (the `minewatch`
// command of npm, and npm start) and the single executable's execArgv (scripts/package.mjs).
// --max-semi-space-size=2: V8 sizes the young generation for throughput (up to 3 x 16 MB on 64-bit);
// a monitor allocates a few MB per tick and keeps little of it, so 2 MB semi-spaces hold the per-tick
// garbage at a fraction of the resident size (measured in npm run bench:tui: RSS 142 -> ~100 MB at
// 2,000 processes, same CPU within noise).
export const RUNTIME_FLAGS = ['--max-semi-space-size=2'];
