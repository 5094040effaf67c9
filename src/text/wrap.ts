// Word-wrapping for terminal text (already sanitized): used by the detail panel and the panes.

/**
 * Wrap to lines of at most `width` cells, breaking at spaces (the spacing inside a line is kept, so
 * aligned columns stay aligned); words longer than a line are split.
 */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  let cur = '';
  for (const [, gap, word] of text.matchAll(/( *)([^ ]+)/g)) {
    let w = word;
    const sep = cur ? gap : '';
    if (cur && cur.length + sep.length + w.length <= width) { cur += sep + w; continue; }
    if (cur) { lines.push(cur); cur = ''; }
    while (w.length > width) { lines.push(w.slice(0, width)); w = w.slice(width); }
    cur = w;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** Wrap each line, keeping its leading indentation on the continuation lines (plus two spaces). */
export function wrapLines(lines: string[], width: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= width) { out.push(line); continue; }
    const indent = /^ */.exec(line)![0];
    const cont = indent + '  ';
    const body = wrap(line.slice(indent.length), Math.max(10, width - cont.length));
    body.forEach((l, i) => out.push((i === 0 ? indent : cont) + l));
  }
  return out;
}
