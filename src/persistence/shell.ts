// A small, forgiving reader of shell command lines (cron commands, ExecStart=, start-up file lines):
// enough to tell which programs a line starts, from where, and whether it throws its output away.
// It never evaluates anything; unknown syntax degrades to "fewer facts", never to an exception.
import * as path from 'node:path';

interface Redirect { op: string; fd: string; target: string | null }
interface Lexed { segments: string[][]; redirects: Redirect[][]; subcommands: string[] }

const MAX_INPUT = 16 * 1024;
const MAX_DEPTH = 3;

function matchClose(s: string, start: number, open: string, close: string): number {
  let depth = 1;
  let quote: string | null = null;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (quote) { if (c === quote) quote = null; else if (c === '\\' && quote === '"') i++; continue; }
    if (c === '\\') { i++; continue; }
    if (c === "'" || c === '"') { quote = c; continue; }
    if (c === open && open !== close) depth++;
    else if (c === close && --depth === 0) return i;
  }
  return -1;
}

/** Split a command into simple-command word lists, with redirections and $(...)/`...` bodies. */
export function lex(input: string): Lexed {
  const s = input.length > MAX_INPUT ? input.slice(0, MAX_INPUT) : input;
  const segments: string[][] = [];
  const redirects: Redirect[][] = [];
  const subcommands: string[] = [];
  let words: string[] = [];
  let redirs: Redirect[] = [];
  let word = '';
  let inWord = false;
  let pendingRedirect: Redirect | null = null;

  const endWord = () => {
    if (!inWord) return;
    if (pendingRedirect) { pendingRedirect.target = word; redirs.push(pendingRedirect); pendingRedirect = null; }
    else words.push(word);
    word = '';
    inWord = false;
  };
  const endSegment = () => {
    endWord();
    if (pendingRedirect) { redirs.push(pendingRedirect); pendingRedirect = null; }
    if (words.length > 0 || redirs.length > 0) { segments.push(words); redirects.push(redirs); }
    words = [];
    redirs = [];
  };

  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r') { endWord(); continue; }
    if (c === '\n') { endSegment(); continue; }
    if (c === '#' && !inWord) { const nl = s.indexOf('\n', i); if (nl < 0) break; i = nl - 1; continue; }
    if (c === '\\') { if (i + 1 < s.length && s[i + 1] !== '\n') word += s[i + 1]; i++; inWord = true; continue; }
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      word += end < 0 ? s.slice(i + 1) : s.slice(i + 1, end);
      inWord = true;
      if (end < 0) break;
      i = end;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1])) { word += s[++j]; continue; }
        if (s[j] === '$' && s[j + 1] === '(') {
          const end = matchClose(s, j + 2, '(', ')');
          if (end > 0) { subcommands.push(s.slice(j + 2, end)); word += s.slice(j, end + 1); j = end; continue; }
        }
        if (s[j] === '`') {
          const end = s.indexOf('`', j + 1);
          if (end > 0) { subcommands.push(s.slice(j + 1, end)); word += s.slice(j, end + 1); j = end; continue; }
        }
        word += s[j];
      }
      inWord = true;
      i = j;
      continue;
    }
    if (c === '$' && s[i + 1] === '(') {
      const end = matchClose(s, i + 2, '(', ')');
      if (end > 0) { subcommands.push(s.slice(i + 2, end)); word += s.slice(i, end + 1); inWord = true; i = end; continue; }
    }
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > 0) { subcommands.push(s.slice(i + 1, end)); word += s.slice(i, end + 1); inWord = true; i = end; continue; }
    }
    // Redirections: [n]>, [n]>>, [n]>&m, &>, &>>, <, <<, <<<.
    const rest = s.slice(i, i + 8);
    const redir = /^(&>>?|>&|>>?\|?|<<<|<<-?|<>|<&|<)/.exec(rest);
    if (redir) {
      let fd: string;
      if (inWord && /^\d+$/.test(word) && !pendingRedirect) { fd = word; word = ''; inWord = false; }
      else { endWord(); fd = redir[1].startsWith('&') ? '&' : redir[1].startsWith('<') ? '0' : '1'; }
      i += redir[1].length - 1;
      const dup = /^(\d+|-)/.exec(s.slice(i + 1));
      if ((redir[1] === '>&' || redir[1] === '<&') && dup) {
        redirs.push({ op: redir[1], fd, target: '&' + dup[1] });
        i += dup[1].length;
      } else {
        pendingRedirect = { op: redir[1], fd, target: null };
      }
      continue;
    }
    if (c === ';' || c === '|' || c === '&' || c === '(' || c === ')') {
      endSegment();
      if ((c === '|' || c === '&' || c === ';') && s[i + 1] === c) i++;
      continue;
    }
    word += c;
    inWord = true;
  }
  endSegment();
  return { segments, redirects, subcommands };
}

export interface CommandFacts {
  /** Programs started via a path (resolved when possible). */
  programs: string[];
  /** Scripts handed to an interpreter or sourced (resolved when possible). */
  scripts: string[];
  /** Working directories entered with cd. */
  dirs: string[];
  /** Other absolute paths named as arguments. */
  paths: string[];
  /** Basenames of every program and script started. */
  names: string[];
  /** stdout and stderr both go to /dev/null somewhere in the line. */
  discardsOutput: boolean;
  /** Interpreters that read a script from a pipe (`... | sh`). */
  pipedInterpreters: string[];
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'fish', 'csh', 'tcsh', 'busybox']);
const INTERPRETER = /^(sh|bash|dash|zsh|ksh|ash|mksh|csh|tcsh|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|node|nodejs|lua[0-9.]*|tclsh)$/;
const PREFIXES = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'time', 'exec', 'nohup',
  'setsid', 'command', 'builtin', 'chronic', 'torsocks', 'proxychains', 'proxychains4', 'xargs', 'stdbuf', 'nocache']);
/** Wrappers that take options before the real program, with the options that consume a value. */
const WITH_OPTIONS: Record<string, RegExp> = {
  sudo: /^-[ugCDhpRrTtU]$/, doas: /^-[uC]$/, env: /^-[uCS]$/, nice: /^-n$/, ionice: /^-[cnp]$/, timeout: /^-[sk]$/,
  flock: /^-[wE]$/, runuser: /^-[ugs]$/, su: /^-[gs]$/, chrt: /^-[p]$/, taskset: /^-[c]$/, cpulimit: /^-[lp]$/,
  unbuffer: /^$/, daemonize: /^-[cpuaeo]$/, 'start-stop-daemon': /^-[pudcNkKrgs]$/,
};
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export function isInterpreter(name: string): boolean { return INTERPRETER.test(name); }

function expandHome(word: string, home: string | null): string {
  if (!home) return word;
  return word.replace(/^~(?=\/|$)/, home).replace(/\$\{HOME\}|\$HOME\b/g, home);
}

function resolvePath(word: string, cwd: string | null): string | null {
  if (word.includes('$') || word.includes('`')) return null;
  if (word.startsWith('/')) return path.posix.normalize(word);
  if (!cwd || !word) return null;
  return path.posix.join(cwd, word);
}

/** Skip wrapper words (nohup, sudo -u x, timeout 10, env A=b ...) and return the index of the real program. */
function programIndex(words: string[]): number {
  let i = 0;
  while (i < words.length) {
    const w = words[i];
    if (ASSIGNMENT.test(w) || PREFIXES.has(w) || /^-/.test(w) && i > 0) { i++; continue; }
    const base = path.posix.basename(w);
    const takesValue = WITH_OPTIONS[base];
    if (takesValue) {
      i++;
      while (i < words.length && (/^-/.test(words[i]) || ASSIGNMENT.test(words[i]))) {
        if (words[i] === '--') { i++; break; }
        i += takesValue.test(words[i]) ? 2 : 1;
      }
      if (base === 'timeout' && i < words.length && /^\d+(\.\d+)?[smhd]?$/.test(words[i])) i++;    // the duration
      if (base === 'nice' && i < words.length && /^-?\d+$/.test(words[i])) i++;
      if (base === 'flock' && i < words.length && i + 1 < words.length) i++;                        // the lock file
      if ((base === 'su' || base === 'runuser') && i < words.length && !words[i].startsWith('-')) i++; // the user
      continue;
    }
    return i;
  }
  return words.length;
}

/**
 * Facts about a command line. `cwd` is where it starts (a crontab runs in its owner's home),
 * `home` expands ~ and $HOME.
 */
export function analyseCommand(command: string, opts: { cwd?: string | null; home?: string | null } = {}, depth = 0): CommandFacts {
  const facts: CommandFacts = { programs: [], scripts: [], dirs: [], paths: [], names: [], discardsOutput: false, pipedInterpreters: [] };
  const home = opts.home ?? null;
  let cwd = opts.cwd ?? null;
  const { segments, redirects, subcommands } = lex(command);
  const nested: string[] = [...subcommands];

  segments.forEach((rawWords, si) => {
    const words = rawWords.map((w) => expandHome(w, home));
    let outNull = false;
    let errNull = false;
    for (const r of redirects[si]) {
      const toNull = r.target === '/dev/null';
      if (r.op.startsWith('&>') && toNull) { outNull = errNull = true; continue; }
      if (r.op.startsWith('>') || r.op === '>&') {
        if (r.fd === '1' && toNull) outNull = true;
        else if (r.fd === '2' && toNull) errNull = true;
        else if (r.fd === '2' && r.target === '&1') errNull = outNull;
        else if (r.fd === '1' && r.target === '&2') outNull = errNull;
        if (r.target && r.target.startsWith('/') && !r.target.startsWith('/dev/')) facts.paths.push(path.posix.normalize(r.target));
      }
    }
    if (outNull && errNull) facts.discardsOutput = true;

    const pi = programIndex(words);
    if (pi >= words.length) return;
    const prog = words[pi];
    const args = words.slice(pi + 1);
    const base = path.posix.basename(prog);
    if (prog.includes('$(') || prog.includes('`')) return;

    for (const a of args) {
      const eq = a.indexOf('=/');
      const p = a.startsWith('/') ? a : eq > 0 ? a.slice(eq + 1) : null;
      if (p && !p.startsWith('/dev/') && !p.includes('$') && !/[*?]/.test(p)) facts.paths.push(path.posix.normalize(p.split(':')[0]));
    }

    if (base === 'cd') {
      const target = args[0] === undefined ? home : resolvePath(args[0], cwd);
      cwd = target;
      if (target) facts.dirs.push(target);
      return;
    }
    if (base === '.' || base === 'source') {
      if (args[0]) { const r = resolvePath(args[0], cwd); facts.scripts.push(r ?? args[0]); facts.names.push(path.posix.basename(args[0])); }
      return;
    }
    if (base === 'eval') { nested.push(args.join(' ')); return; }
    if (base === '[' || base === '[[' || base === 'test' || base === 'fi' || base === 'done' || base === 'esac') return;

    if (prog.includes('/')) { const r = resolvePath(prog, cwd); if (r) facts.programs.push(r); }
    facts.names.push(base);

    if (isInterpreter(base) || (base === 'busybox' && args[0] && SHELLS.has(args[0]))) {
      const list = base === 'busybox' ? args.slice(1) : args;
      const c = list.indexOf('-c');
      if (c >= 0) {
        if (SHELLS.has(base) || base === 'busybox') { if (list[c + 1]) nested.push(list[c + 1]); }
        return;
      }
      if (list.some((a) => a === '-e' || a === '-r' || a === '-E')) return;   // inline code (perl -e, php -r)
      const script = list.find((a) => !a.startsWith('-'));
      if (script) {
        const r = resolvePath(script, cwd);
        facts.scripts.push(r ?? script);
        facts.names.push(path.posix.basename(script));
      } else if (si > 0) {
        facts.pipedInterpreters.push(base);
      }
    }
  });

  if (depth < MAX_DEPTH) {
    for (const sub of nested) {
      const f = analyseCommand(sub, { cwd, home }, depth + 1);
      facts.programs.push(...f.programs);
      facts.scripts.push(...f.scripts);
      facts.dirs.push(...f.dirs);
      facts.paths.push(...f.paths);
      facts.names.push(...f.names);
      facts.pipedInterpreters.push(...f.pipedInterpreters);
      facts.discardsOutput ||= f.discardsOutput;
    }
  }
  return facts;
}
