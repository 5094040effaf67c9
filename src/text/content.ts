// Typed text between the engine and its views: a line knows its indentation, its severity and its
// tone, so a view colours it without parsing it, and a text writer (`minewatch inspect`, reports)
// spells the same meaning out in words. Text in a Line is already sanitized by whoever built it.
import type { Severity } from '../model';
import { wrap } from './wrap';

/** How a line reads apart from severity: a section heading, a quiet detail, a warning, a good sign. */
export type Tone = 'plain' | 'heading' | 'dim' | 'warn' | 'good';

export interface Line {
  text: string;
  /** Leading spaces; wrapped continuation lines keep them, plus two. */
  indent: number;
  tone: Tone;
  /** The thing the line is about has this severity (the view colours the label, or the text). */
  severity?: Severity;
  /** A word in front that carries the severity without colour: CRITICAL, HIGH, "!!"... */
  label?: string;
}

/** One part of a view (Identity, Executable, Detection...): the same section in the pane and in the CLI. */
export interface Section {
  id: string;
  lines: Line[];
}

export function line(text: string, opts: Partial<Omit<Line, 'text'>> = {}): Line {
  return { text, indent: opts.indent ?? 0, tone: opts.tone ?? 'plain', ...(opts.severity ? { severity: opts.severity } : {}), ...(opts.label ? { label: opts.label } : {}) };
}

export const heading = (text: string): Line => line(text, { tone: 'heading' });
export const blank = (): Line => line('');

/** The label column is this wide, so labelled lines align in text and on screen alike. */
export const LABEL_WIDTH = 8;

/** A line as plain text: indentation, the label padded to its column, the text. */
export function lineText(l: Line): string {
  const label = l.label !== undefined ? `${l.label.padEnd(LABEL_WIDTH)} ` : '';
  return `${' '.repeat(l.indent)}${label}${l.text}`;
}

export function sectionsToLines(sections: readonly Section[]): Line[] {
  const out: Line[] = [];
  for (const s of sections) {
    if (out.length && s.lines.length) out.push(blank());
    out.push(...s.lines);
  }
  return out;
}

export function toText(lines: readonly Line[]): string[] {
  return lines.map(lineText);
}

/**
 * Wrap lines to `width` cells; a wrapped line continues on lines indented two more, with its tone and
 * severity, and its label only on the first.
 */
export function wrapContent(lines: readonly Line[], width: number): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    const full = lineText(l);
    if (full.length <= width) { out.push(l); continue; }
    const lead = l.indent + (l.label !== undefined ? LABEL_WIDTH + 1 : 0);
    const first = wrap(l.text, Math.max(10, width - lead));
    const rest = first.length > 1 ? wrap(first.slice(1).join(' '), Math.max(10, width - l.indent - 2)) : [];
    out.push({ ...l, text: first[0] ?? '' });
    for (const r of rest) {
      const { label: _drop, ...cont } = l;
      out.push({ ...cont, text: r, indent: l.indent + 2 });
    }
  }
  return out;
}
