// Writes only the lines that changed between two frames of Ink's standard (non-incremental) renderer.
// Swapped into ink@6.8.0/build/log-update.js by scripts/build.mjs. Ink erases and rewrites every line
// of the frame each time (a 120x40 dashboard sends ~3.4 KB a second, most of it unchanged); this moves
// the cursor to the frame's first line and rewrites only the lines that differ, leaving the cursor where
// Ink's own write would have left it (the line after the frame), so Ink's bookkeeping stays true.
// Whenever the two frames cannot be lined up (first frame, a different line count, a full-screen frame
// without its trailing newline, or the terminal resized since the last frame), it returns null and Ink
// redraws in full.

interface Sized { columns?: number; rows?: number }

const lastSize = new WeakMap<object, string>();

export function changedLinesOnly(stream: Sized & object, before: string, str: string, lines: string[], previousLineCount: number): string | null {
  const size = `${stream.columns}x${stream.rows}`;
  const resized = lastSize.get(stream) !== size;
  lastSize.set(stream, size);
  if (resized || !before || !str.endsWith('\n') || !before.endsWith('\n')) return null;
  const old = before.split('\n');
  const n = lines.length;
  if (old.length !== n || n !== previousLineCount || n < 2) return null;
  // from the line after the frame up to its first line, column 0
  let out = n > 1 ? `\x1b[${n - 1}A\r` : '\r';
  let skipped = 0;
  for (let i = 0; i < n - 1; i++) {
    if (old[i] === lines[i]) { skipped++; continue; }
    if (skipped) { out += `\x1b[${skipped}B`; skipped = 0; }
    // erase the whole line first: writing up to the last column leaves the cursor in the pending-wrap
    // state, where an erase-to-end would take the last character with it
    out += `\x1b[2K${lines[i]}\r\n`;
  }
  if (skipped) out += `\x1b[${skipped}B`;
  return out;
}
