// Terminal screen -> SVG -> PNG, for README screenshots and visual checks.
// screenToSvg walks the @xterm/headless buffer cell by cell (palette 16/256/RGB, bold, dim, italic,
// underline, inverse; box-drawing lines as strokes) and is deterministic: the same screen gives the
// same SVG bytes (no ids, no dates, fixed number formatting). svgToPng renders with @resvg/resvg-js using DejaVu Sans Mono from
// /usr/share/fonts when present, the system fonts otherwise.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { IBufferCell, Terminal } from '@xterm/headless';

const require = createRequire(import.meta.url);

export interface Theme {
  foreground: string;
  background: string;
  /** 16 ANSI colours: 0-7 normal, 8-15 bright. */
  ansi: readonly string[];
}

/** xterm.js's default (Tango) ANSI colours on a dark background. */
export const DEFAULT_THEME: Theme = {
  foreground: '#d3d7cf',
  background: '#1c1c1c',
  ansi: [
    '#2e3436', '#cc0000', '#4e9a06', '#c4a000', '#3465a4', '#75507b', '#06989a', '#d3d7cf',
    '#555753', '#ef2929', '#8ae234', '#fce94f', '#729fcf', '#ad7fa8', '#34e2e2', '#eeeeec',
  ],
};

export interface SvgOptions {
  title?: string;
  theme?: Theme;
  fontSize?: number;
  /** Draw the window frame and title bar (default true). */
  frame?: boolean;
}

export const FONT_FAMILY = "'DejaVu Sans Mono', monospace";
/** DejaVu Sans Mono advance width is 1233/2048 em. */
const ADVANCE = 1233 / 2048;

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

export function palette256(index: number, theme: Theme = DEFAULT_THEME): string {
  if (index < 16) return theme.ansi[index] ?? theme.foreground;
  if (index < 232) {
    const i = index - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return '#' + hex2(level(Math.floor(i / 36))) + hex2(level(Math.floor(i / 6) % 6)) + hex2(level(i % 6));
  }
  const g = 8 + (index - 232) * 10;
  return '#' + hex2(g) + hex2(g) + hex2(g);
}

interface Style {
  fg: string;
  bg: string | null; // null: the default background, not drawn
  bold: boolean;
  italic: boolean;
  dim: boolean;
  underline: boolean;
}

function cellStyle(c: IBufferCell, theme: Theme): Style {
  let fg = c.isFgDefault() ? theme.foreground : c.isFgRGB() ? '#' + c.getFgColor().toString(16).padStart(6, '0') : palette256(c.getFgColor(), theme);
  let bg: string | null = c.isBgDefault() ? null : c.isBgRGB() ? '#' + c.getBgColor().toString(16).padStart(6, '0') : palette256(c.getBgColor(), theme);
  if (c.isInverse()) {
    const f = fg;
    fg = bg ?? theme.background;
    bg = f;
  }
  return { fg, bg, bold: c.isBold() !== 0, italic: c.isItalic() !== 0, dim: c.isDim() !== 0, underline: c.isUnderline() !== 0 };
}

const sameText = (a: Style, b: Style) => a.fg === b.fg && a.bold === b.bold && a.italic === b.italic && a.dim === b.dim && a.underline === b.underline;

/** Escape for XML text/attributes; characters XML cannot carry become U+FFFD. */
export function xmlEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if ((cp < 0x20 && cp !== 0x09) || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff) out += '\ufffd';
    else out += ch;
  }
  return out;
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

export interface Layout { cw: number; lh: number; fontSize: number; ox: number; oy: number; width: number; height: number; frame: boolean; titleH: number; baseline: number }

/** Geometry of the SVG for a cols x rows screen: cell (x, y) starts at (ox + x*cw, oy + y*lh). */
export function layout(cols: number, rows: number, opts: SvgOptions = {}): Layout {
  const fontSize = opts.fontSize ?? 14;
  const cw = fontSize * ADVANCE;
  const lh = Math.round(fontSize * 1.25);
  const frame = opts.frame ?? true;
  const pad = frame ? 12 : 0;
  const titleH = frame ? 28 : 0;
  return {
    cw, lh, fontSize, frame, titleH, ox: pad, oy: pad + titleH, baseline: Math.round(fontSize * 0.95),
    width: Math.ceil(cols * cw + pad * 2), height: Math.ceil(rows * lh + pad * 2 + titleH),
  };
}

/**
 * Box-drawing characters drawn as strokes rather than glyphs: a font's glyph does not fill a line
 * height of 1.25 em, so tree lines and dialog borders would show gaps between rows. Arms: U(p),
 * D(own), L(eft), R(ight); `r` rounds the corner, `h` is heavy. Anything else stays text.
 */
const BOX: Record<string, { arms: string; round?: boolean; heavy?: boolean }> = {
  '─': { arms: 'LR' }, '│': { arms: 'UD' }, '┌': { arms: 'RD' }, '┐': { arms: 'LD' }, '└': { arms: 'UR' }, '┘': { arms: 'UL' },
  '├': { arms: 'UDR' }, '┤': { arms: 'UDL' }, '┬': { arms: 'LRD' }, '┴': { arms: 'LRU' }, '┼': { arms: 'UDLR' },
  '╭': { arms: 'RD', round: true }, '╮': { arms: 'LD', round: true }, '╯': { arms: 'UL', round: true }, '╰': { arms: 'UR', round: true },
  '╴': { arms: 'L' }, '╵': { arms: 'U' }, '╶': { arms: 'R' }, '╷': { arms: 'D' },
  '━': { arms: 'LR', heavy: true }, '┃': { arms: 'UD', heavy: true }, '┏': { arms: 'RD', heavy: true }, '┓': { arms: 'LD', heavy: true },
  '┗': { arms: 'UR', heavy: true }, '┛': { arms: 'UL', heavy: true }, '┣': { arms: 'UDR', heavy: true }, '┫': { arms: 'UDL', heavy: true },
  '┳': { arms: 'LRD', heavy: true }, '┻': { arms: 'LRU', heavy: true }, '╋': { arms: 'UDLR', heavy: true },
};

/** a*alpha + b*(1-alpha), for #rrggbb colours. */
function blend(a: string, b: string, alpha: number): string {
  const c = (s: string, i: number) => parseInt(s.slice(1 + i * 2, 3 + i * 2), 16);
  return '#' + [0, 1, 2].map((i) => hex2(Math.round(c(a, i) * alpha + c(b, i) * (1 - alpha)))).join('');
}

/** Symbols DejaVu lacks that the dashboard uses (the pane's ⏳ status), drawn as filled shapes. */
function symbolPath(ch: string, x: number, y: number, cw: number, lh: number): string | null {
  if (ch !== '⏳' && ch !== '⌛') return null;
  const l = num(x + cw * 0.15);
  const r = num(x + cw * 0.85);
  const t = num(y + lh * 0.2);
  const b = num(y + lh * 0.85);
  const cx = num(x + cw / 2);
  const cy = num(y + lh * 0.525);
  return `M${l} ${t}H${r}L${cx} ${cy}L${r} ${b}H${l}L${cx} ${cy}Z`;
}

function boxPath(ch: string, x: number, y: number, cw: number, lh: number): { d: string; heavy: boolean } | null {
  const b = BOX[ch];
  if (!b) return null;
  // Centres on a pixel centre, so that a 1 px line is crisp rather than two half-lit rows.
  const cx = Math.floor(x + cw / 2) + 0.5;
  const cy = Math.floor(y + lh / 2) + 0.5;
  const end: Record<string, [number, number]> = { U: [cx, y], D: [cx, y + lh], L: [x, cy], R: [x + cw, cy] };
  const p = (xy: [number, number]) => `${num(xy[0])} ${num(xy[1])}`;
  if (b.round) {
    const [a, c] = [...b.arms];
    return { d: `M${p(end[a])}Q${p([cx, cy])} ${p(end[c])}`, heavy: false };
  }
  return { d: [...b.arms].map((a) => `M${p([cx, cy])}L${p(end[a])}`).join(''), heavy: b.heavy === true };
}

export function screenToSvg(term: Terminal, opts: SvgOptions = {}): string {
  const theme = opts.theme ?? DEFAULT_THEME;
  const cols = term.cols;
  const rows = term.rows;
  const { cw, lh, fontSize, frame, titleH, ox, oy, width, height, baseline } = layout(cols, rows, opts);

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`);
  if (frame) {
    out.push(`<rect x="0" y="0" width="${width}" height="${height}" rx="8" ry="8" fill="${theme.background}"/>`);
    out.push(`<rect x="0" y="0" width="${width}" height="${titleH}" rx="8" ry="8" fill="#3a3a3a"/>`);
    out.push(`<rect x="0" y="${titleH - 8}" width="${width}" height="8" fill="#3a3a3a"/>`);
    ['#ff5f56', '#ffbd2e', '#27c93f'].forEach((c, i) => out.push(`<circle cx="${18 + i * 20}" cy="${titleH / 2}" r="6" fill="${c}"/>`));
    if (opts.title) {
      const room = Math.max(0, Math.floor((width - 160) / (13 * ADVANCE)));
      const title = [...opts.title].length > room ? [...opts.title].slice(0, Math.max(0, room - 1)).join('') + '…' : opts.title;
      out.push(`<text x="${num(width / 2)}" y="${titleH / 2 + 5}" fill="#d0d0d0" font-family="${FONT_FAMILY}" font-size="13" text-anchor="middle">${xmlEscape(title)}</text>`);
    }
  } else {
    out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="${theme.background}"/>`);
  }

  const buf = term.buffer.active;
  const bgs: string[] = [];
  const texts: string[] = [];
  const strokes: string[] = [];
  const shapes: string[] = [];
  const stroke = Math.max(1, Math.round(fontSize * 0.07));
  let cell: IBufferCell | undefined;
  for (let y = 0; y < rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    if (!line) continue;
    const top = oy + y * lh;
    // Background runs.
    let runBg: string | null = null;
    let runStart = 0;
    const endBg = (x: number) => {
      if (runBg !== null && x > runStart) {
        bgs.push(`<rect x="${num(ox + runStart * cw)}" y="${top}" width="${num((x - runStart) * cw)}" height="${lh}" fill="${runBg}"/>`);
      }
    };
    // Text runs: same style, narrow ASCII only; any other character is placed on its own so that a
    // glyph from a fallback font cannot shift the rest of the row.
    let run = '';
    let runX = 0;
    let runStyle: Style | null = null;
    const endText = () => {
      if (runStyle && run.trim() !== '') {
        const s = runStyle;
        const attrs = [
          `x="${num(ox + runX * cw)}"`, `y="${top + baseline}"`, `fill="${s.fg}"`,
          s.bold ? 'font-weight="bold"' : '', s.italic ? 'font-style="italic"' : '',
          s.dim ? 'fill-opacity="0.6"' : '', s.underline ? 'text-decoration="underline"' : '',
        ].filter(Boolean).join(' ');
        texts.push(`<text ${attrs}>${xmlEscape(run)}</text>`);
      }
      run = '';
      runStyle = null;
    };
    for (let x = 0; x < cols; x++) {
      cell = line.getCell(x, cell);
      if (!cell) break;
      const w = cell.getWidth();
      if (w === 0) continue; // right half of a wide character
      const st = cellStyle(cell, theme);
      if (st.bg !== runBg) { endBg(x); runBg = st.bg; runStart = x; }
      const ch = cell.getChars() || ' ';
      const box = w === 1 ? boxPath(ch, ox + x * cw, top, cw, lh) : null;
      if (box) {
        endText();
        const width = num(box.heavy ? stroke * 2 + 1 : stroke);
        // Dim as a solid blend, not an opacity: neighbouring cells' strokes overlap at their ends.
        const colour = st.dim ? blend(st.fg, st.bg ?? theme.background, 0.6) : st.fg;
        strokes.push(`<path d="${box.d}" stroke="${colour}" stroke-width="${width}"/>`);
        continue;
      }
      const shape = symbolPath(ch, ox + x * cw, top, cw * w, lh);
      if (shape) {
        endText();
        shapes.push(`<path d="${shape}" fill="${st.fg}"${st.dim ? ' fill-opacity="0.6"' : ''}/>`);
        continue;
      }
      const simple = w === 1 && /^[\x20-\x7e]$/.test(ch);
      if (!simple || !runStyle || !sameText(runStyle, st)) endText();
      if (!runStyle) { runStyle = st; runX = x; }
      run += ch;
      if (!simple) endText();
    }
    endBg(cols);
    endText();
  }
  out.push(...bgs);
  if (strokes.length) out.push('<g fill="none" stroke-linecap="square">', ...strokes, '</g>');
  out.push(...shapes);
  out.push(`<g font-family="${FONT_FAMILY}" font-size="${fontSize}" xml:space="preserve">`);
  out.push(...texts);
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/usr/share/fonts/TTF'];
const FONT_NAMES = ['DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf', 'DejaVuSansMono-Oblique.ttf', 'DejaVuSansMono-BoldOblique.ttf', 'DejaVuSans.ttf'];

/** DejaVu font files found on this machine (empty when none). */
export function dejaVuFonts(): string[] {
  for (const d of FONT_DIRS) {
    const files = FONT_NAMES.map((n) => `${d}/${n}`).filter((f) => existsSync(f));
    if (files.some((f) => f.endsWith('/DejaVuSansMono.ttf'))) return files;
  }
  return [];
}

export interface Rendered { png: Buffer; width: number; height: number; /** RGBA */ pixels: Buffer }

export function renderSvg(svg: string, opts: { scale?: number } = {}): Rendered {
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const fonts = dejaVuFonts();
  const r = new Resvg(svg, {
    font: fonts.length
      ? { fontFiles: fonts, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans Mono', monospaceFamily: 'DejaVu Sans Mono' }
      : { loadSystemFonts: true, monospaceFamily: 'monospace' },
    fitTo: opts.scale && opts.scale !== 1 ? { mode: 'zoom', value: opts.scale } : { mode: 'original' },
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height, pixels: img.pixels };
}

export function svgToPng(svg: string, opts: { scale?: number } = {}): Buffer {
  return renderSvg(svg, opts).png;
}
