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
// --initial-old-space-size=16: the old generation's first collection comes early, during start-up (at
// about 8 MB of heap, an 18-31 ms pause before the first frame: --trace-gc). Without it, start-up
// garbage (the first full sample of every process, the package index, module evaluation) stayed in the
// old space for the first ~20 s, until the memory reducer's first full GC: RSS 84 -> 92 MB then, 75-79
// after. With it the first 20 s peak at 84-86 MB (npm run bench:tui -- --seconds 40 --rss-every 2
// --memory --only minewatch, in a PID namespace with 2,000 idle processes, same window: peak 92.0 vs 86.2
// and 84.7 with 8 MB). V8 sizes the limits from the live heap after that first collection. 24 or 32
// spare that start-up pause but moved the first frame by nothing measurable (407 vs 415 ms median, 11
// interleaved starts) and let the first 40 s reach 84 / 91 MB.
// Tried, not taken: --no-turbo-inlining (the optimizing compiler compiles each hot function alone). Its
// thread's CPU fell in per-thread readings (2,000 idle processes, 3 runs each alternated, first 60 s /
// the 90 s after: 16.3, 13.5, 17.2 / 11.4, 10.7, 11.1 ms a second with inlining, 12.8, 12.7, 13.2 /
// 9.3, 9.4, 9.7 without), but npm run bench:tui, 3 alternated pairs, saw the same first minute (1.32,
// 1.45, 1.30 % of a core with inlining against 1.30, 1.45, 1.43 without) and 1.11 against 1.01 % on
// average after it: within what two runs of the same build differ by.
export const RUNTIME_FLAGS = ['--max-semi-space-size=2', '--v8-pool-size=1', '--initial-old-space-size=16'];
