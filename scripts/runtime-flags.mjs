// The V8 flags minewatch runs with, wherever it runs: the shebang of dist/minewatch.js (the `minewatch`
// command of npm, and npm start) and the single executable's execArgv (scripts/package.mjs).
// --max-semi-space-size=2: V8 sizes the young generation for throughput (up to 3 x 16 MB on 64-bit);
// a monitor allocates a few MB per tick and keeps little of it, so 2 MB semi-spaces hold the per-tick
// garbage at a fraction of the resident size (measured in npm run bench:tui: RSS 142 -> ~100 MB at
// 2,000 processes, same CPU within noise).
// --v8-pool-size=1: one V8 background thread instead of four. Each thread that compiles or marks gets
// its own glibc malloc arena and keeps what it once needed (V8's compile zones): with four, 7 arenas
// held 10-12 MB at 2,000 processes; with one, 4 arenas and 4-6 MB (npm run bench:tui --memory, in a
// PID namespace, same CPU within noise). Concurrent marking and compilation still run off the main thread.
export const RUNTIME_FLAGS = ['--max-semi-space-size=2', '--v8-pool-size=1'];
