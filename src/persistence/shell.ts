// A small, forgiving reader of shell command lines (cron commands, ExecStart=, start-up file lines):
// enough to tell which programs a line starts, from where, and whether it throws its output away.
// It never evaluates anything; unknown syntax degrades to "fewer facts", never to an exception.
import * as path from 'node:path';
import { isWrapper, parseLaunch, skipWrappers } from '../model/launch';

interface Redirect { op: string; fd: string; target: string | null }
interface Lexed { segments: string[][]; redirects: Redirect[][]; subcommands: string[]; /** Segments ended by a single `&`. */ background: Set<number> }

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
  const background = new Set<number>();
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
      const before = segments.length;
      endSegment();
      if (c === '&' && s[i + 1] !== '&' && segments.length > before) background.add(segments.length - 1);
      if ((c === '|' || c === '&' || c === ';') && s[i + 1] === c) i++;
      continue;
    }
    word += c;
    inWord = true;
  }
  endSegment();
  return { segments, redirects, subcommands, background };
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
  /** Programs (or scripts) started in the background: `prog &`, or through nohup, setsid, daemonize, disown. */
  background: string[];
}

/** Wrappers that detach what they start from the shell. */
const DETACHING = new Set(['nohup', 'setsid', 'daemonize', 'start-stop-daemon', 'screen', 'tmux']);

/** Shell keywords that come before a command. Wrapper programs (nohup, env, sudo...) are the launch model's. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'builtin']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

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

/** What a backgrounded command runs, for display and linking: the script of an interpreter, else the program. */
function launchTarget(prog: string, words: string[], cwd: string | null): string | null {
  const l = parseLaunch({ argv: words, exe: null, cwd });
  if (l.family !== null) return l.mode === 'script' && l.asGiven ? resolvePath(l.asGiven, l.resolvedAgainst ?? cwd) ?? l.asGiven : null;
  return prog.includes('/') ? resolvePath(prog, cwd) ?? prog : prog;
}

/** Skip keywords, assignments and wrapper words (nohup, sudo -u x, timeout 10, env A=b ...): the index of the real program. */
function programIndex(words: string[]): number {
  let i = 0;
  while (i < words.length) {
    const w = words[i];
    if (ASSIGNMENT.test(w) || KEYWORDS.has(w)) { i++; continue; }
    if (isWrapper(w)) { i = skipWrappers(words, i); continue; }
    return i;
  }
  return words.length;
}

/**
 * Facts about a command line. `cwd` is where it starts (a crontab runs in its owner's home),
 * `home` expands ~ and $HOME.
 */
export function analyseCommand(command: string, opts: { cwd?: string | null; home?: string | null } = {}, depth = 0): CommandFacts {
  const facts: CommandFacts = { programs: [], scripts: [], dirs: [], paths: [], names: [], discardsOutput: false, pipedInterpreters: [], background: [] };
  const home = opts.home ?? null;
  let cwd = opts.cwd ?? null;
  const { segments, redirects, subcommands, background } = lex(command);
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
    const detached = background.has(si) || words.slice(0, pi).some((w) => DETACHING.has(path.posix.basename(w)));
    if (detached && !['disown', 'wait', 'true', ':'].includes(base)) {
      const bg = launchTarget(prog, words.slice(pi), cwd);
      if (bg) facts.background.push(bg);
    }

    // What an interpreter runs: the one launch model (src/model/launch.ts).
    const launch = parseLaunch({ argv: words.slice(pi), exe: null, cwd });
    if (launch.family !== null) {
      if (launch.mode === 'inline') {
        if (launch.family === 'shell' && launch.inline) nested.push(launch.inline);
        return;
      }
      if (launch.mode === 'script' && launch.asGiven) {
        const script = launch.asGiven;
        facts.scripts.push(resolvePath(script, launch.resolvedAgainst ?? cwd) ?? script);
        facts.names.push(path.posix.basename(script));
      } else if ((launch.mode === 'interactive' || launch.mode === 'stdin') && si > 0) {
        facts.pipedInterpreters.push(launch.interpreter ?? base);
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
      facts.background.push(...f.background);
      facts.discardsOutput ||= f.discardsOutput;
    }
  }
  return facts;
}
