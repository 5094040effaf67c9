// One model of "what was launched": given a process's argv, its executable (kernel truth) and its cwd,
// or the words of a command line in a crontab or unit, say whether an interpreter or shell runs, which
// script (or inline code, or module) it was given, and where that script is once resolved against the
// working directory. THE one list of interpreters and shells, and of wrapper programs (env, nohup...).
// Detection, evidence capture, persistence linking, the respawn watch and the family builder use it, so
// they all talk about the same file. Pure: no I/O.
import { posix } from 'node:path';

export type InterpreterFamily = 'shell' | 'python' | 'perl' | 'ruby' | 'php' | 'node' | 'java' | 'lua' | 'tcl' | 'r'
  | 'julia' | 'pwsh';

/** THE list of interpreters and shells: program basename → family. Versioned names (python3.11) included. */
const INTERPRETERS: { re: RegExp; family: InterpreterFamily }[] = [
  { re: /^(sh|bash|rbash|dash|zsh|ksh|ksh93|mksh|pdksh|ash|yash|posh|csh|tcsh|fish)$/, family: 'shell' },
  { re: /^(python|pypy)[\d.]*$/, family: 'python' },
  { re: /^perl[\d.]*$/, family: 'perl' },
  { re: /^(ruby|jruby)[\d.]*$/, family: 'ruby' },
  { re: /^php[\d.]*(-cli|-cgi)?$/, family: 'php' },
  { re: /^(node|nodejs|bun|deno)$/, family: 'node' },
  { re: /^java$/, family: 'java' },
  { re: /^(lua[\d.]*|luajit)$/, family: 'lua' },
  { re: /^(tclsh|wish)[\d.]*$/, family: 'tcl' },
  { re: /^(Rscript|R)$/, family: 'r' },
  { re: /^julia$/, family: 'julia' },
  { re: /^(pwsh|powershell)$/, family: 'pwsh' },
];

/**
 * Programs that run another program named on their command line: the launched program follows their
 * options (and for some an operand: timeout's duration, nice's -n value...). Options listed take a value.
 */
const WRAPPERS: Record<string, { withValue: RegExp; operands?: number }> = {
  env: { withValue: /^-(u|C|S|-unset|-chdir|-split-string)$/ },
  nohup: { withValue: /^$/ },
  setsid: { withValue: /^$/ },
  nice: { withValue: /^-(n|-adjustment)$/ },
  ionice: { withValue: /^-(c|n|p|P|u|-class|-classdata)$/ },
  timeout: { withValue: /^-(s|k|-signal|-kill-after)$/, operands: 1 },
  stdbuf: { withValue: /^-(i|o|e)$/ },
  taskset: { withValue: /^$/, operands: 1 },
  chrt: { withValue: /^$/, operands: 1 },
  numactl: { withValue: /^-(N|C|m|p|i|l)$/ },
  flock: { withValue: /^-(w|E|-timeout|-conflict-exit-code)$/, operands: 1 },
  cpulimit: { withValue: /^-(l|p|e|-limit|-pid|-exe)$/ },
  sudo: { withValue: /^-(u|g|C|D|h|p|R|r|T|t|U)$/ },
  doas: { withValue: /^-(u|C)$/ },
  runuser: { withValue: /^-(u|g|G|s|-user|-group|-shell)$/ },
  chroot: { withValue: /^-(-userspec|-groups)$/, operands: 1 },
  unshare: { withValue: /^$/ },
  nsenter: { withValue: /^-(t|-target|S|G)$/ },
  'start-stop-daemon': { withValue: /^-(p|u|d|c|N|k|K|r|g|s|x|a|n)$/ },
  daemonize: { withValue: /^-(c|p|u|a|e|o|l)$/ },
  exec: { withValue: /^-a$/ },
  command: { withValue: /^$/ },
  time: { withValue: /^-(f|o)$/ },
  xargs: { withValue: /^-(a|d|E|I|L|n|P|s)$/ },
  su: { withValue: /^-(g|G|s|c|-shell|-group|-command)$/, operands: 1 },
  chronic: { withValue: /^$/ },
  torsocks: { withValue: /^$/ },
  proxychains: { withValue: /^-f$/ },
  proxychains4: { withValue: /^-f$/ },
  nocache: { withValue: /^$/ },
  unbuffer: { withValue: /^$/ },
  'systemd-run': { withValue: /^-(u|p|E|-unit|-property|-setenv|-uid|-gid|-slice|-description|-on-calendar|-working-directory)$/ },
  'systemd-inhibit': { withValue: /^-(-what|-who|-why|-mode)$/ },
};

export function baseName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** The family of an interpreter or shell, by the program's path or basename; null for anything else. */
export function interpreterFamily(program: string | null | undefined): InterpreterFamily | null {
  if (!program) return null;
  const b = baseName(program).replace(/^-/, ''); // a login shell's argv[0] is "-bash"
  for (const i of INTERPRETERS) if (i.re.test(b)) return i.family;
  return null;
}

export function isInterpreter(program: string | null | undefined): boolean {
  return interpreterFamily(program) !== null;
}

export function isShell(program: string | null | undefined): boolean {
  return interpreterFamily(program) === 'shell' || baseName(program ?? '') === 'busybox';
}

export function isWrapper(program: string | null | undefined): boolean {
  return !!program && Object.hasOwn(WRAPPERS, baseName(program));
}

/**
 * Programs whose path says nothing about what they run: every shell script has exe /bin/dash, every
 * `env X=1 prog` starts as env. A respawn watch or a link by executable path must not rest on them.
 */
export function isSharedLauncher(program: string | null | undefined): boolean {
  return isInterpreter(program) || isWrapper(program) || baseName(program ?? '') === 'busybox';
}

export type LaunchMode =
  /** A program that is not an interpreter: `path` is its executable (or, after wrappers, the program named). */
  | 'program'
  /** An interpreter given a file: a script, a jar, a php -f file. */
  | 'script'
  /** Inline code: sh -c, perl -e, python -c, node -e, php -r. */
  | 'inline'
  /** A module or main class: python -m mod, java Main. */
  | 'module'
  /** Reads its program from standard input (`python3 -`, `sh -s`, or a shell in a pipe). */
  | 'stdin'
  /** An interpreter with nothing to run: an interactive shell or REPL. */
  | 'interactive';

export interface Launch {
  /** Wrappers skipped before the real program (env, nohup, setsid, timeout...), by basename. */
  wrappers: string[];
  /** The interpreter or shell by basename (`busybox sh` gives "sh"), or null for a plain program. */
  interpreter: string | null;
  family: InterpreterFamily | null;
  mode: LaunchMode;
  /** The script (or jar, or program after wrappers) exactly as the command line gives it. */
  asGiven: string | null;
  /** asGiven as an absolute path (relative ones resolved against `resolvedAgainst`); null when unknown. */
  path: string | null;
  /** The directory a relative asGiven was resolved against (the cwd, or a -C/--chdir directory). */
  resolvedAgainst: string | null;
  /** Inline code handed to -c / -e / -r / --eval (capped at 4 KiB). */
  inline: string | null;
  /** python -m module, java main class. */
  module: string | null;
  /** Index of asGiven (or of the inline code) in the argument list; -1 when none. */
  argIndex: number;
}

export interface LaunchInput {
  /** argv as the process presents it, or the words of a command line. */
  argv: readonly string[];
  /** /proc/PID/exe (kernel truth) when known; null for a command line or an unreadable link. */
  exe?: string | null;
  /** Where relative paths start: the process's cwd, or where a command line runs. */
  cwd?: string | null;
}

/** How one interpreter family reads its options. */
interface OptionSpec {
  /** Short option letters (in a cluster like -uc) and long options whose value is inline code. */
  inline: Set<string>;
  /** Options whose value is a module or main class. */
  module: Set<string>;
  /** Options whose value is the file to run (php -f, pwsh -File, java -jar). */
  file: Set<string>;
  /** Options that take a value, given separately or attached. */
  withValue: Set<string>;
  /** Short options whose optional value can only be attached (perl -l, -0777): they never take the next word. */
  attachedOnly?: Set<string>;
  /** Options that read the program from stdin. */
  stdin: Set<string>;
  /** Options that change directory before the script is resolved (ruby -C, env -C). */
  chdir: Set<string>;
  /** Long options (two dashes, or single-dash words for pwsh) that take a separate value. */
  longWithValue: Set<string>;
  /** Whether short options may be clustered (-uc). */
  clusters: boolean;
  /** Sub-commands to skip before the script (deno run x.ts, bun run x.js). */
  subcommands?: Set<string>;
  /** Whether option names compare case-insensitively (pwsh). */
  caseless?: boolean;
  /** The first operand is a main class, not a file (java). */
  operandIsModule?: boolean;
}

const S = (...xs: string[]) => new Set(xs);
const NONE = S();

const SPECS: Record<InterpreterFamily, OptionSpec> = {
  shell: { inline: S('c'), module: NONE, file: NONE, withValue: S('o', 'O'), stdin: S('s'), chdir: NONE,
    longWithValue: S('--rcfile', '--init-file'), clusters: true },
  python: { inline: S('c'), module: S('m'), file: NONE, withValue: S('W', 'X'), stdin: NONE, chdir: NONE,
    longWithValue: S('--check-hash-based-pycs'), clusters: true },
  perl: { inline: S('e', 'E'), module: NONE, file: NONE, withValue: S('I'), attachedOnly: S('M', 'm', 'x', 'd', 'D', 'C', 'i', '0', 'l'), stdin: NONE,
    chdir: NONE, longWithValue: NONE, clusters: true },
  ruby: { inline: S('e'), module: NONE, file: NONE, withValue: S('I', 'r', 'C', 'E'), attachedOnly: S('x', 'F', 'K', '0', 'T', 'W'), stdin: NONE, chdir: S('C'),
    longWithValue: S('--encoding', '--external-encoding', '--internal-encoding', '--enable', '--disable', '--dump'), clusters: true },
  php: { inline: S('r', 'B', 'R', 'E'), module: NONE, file: S('f'), withValue: S('d', 'c', 'z', 't', 'S', 'F'), stdin: NONE, chdir: NONE,
    longWithValue: S('--define', '--php-ini', '--zend-extension'), clusters: false },
  node: { inline: S('e', 'p', '--eval', '--print'), module: NONE, file: NONE, withValue: S('r', 'C', 'i'), stdin: NONE, chdir: NONE,
    longWithValue: S('--require', '--import', '--loader', '--experimental-loader', '--conditions', '--input-type', '--title',
      '--env-file', '--inspect-port', '--cpu-prof-dir', '--heap-prof-dir', '--diagnostic-dir', '--redirect-warnings',
      '--config', '--import-map', '--cwd'), clusters: false,
    subcommands: S('run', 'x', 'exec') },
  java: { inline: NONE, module: NONE, file: S('-jar'), withValue: S('cp', 'classpath', 'p', '-module-path', '-add-modules', '-class-path'),
    stdin: NONE, chdir: NONE, longWithValue: S('-cp', '-classpath', '--class-path', '-p', '--module-path', '--add-modules', '--add-opens', '--add-exports'),
    clusters: false, operandIsModule: true },
  lua: { inline: S('e'), module: NONE, file: NONE, withValue: S('l'), stdin: NONE, chdir: NONE, longWithValue: NONE, clusters: false },
  tcl: { inline: NONE, module: NONE, file: NONE, withValue: S('encoding'), stdin: NONE, chdir: NONE, longWithValue: S('-encoding'), clusters: false },
  r: { inline: S('e'), module: NONE, file: S('f', '--file'), withValue: NONE, stdin: NONE, chdir: NONE, longWithValue: NONE, clusters: false },
  julia: { inline: S('e', 'E', '--eval', '--print'), module: NONE, file: NONE, withValue: S('L', 'J', 'p', 't', 'C', 'O', 'g', 'H'), stdin: NONE,
    chdir: NONE, longWithValue: S('--load', '--sysimage', '--procs', '--threads', '--home', '--machine-file'), clusters: false },
  pwsh: { inline: S('-command', '-c', '-encodedcommand', '-e', '-ec'), module: NONE, file: S('-file', '-f'), withValue: NONE, stdin: NONE,
    chdir: NONE, longWithValue: S('-executionpolicy', '-ex', '-workingdirectory', '-wd', '-configurationname', '-outputformat', '-inputformat'),
    clusters: false, caseless: true },
};

const INLINE_CAP = 4096;

function resolve(word: string, dir: string | null): string | null {
  if (word.startsWith('/')) return posix.normalize(word);
  if (!dir || !word) return null;
  return posix.resolve(dir, word);
}

/** Index of the first word after the wrappers (env A=b, nohup, setsid -f, timeout 10, nice -n 5 ...). */
export function skipWrappers(words: readonly string[], start = 0, found: string[] = [], chdir?: { dir: string | null }): number {
  let i = start;
  while (i < words.length) {
    const w = words[i];
    const b = baseName(w);
    if (!Object.hasOwn(WRAPPERS, b)) return i;
    const spec = WRAPPERS[b];
    found.push(b);
    i++;
    while (i < words.length && (words[i].startsWith('-') || (b === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])))) {
      const o = words[i];
      if (o === '--') { i++; break; }
      if (b === 'env' && chdir && (o === '-C' || o === '--chdir')) chdir.dir = resolve(words[i + 1] ?? '', chdir.dir);
      else if (b === 'env' && chdir && o.startsWith('--chdir=')) chdir.dir = resolve(o.slice(8), chdir.dir);
      i += spec.withValue.test(o) ? 2 : 1;
    }
    for (let k = 0; k < (spec.operands ?? 0) && i < words.length; k++) i++;
  }
  return i;
}

/**
 * What an interpreter's arguments say it runs. `args` are the words after the interpreter itself.
 */
function readInterpreterArgs(family: InterpreterFamily, interpreter: string, args: readonly string[], offset: number, dir: string | null):
  Omit<Launch, 'wrappers' | 'interpreter' | 'family'> {
  const spec = SPECS[family];
  const out = { mode: 'interactive' as LaunchMode, asGiven: null as string | null, path: null as string | null,
    resolvedAgainst: null as string | null, inline: null as string | null, module: null as string | null, argIndex: -1 };
  const norm = (o: string) => (spec.caseless ? o.toLowerCase() : o);
  const file = (word: string, at: number): typeof out => {
    out.mode = 'script';
    out.asGiven = word;
    out.path = resolve(word, dir);
    out.resolvedAgainst = word.startsWith('/') ? null : dir;
    out.argIndex = offset + at;
    return out;
  };
  const inline = (code: string | undefined, at: number): typeof out => {
    out.mode = 'inline';
    out.inline = (code ?? '').slice(0, INLINE_CAP);
    out.argIndex = offset + at;
    return out;
  };
  const module = (name: string | undefined, at: number): typeof out => {
    out.mode = 'module';
    out.module = name ?? null;
    out.argIndex = offset + at;
    return out;
  };
  let subcommandSkipped = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      const next = args[i + 1];
      return next === undefined ? out : spec.operandIsModule ? module(next, i + 1) : file(next, i + 1);
    }
    if (a === '-') { out.mode = 'stdin'; out.argIndex = offset + i; return out; }
    if (a.startsWith('+') && family === 'shell') { if (a === '+o' || a === '+O') i++; continue; }
    if (!a.startsWith('-')) {
      if (spec.subcommands && (interpreter === 'bun' || interpreter === 'deno') && !subcommandSkipped && spec.subcommands.has(a) && i + 1 < args.length) { subcommandSkipped = true; continue; }
      if (a === '') return out;
      return spec.operandIsModule ? module(a, i) : file(a, i);
    }
    // Long options (and single-dash words for java, pwsh, tcl).
    const eq = a.indexOf('=');
    const name = norm(eq > 0 ? a.slice(0, eq) : a);
    const attached = eq > 0 ? a.slice(eq + 1) : undefined;
    const isLong = a.startsWith('--') || !spec.clusters;
    if (isLong) {
      const bare = name.replace(/^-/, '');
      const short = name.length === 2 ? name[1] : null;
      if (spec.inline.has(name) || spec.inline.has(bare) || (short && spec.inline.has(short))) {
        if (attached !== undefined) return inline(attached, i);
        if (short && a.length > 2 && !a.startsWith('--') && !spec.caseless) return inline(a.slice(2), i);
        return inline(args[i + 1], i + 1);
      }
      if (spec.file.has(name) || spec.file.has(bare) || (short && spec.file.has(short))) {
        const v = attached ?? (short && a.length > 2 && !spec.caseless ? a.slice(2) : args[i + 1]);
        if (v === undefined) return out;
        return file(v, attached !== undefined || (short && a.length > 2) ? i : i + 1);
      }
      if (spec.stdin.has(bare)) { out.mode = 'stdin'; out.argIndex = offset + i; return out; }
      if (spec.longWithValue.has(name) || spec.withValue.has(bare) || (short && spec.withValue.has(short) && a.length === 2)) {
        if (attached === undefined) i++;
        continue;
      }
      if (short && spec.withValue.has(short)) continue; // value attached: -Ilib, -W ignore given as one word
      continue;
    }
    // A cluster of short options: -uc, -W ignore, -Wignore, -lc, -OO.
    for (let k = 1; k < a.length; k++) {
      const ch = a[k];
      const rest = a.slice(k + 1);
      if (spec.inline.has(ch)) {
        // Shells take the code from the next argument even in a cluster (bash -lc 'cmd'); others attach it.
        if (family === 'shell' || rest === '') return inline(args[i + 1], i + 1);
        return inline(rest, i);
      }
      if (spec.module.has(ch)) return rest ? module(rest, i) : module(args[i + 1], i + 1);
      if (spec.file.has(ch)) return rest ? file(rest, i) : file(args[i + 1] ?? '', i + 1);
      if (spec.stdin.has(ch)) { out.mode = 'stdin'; out.argIndex = offset + i; return out; }
      if (spec.attachedOnly?.has(ch)) break;
      if (spec.withValue.has(ch)) {
        if (rest === '') {
          if (spec.chdir.has(ch)) dir = resolve(args[i + 1] ?? '', dir);
          i++;
        } else if (spec.chdir.has(ch)) dir = resolve(rest, dir);
        break;
      }
    }
  }
  return out;
}

/**
 * The launch a process (or a command line) describes. The interpreter is decided by the executable the
 * kernel reports when known (argv[0] is whatever the process says), else by argv[0]; busybox runs the
 * applet argv[0] names (or argv[1] when argv[0] is busybox itself).
 */
const launches = new WeakMap<object, Launch>();

/**
 * What a running process was launched as, memoised per process object (the reader hands back the same
 * object while nothing about the process changed): detection and persistence linking share one parse.
 */
export function processLaunch(p: { readonly cmdline: readonly string[]; readonly exe: string | null; readonly cwd: string | null }): Launch {
  let l = launches.get(p);
  if (!l) { l = parseLaunch({ argv: p.cmdline, exe: p.exe, cwd: p.cwd }); launches.set(p, l); }
  return l;
}

export function parseLaunch(input: LaunchInput): Launch {
  const argv = input.argv;
  const exe = input.exe ?? null;
  const wrappers: string[] = [];
  const chdir = { dir: input.cwd ?? null };
  let start = 0;
  // The program the kernel runs is exe; when it is a wrapper (or unknown and argv[0] is one), look past it.
  const exeBase = exe ? baseName(exe) : null;
  if ((exeBase !== null && Object.hasOwn(WRAPPERS, exeBase)) || (exeBase === null && isWrapper(argv[0]))) {
    start = skipWrappers(argv, 0, wrappers, chdir);
  }
  const runs = start > 0 ? (argv[start] ?? null) : (exe ?? argv[0] ?? null);
  let programBase = runs === null ? null : baseName(runs);
  let argsFrom = start + 1;
  if (programBase === 'busybox' || (start === 0 && exeBase === 'busybox')) {
    // busybox sh x: the applet is argv[0] when busybox was reached through a link (/bin/sh → busybox).
    const a0 = baseName(argv[start] ?? '');
    if (a0 === 'busybox') { programBase = baseName(argv[start + 1] ?? ''); argsFrom = start + 2; } else programBase = a0;
  }
  const family = interpreterFamily(programBase);
  const base: Launch = {
    wrappers, interpreter: null, family: null, mode: 'program', asGiven: null, path: null, resolvedAgainst: null,
    inline: null, module: null, argIndex: -1,
  };
  if (family === null) {
    if (start > 0) {
      const word = argv[start];
      if (word === undefined) return base;
      return { ...base, asGiven: word, path: word.includes('/') ? resolve(word, chdir.dir) : null,
        resolvedAgainst: word.startsWith('/') || !word.includes('/') ? null : chdir.dir, argIndex: start };
    }
    if (exe) return { ...base, path: exe };
    const a0 = argv[0];
    if (a0 && a0.includes('/')) {
      return { ...base, asGiven: a0, path: resolve(a0, chdir.dir), resolvedAgainst: a0.startsWith('/') ? null : chdir.dir, argIndex: 0 };
    }
    return base;
  }
  const interpreter = programBase!.replace(/^-/, '');
  const rest = readInterpreterArgs(family, interpreter, argv.slice(argsFrom), argsFrom, chdir.dir);
  return { ...base, ...rest, interpreter, family };
}

/** The file that really runs: the script an interpreter was given, else the program itself. */
export function launchedFile(l: Launch): string | null {
  return l.path;
}
