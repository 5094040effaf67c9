// One per-PID reader: outside src/procfs/, no module opens a path under /proc itself. A lint over the
// source of src/, components/ and scripts/ (tests may build and read fixture trees as they like).
// What it flags, after comments are removed:
//   - a string or template literal that is a path under /proc ('/proc/self/auxv', `/proc/${pid}/stat`);
//   - a path built under a proc root: join(procRoot, ...), procRoot + '/...', `${procRoot}/...`, pidDir(...);
//   - a file-system call whose argument mentions the proc root or '/proc'.
// The deliberate exceptions are named below, each with its reason; an exception that no longer matches
// anything fails too, so the list cannot rot.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
const SCANNED = ['src', 'components', 'scripts'];
const ALLOWED_DIR = 'src/procfs/';

interface Exception {
  file: string;
  /** The offending line contains this text. */
  line: string;
  why: string;
}

export const EXCEPTIONS: readonly Exception[] = [
  {
    file: 'src/fsafe/pinned.ts',
    line: "PROC_SELF_FD = '/proc/self/fd'",
    why: 'the safe opener walks user paths by descriptor: /proc/self/fd/N is how Node opens relative to a '
      + 'directory descriptor (no openat); minewatch\'s own descriptors, not a process\'s /proc facts',
  },
  {
    file: 'src/cli/watchdog.ts',
    line: '"/proc/$1/stat"',
    why: 'shell text of the dashboard\'s bash watchdog: it reads its parent\'s (our own process\'s) state to tell '
      + 'a dashboard stopped by a signal from a hung one; run by bash, never read by minewatch',
  },
  {
    file: 'src/simulate/simulate.ts',
    line: '"/proc/$p/stat"',
    why: 'shell text of the simulation watchdog: run by /bin/sh on the host, never read by minewatch',
  },
  {
    file: 'src/respond/evidence.ts',
    line: 'pidDir(',
    why: 'evidence capture copies the bytes of the executable, the script and config.json through '
      + '/proc/PID/{exe,cwd,root,fd} (files, not /proc facts) with its own budget and streaming copy',
  },
  {
    file: 'src/respond/evidence.ts',
    line: 'what: `/proc/${pid}/exe`',
    why: 'the same capture: the name of the copied file in its notes',
  },
];

const FS_CALL = /\b(?:fs\.|fsp\.|promises\.)?(readFileSync|readFile|openSync|open|readlinkSync|readlink|readdirSync|readdir|opendirSync|opendir|statSync|lstatSync|stat|lstat|existsSync|accessSync|access|realpathSync|createReadStream|readText|readBytes|readCapped|readTextCapped|readLink|openFd)\s*\(/g;
/** A literal that is a whole path under /proc (no spaces: a sentence that mentions /proc/N/stat is prose). */
const PROC_PATH_LITERAL = /(['"`])\/proc\/[^\s'"`]*\1/;
const BUILT_UNDER_PROC = /\bjoin\(\s*(?:this\.)?proc(?:Root|Dir)\b|\b(?:this\.)?procRoot\s*\+\s*['"`]\/|\$\{\s*(?:this\.)?procRoot\s*\}\/|\bpidDir\(/;
const MENTIONS_PROC = /\bproc(?:Root|Dir)\b|['"`]\/proc\b|\bpidDir\(/;

/** Comments out, strings kept (block comments keep their newlines so line numbers stay right). */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  let quote: string | null = null;
  while (i < src.length) {
    const c = src[i];
    const n = src[i + 1];
    if (quote) {
      out += c;
      if (c === '\\') { out += n ?? ''; i += 2; continue; }
      if (c === quote) quote = null;
      i++;
      continue;
    }
    if (c === '/' && n === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const body = src.slice(i, end < 0 ? src.length : end + 2);
      out += body.replace(/[^\n]/g, '');
      i += body.length;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    out += c;
    i++;
  }
  return out;
}

/** The text of the call's argument list starting at `open` (the index of its '('), to the matching ')'. */
function argsAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

export interface Violation {
  line: number;
  text: string;
  rule: string;
}

/** Every place in one module's source that opens or builds a path under /proc. */
export function procViolations(source: string): Violation[] {
  const code = stripComments(source);
  const lines = code.split('\n');
  const out: Violation[] = [];
  const lineOf = (index: number) => code.slice(0, index).split('\n').length;
  lines.forEach((text, i) => {
    if (PROC_PATH_LITERAL.test(text)) out.push({ line: i + 1, text: text.trim(), rule: 'a path under /proc' });
    else if (BUILT_UNDER_PROC.test(text)) out.push({ line: i + 1, text: text.trim(), rule: 'a path built under the proc root' });
  });
  for (const m of code.matchAll(FS_CALL)) {
    const open = m.index! + m[0].length - 1;
    if (!MENTIONS_PROC.test(argsAt(code, open))) continue;
    const line = lineOf(m.index!);
    if (!out.some((v) => v.line === line)) out.push({ line, text: lines[line - 1].trim(), rule: `${m[1]}() on the proc root` });
  }
  return out.sort((a, b) => a.line - b.line);
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|tsx|mts|mjs|js)$/.test(name)) out.push(full);
  }
  return out;
}

describe('the /proc boundary', () => {
  it('the lint sees the ways a module opens /proc, and ignores comments and mere mentions', () => {
    expect(procViolations("const s = readFileSync(`/proc/${pid}/stat`, 'utf8');")).toHaveLength(1);
    expect(procViolations("for (const e of readdirSync('/proc')) {}")).toHaveLength(1);
    expect(procViolations("const link = path.join(procRoot, String(pid), 'exe');")).toHaveLength(1);
    expect(procViolations("const t = readText(this.procRoot + '/loadavg');")).toHaveLength(1);
    expect(procViolations('fs.statSync(dirOf(procRoot, pid));')).toHaveLength(1);
    expect(procViolations("const dir = pidDir(procRoot, pid);")).toHaveLength(1);
    expect(procViolations('// readFileSync(`/proc/${pid}/stat`)\n/* readdirSync("/proc") */ const x = 1;')).toEqual([]);
    expect(procViolations("const procRoot = (flags.proc as string) ?? '/proc';")).toEqual([]);
    expect(procViolations("const st = readStat(procRoot, pid);")).toEqual([]);
    expect(procViolations("const DIRS = ['/tmp', '/proc', '/sys'];")).toEqual([]);
    expect(procViolations("function f(procRoot = '/proc'): void {}")).toEqual([]);
    expect(procViolations("const why = '/proc/N/stat must describe PID N';")).toEqual([]);
    expect(procViolations("const AUXV = '/proc/self/auxv';")).toHaveLength(1);
  });

  it('no module outside src/procfs/ opens a path under /proc, except the named ones', () => {
    const found: string[] = [];
    const used = new Set<Exception>();
    for (const top of SCANNED) {
      for (const file of sourceFiles(join(REPO, top))) {
        const rel = relative(REPO, file);
        if (rel.startsWith(ALLOWED_DIR)) continue;
        for (const v of procViolations(readFileSync(file, 'utf8'))) {
          const ex = EXCEPTIONS.find((e) => e.file === rel && v.text.includes(e.line));
          if (ex) used.add(ex);
          else found.push(`${rel}:${v.line}: ${v.rule}: ${v.text}`);
        }
      }
    }
    expect(found, 'read it through src/procfs/pid.ts (or host.ts) instead').toEqual([]);
    const stale = EXCEPTIONS.filter((e) => !used.has(e)).map((e) => `${e.file}: ${e.line}`);
    expect(stale, 'exceptions that match nothing any more: remove them').toEqual([]);
  });
});
