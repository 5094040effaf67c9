// A small argument parser: --flag, --flag=value, --flag value; unknown flags are usage errors.

export class UsageError extends Error {}

export interface FlagSpec {
  [name: string]: 'boolean' | 'string';
}

export interface Parsed {
  flags: Record<string, string | boolean>;
  positional: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const name = (eq >= 0 ? arg.slice(0, eq) : arg).replace(/^-+/, '');
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option ${arg.slice(0, eq >= 0 ? eq : undefined)}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    }
  }
  return { flags, positional };
}

export function intFlag(flags: Record<string, string | boolean>, name: string, dflt: number, min: number, max: number): number {
  const v = flags[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}
