// Command-line options of the benchmark and profiling scripts (npm run bench, bench:tui, profile):
// `--name value` pairs and bare `--flag`s, nothing else.

/** The value after `--name`, or `dflt` when the option is absent or has no value. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

/** `--name` as a number (`dflt` when absent). */
export function numArg(name: string, dflt: number): number {
  return Number(arg(name, String(dflt)));
}

/** Whether the bare flag `--name` was given. */
export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}
