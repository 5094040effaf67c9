// Terminal input → key presses. A terminal hands a program bytes, not keys: a burst such as `jjjjj`,
// a paste, or `/1` + Enter typed quickly arrives as one chunk, and Ink 6.8 passes a run of plain text
// to its handlers as one string (it only cuts escape sequences apart). This module cuts any chunk
// into single keys, names the escape sequences Ink does not report (F1-F12, Insert, Delete, and the
// xterm, VT220, rxvt and Linux-console spellings of arrows, Home/End and PgUp/PgDn), and never drops
// a key: what it cannot name comes back as an unknown key, so the dashboard can say so.

/** One key press. `name` is what the key table binds ('j', 'enter', 'f9', 'ctrl+c', 'up'...);
 *  `text` is the character it types into a prompt ('' for keys that type nothing). */
export interface KeyPress {
  name: string;
  text: string;
}

const ESC = '\u001B';

/** Final byte of `ESC [ ... X` / `ESC O X` sequences without a number. */
const LETTER_KEYS: Record<string, string> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', E: 'begin', Z: 'shift+tab',
  P: 'f1', Q: 'f2', R: 'f3', S: 'f4',
};

/** `ESC [ N ~`: VT220 / xterm numbered keys. */
const TILDE_KEYS: Record<number, string> = {
  1: 'home', 2: 'insert', 3: 'delete', 4: 'end', 5: 'pageup', 6: 'pagedown', 7: 'home', 8: 'end',
  11: 'f1', 12: 'f2', 13: 'f3', 14: 'f4', 15: 'f5', 17: 'f6', 18: 'f7', 19: 'f8', 20: 'f9', 21: 'f10',
  23: 'f11', 24: 'f12',
};

/** `ESC [ [ A` .. `ESC [ [ E`: the Linux console's F1-F5. */
const CONSOLE_F: Record<string, string> = { A: 'f1', B: 'f2', C: 'f3', D: 'f4', E: 'f5' };

function key(name: string, text = ''): KeyPress {
  return { name, text };
}

function controlKey(ch: string): KeyPress {
  const code = ch.charCodeAt(0);
  if (ch === '\r' || ch === '\n') return key('enter');
  if (ch === '\t') return key('tab');
  if (ch === '\u007F' || ch === '\b') return key('backspace');
  if (code === 0) return key('ctrl+space');
  if (code >= 1 && code <= 26) return key(`ctrl+${String.fromCharCode(code + 96)}`);
  return key(`ctrl+${String.fromCharCode(code + 64).toLowerCase()}`); // 0x1c-0x1f: ctrl+\ ] ^ _
}

/** Parse one escape sequence starting at `i` (input[i] === ESC). Returns the key and the index after it. */
function escapeAt(input: string, i: number): [KeyPress, number] {
  const next = input[i + 1];
  if (next === undefined) return [key('escape'), i + 1];
  if (next === '[') {
    if (input[i + 2] === '[' && input[i + 3] !== undefined) { // Linux console F1-F5
      return [key(CONSOLE_F[input[i + 3]] ?? 'unknown'), i + 4];
    }
    if (input[i + 2] === 'M') return [key('mouse'), Math.min(input.length, i + 6)]; // X10 mouse report: ESC [ M b x y
    let j = i + 2;
    while (j < input.length && /[\x20-\x3f]/.test(input[j])) j++; // parameter and intermediate bytes
    if (j >= input.length) return [key('unknown'), j]; // cut short: never guess
    const final = input[j];
    const params = input.slice(i + 2, j);
    const end = j + 1;
    if (params.startsWith('<')) return [key('mouse'), end]; // SGR mouse report
    if (params === '200' && final === '~') return [key('paste-start'), end];
    if (params === '201' && final === '~') return [key('paste-end'), end];
    if (final === '~') {
      const n = Number(params.split(';')[0]);
      return [key(TILDE_KEYS[n] ?? 'unknown'), end];
    }
    // rxvt: ESC [ 2 $ / ESC [ a (shifted arrows) and friends are left unknown; modifiers (1;5A) keep the base key.
    return [key(LETTER_KEYS[final] ?? 'unknown'), end];
  }
  if (next === 'O') {
    const final = input[i + 2];
    if (final === undefined) return [key('meta+O', ''), i + 2];
    return [key(LETTER_KEYS[final] ?? 'unknown'), i + 3];
  }
  if (next === ESC) return [key('escape'), i + 1]; // ESC ESC: the first is a plain Escape
  // Alt+key: ESC followed by a character.
  const cp = input.codePointAt(i + 1)!;
  const ch = String.fromCodePoint(cp);
  return [key(`meta+${ch}`), i + 1 + ch.length];
}

/** Cut a chunk of terminal input into key presses, in order, none lost. */
export function splitKeys(input: string): KeyPress[] {
  const out: KeyPress[] = [];
  let pasting = false;
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch === ESC) {
      const [k, next] = escapeAt(input, i);
      i = next;
      if (k.name === 'paste-start') { pasting = true; continue; }
      if (k.name === 'paste-end') { pasting = false; continue; }
      if (k.name === 'mouse') continue; // not asked for; never a key
      out.push(k);
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7F) {
      if (ch === '\r' && input[i + 1] === '\n') i++; // CR LF is one Enter
      // Inside a bracketed paste a newline is text, not a command.
      if (pasting && (ch === '\r' || ch === '\n' || ch === '\t')) { out.push(key(ch === '\t' ? 'tab' : 'space', ' ')); i++; continue; }
      out.push(controlKey(ch));
      i++;
      continue;
    }
    const cp = input.codePointAt(i)!;
    const char = String.fromCodePoint(cp);
    out.push(char === ' ' ? key('space', ' ') : key(char, char));
    i += char.length;
  }
  return out;
}

/** How a key is written for a person: 'F9', 'Ctrl+X', 'e'. */
export function keyLabel(name: string): string {
  if (/^f\d+$/.test(name)) return name.toUpperCase();
  if (name.startsWith('ctrl+')) return `Ctrl+${name.slice(5).toUpperCase()}`;
  if (name.startsWith('meta+')) return `Alt+${name.slice(5)}`;
  if (name.length === 1) return name;
  return name.charAt(0).toUpperCase() + name.slice(1);
}
