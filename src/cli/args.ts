// The command-line options of every command, as tables: the same table parses the arguments, prints
// `--help` and writes the man page (src/docs/manpage.ts), so the three cannot disagree.
// To add an option: add one line to the command's `options` below and read it from `flags` in the
// command's run function.

export class UsageError extends Error {}

export interface OptionSpec {
  /** Long name without the dashes: `fail-on` is `--fail-on`. */
  name: string;
  /** One-letter alias without the dash. */
  short?: string;
  /** Name of the value in help (`MS`, `DIR`): present means the option takes a value. */
  value?: string;
  /** What it does, one or more sentences; the help wraps it. */
  help: string;
  /** Shown after the help as "(default ...)". */
  default?: string;
}

export interface CommandSpec {
  /** `scan`, `inspect`...; '' for the dashboard (minewatch with no command). */
  name: string;
  /** Operands after the options, as written in the synopsis (`PID`). */
  operands?: string;
  /** Extra synopsis lines (without "minewatch "), e.g. `simulate --stop [--state-dir DIR]`. */
  moreUsage?: string[];
  /** One line for the command list of `minewatch --help`. */
  summary: string;
  /** What the command does: paragraphs separated by blank lines. */
  description: string;
  options: OptionSpec[];
  /** Exit status: code and meaning. */
  exit?: Array<[number, string]>;
}

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', help: 'print this help and exit' };

const PROC: OptionSpec = { name: 'proc', value: 'DIR', help: 'proc file system to read', default: '/proc' };
const ROOT: OptionSpec = {
  name: 'root', value: 'DIR', help: 'file system root for /etc/passwd, crontabs, units, homes (to look at a mounted disk image)', default: '/',
};

export const DASHBOARD: CommandSpec = {
  name: '',
  summary: 'live process tree with suspicious processes highlighted and explained (press ? inside)',
  description: 'Live process tree; suspicious processes are marked by severity and explained under their row. '
    + 'Keys inspect a process, show the persistence that starts it, and signal it after confirmation (press ? for all keys).',
  options: [
    { name: 'interval', value: 'MS', help: 'refresh interval in milliseconds, 100 to 60000 (+ and - change it live)', default: '1000' },
    { name: 'filter', value: 'TEXT', help: 'start filtered on TEXT (name, command, user or PID)' },
    { name: 'flagged', help: 'start with flagged processes only' },
    { name: 'no-color', help: 'no colours (also when NO_COLOR is set); glyphs still mark the severity' },
    { name: 'readonly', help: 'no action key does anything (signals are disabled)' },
    { name: 'no-gpu', help: 'do not look for GPU use (no fd scan, no nvidia-smi)' },
    { name: 'no-renice', help: 'keep the nice value minewatch was started with (as root it takes nice -5, so that a pegged host still draws it and answers its keys at once)' },
    {
      name: 'evidence-dir', value: 'DIR', help: 'where evidence and the audit log go before any signal is sent',
      default: '/var/lib/minewatch/evidence as root, else ~/.local/state/minewatch/evidence',
    },
    PROC,
    ROOT,
  ],
  exit: [[0, 'quit normally'], [2, 'usage error, no terminal, or a runtime error']],
};

export const SCAN: CommandSpec = {
  name: 'scan',
  summary: 'detection without a screen: a table or JSON, an exit code for scripts, cron and fleets',
  description: 'Samples the process table twice, runs every detection rule, reads every persistence location '
    + '(crontabs, systemd units and generators, rc scripts, shell start-up files, SSH keys, ld.so.preload, udev rules, PAM, XDG autostart, boot modules, /etc/environment) and prints the flagged '
    + 'processes and entries, worst first, each with its reasons, linked both ways ("started by: crontab of abc, line 3").',
  options: [
    {
      name: 'format', value: 'FORMAT', help: 'text, json (the JSON report, version 1), ecs (one Elastic Common Schema 9.4.0 alert '
        + 'per finding, NDJSON) or prometheus (metrics, text format)', default: 'text',
    },
    { name: 'json', help: 'the same as --format json' },
    {
      name: 'output', value: 'FILE', help: 'append the output to FILE instead of printing it (one write per line, so a log shipper '
        + 'tailing FILE sees whole lines); FILE must not be a symbolic link',
    },
    {
      name: 'textfile-dir', value: 'DIR', help: 'also write DIR/minewatch.prom (metrics, replaced atomically) for node_exporter\'s '
        + 'textfile collector, even when the scan fails',
    },
    { name: 'all', help: 'include processes and persistence entries that were not flagged' },
    { name: 'fail-on', value: 'LEVEL', help: 'exit 1 when something is at or above LEVEL: low, medium, high or critical', default: 'high' },
    { name: 'sample', value: 'MS', help: 'time between the two samples, for CPU % (0: one sample, no CPU %)', default: '1000' },
    {
      name: 'deep', help: 'also look for what hides: PIDs missing from the /proc listing (probes every PID up to pid_max), '
        + 'CPU time no visible process accounts for, kernel taint and modules no package ships',
    },
    { name: 'deep-budget', value: 'S', help: 'stop probing PIDs after S seconds (the report says how far it got)', default: '120' },
    {
      name: 'container', value: 'NAME', help: 'only processes in that container: a runtime (docker, podman, k8s, lxc, nspawn...), '
        + 'any part of its id or name, or "host" for none',
    },
    { name: 'no-gpu', help: 'do not look for GPU use (no fd scan, no nvidia-smi)' },
    {
      name: 'threads', value: 'N', help: 'read the details of each process (owner, command line, executable, cwd, environment) on N '
        + 'worker threads besides the main one (0: the main thread alone); by default one per core beyond the first, at most 3, '
        + 'and only above 5,000 processes (they read inside the --sample window: with --sample 0 the main thread reads alone)',
    },
    PROC,
    ROOT,
  ],
  exit: [[0, 'nothing at or above --fail-on'], [1, 'something at or above --fail-on was found'], [2, 'usage or runtime error']],
};

export const INSPECT: CommandSpec = {
  name: 'inspect',
  operands: 'PID',
  summary: 'everything about one process: identity, hashes, files, sockets, persistence',
  description: 'Reads everything about one process: identity and sudo rights, executable (type, SHA-256, MD5, miner strings; '
    + 'works when the file was deleted), cwd, command line, environment, open files and connections, memory maps, '
    + 'logins and shell history of its user, the detection findings, and the persistence entries that start it.',
  options: [
    { name: 'json', help: 'print JSON instead of text' },
    PROC,
    ROOT,
  ],
  exit: [[0, 'the process was inspected'], [2, 'usage error, no such process, or a runtime error']],
};

export const SIMULATE: CommandSpec = {
  name: 'simulate',
  moreUsage: ['simulate --stop [--state-dir DIR]'],
  summary: 'start a harmless re-enactment of the incident to see minewatch catch it',
  description: 'Starts a harmless re-enactment of a masquerading crypto-miner so you can see what minewatch reports: '
    + 'a script named sshd in a hidden directory under the temporary directory ($TMPDIR or /tmp), started as ./sshd '
    + 'with parent PID 1, which starts a fake "rcu-sched" with mining-pool arguments burning about 30% of one core. '
    + 'It never touches the network and everything exits by itself when the duration (at most 1h) is over.',
  options: [
    { name: 'duration', value: 'N', help: 'seconds, or with a unit: 90s, 5m, 1h', default: '5m' },
    {
      name: 'persistence', help: 'also add a line marked "# minewatch-simulate" to the crontab of the account that runs the '
        + 'processes (yours, or nobody\'s with --as-nobody) that restarts it until the end; warns when no cron daemon is running',
    },
    { name: 'as-nobody', help: 'run the processes as user nobody (needs root)' },
    { name: 'stop', help: 'kill exactly the recorded processes, remove the cron line and the directory' },
    { name: 'state-dir', value: 'DIR', help: 'where the state file lives', default: '$XDG_STATE_HOME/minewatch, else ~/.local/state/minewatch' },
  ],
  exit: [[0, 'started, or stopped'], [2, 'usage error, or the simulation could not start or stop']],
};

export const REPORT: CommandSpec = {
  name: 'report',
  operands: '[DIR]',
  summary: 'write the incident report (Markdown and JSON) of a run, from its evidence directory',
  description: 'Writes the incident report of a minewatch run as Markdown and JSON, from what the run left in its evidence '
    + 'directory DIR: host, timeline, processes with the SHA-256 of their executables, the persistence lines involved and '
    + 'what was done to them, recent logins of the account, and every action with its outcome (from the audit log). '
    + 'Reads through the safe opener; writes two new files (never over an existing one) and prints their paths. '
    + 'DIR defaults to /var/lib/minewatch/evidence as root, else ~/.local/state/minewatch/evidence.',
  options: [
    { name: 'out', value: 'DIR', help: 'write the two files into DIR (created 0700) instead of into the evidence directory' },
    { name: 'all', help: 'every run recorded in the directory, not only the latest' },
    { name: 'run', value: 'PID', help: 'the run of the minewatch process with this PID' },
  ],
  exit: [[0, 'the report was written'], [2, 'usage error, nothing recorded in DIR, or the files could not be written']],
};

/** Every command, in the order of `minewatch --help` and the man page. */
export const COMMANDS: CommandSpec[] = [DASHBOARD, SCAN, INSPECT, REPORT, SIMULATE];

export function allOptions(cmd: CommandSpec): OptionSpec[] {
  return [...cmd.options, HELP_OPTION];
}

export interface Parsed {
  flags: Record<string, string | boolean>;
  positional: string[];
}

/** --flag, --flag=value, --flag value, -h; unknown options are usage errors. Flags are keyed by long name. */
export function parseArgs(argv: string[], cmd: CommandSpec): Parsed {
  const opts = allOptions(cmd);
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const written = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = written.startsWith('--')
      ? opts.find((o) => o.name === written.slice(2))
      : written.length === 2 ? opts.find((o) => o.short === written.slice(1)) : undefined;
    if (!spec) throw new UsageError(`unknown option ${written}`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`--${spec.name} takes no value`);
      flags[spec.name] = true;
    } else {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${spec.name} needs a value (${spec.value})`);
      flags[spec.name] = value;
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

// ---------------------------------------------------------------- help text

const WIDTH = 80;

/** Words of `text` in lines of at most `width` columns. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** How an option is written: `-h, --help`, `--fail-on LEVEL`. */
export function optionLabel(o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.value ? ` ${o.value}` : ''}`;
}

export function optionText(o: OptionSpec): string {
  return o.default ? `${o.help} (default ${o.default})` : o.help;
}

/** The synopsis: `minewatch scan [--json] [--all] [--fail-on LEVEL] ... PID`. */
export function synopsis(cmd: CommandSpec): string[] {
  const words = ['minewatch', ...(cmd.name ? [cmd.name] : []), ...cmd.options.map((o) => `[--${o.name}${o.value ? ` ${o.value}` : ''}]`), ...(cmd.operands ? [cmd.operands] : [])];
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > WIDTH - 7) { lines.push(line); line = ' '.repeat(10 + (cmd.name ? cmd.name.length + 1 : 0)) + w; } else line = line ? `${line} ${w}` : w;
  }
  lines.push(line);
  return [...lines, ...(cmd.moreUsage ?? []).map((u) => `minewatch ${u}`)];
}

export function formatHelp(cmd: CommandSpec): string {
  const out: string[] = [];
  const syn = synopsis(cmd);
  out.push(`Usage: ${syn[0]}`, ...syn.slice(1).map((l) => `       ${l}`), '');
  for (const para of cmd.description.split(/\n\s*\n/)) out.push(...wrap(para, WIDTH), '');
  out.push('Options:');
  const opts = allOptions(cmd);
  const col = Math.min(24, Math.max(...opts.map((o) => optionLabel(o).length)) + 4);
  for (const o of opts) {
    const label = `  ${optionLabel(o)}`;
    const text = wrap(optionText(o), WIDTH - col);
    if (label.length + 2 > col) out.push(label, ...text.map((t) => ' '.repeat(col) + t));
    else out.push(label.padEnd(col) + text[0], ...text.slice(1).map((t) => ' '.repeat(col) + t));
  }
  if (cmd.exit) {
    out.push('', 'Exit status:');
    for (const [code, meaning] of cmd.exit) out.push(`  ${code}  ${meaning}`);
  }
  return out.join('\n') + '\n';
}

/** `minewatch --help`: every command with its summary. */
export function formatMainHelp(version: string): string {
  const rows = COMMANDS.map((c) => [`minewatch${c.name ? ` ${c.name}` : ''}${c.operands ? ` ${c.operands}` : ''} [options]`, c.summary]);
  rows.push(['minewatch --help | --version', 'this help; the version, commit and Node.js inside']);
  const col = Math.max(...rows.map((r) => r[0].length)) + 4;
  const lines = [`minewatch ${version}: a process monitor that spots masquerading crypto-miners and explains why.`, '', 'Usage:'];
  for (const [u, s] of rows) {
    const text = wrap(s, Math.max(30, WIDTH - col - 2));
    lines.push(`  ${u.padEnd(col)}${text[0]}`, ...text.slice(1).map((t) => ' '.repeat(col + 2) + t));
  }
  lines.push('', "Run 'minewatch <command> --help' for the options of a command; 'man minewatch' for everything.");
  return lines.join('\n') + '\n';
}
