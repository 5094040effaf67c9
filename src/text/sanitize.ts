// Every string that comes from a process (name, cmdline, paths, environment, file contents) is hostile:
// a process can put ESC, CSI, OSC or raw C0/C1 bytes in its own name. Before any string reaches a
// terminal or a report it goes through here, so control characters become visible escapes and can
// never recolour rows, move the cursor or clear the screen.

// C0 controls, DEL, C1 controls, and Unicode line/paragraph separators and bidi overrides,
// which can reorder what a reader sees.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  switch (ch) {
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    case '\u001b': return '\\x1b';
    default: {
      const code = ch.codePointAt(0)!;
      return code <= 0xff ? '\\x' + code.toString(16).padStart(2, '0') : '\\u' + code.toString(16).padStart(4, '0');
    }
  }
}

/** Make control characters visible: "a\x1b[2Jb" becomes the 10 printable characters a\x1b[2Jb. */
export function sanitize(text: string): string {
  CONTROL.lastIndex = 0;
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROL, escapeChar);
}

/** Sanitize, then cut to at most `max` characters with an ellipsis. */
export function clip(text: string, max: number): string {
  const clean = sanitize(text);
  if (max <= 0) return '';
  return clean.length <= max ? clean : clean.slice(0, Math.max(0, max - 1)) + '…';
}

/** A command line shown as one string, each argument sanitized; arguments with spaces are quoted. */
export function formatCmdline(argv: readonly string[]): string {
  return argv.map((a) => (a === '' || /\s/.test(a) ? '"' + sanitize(a) + '"' : sanitize(a))).join(' ');
}
