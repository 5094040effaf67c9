// Semantic styles: every colour has a meaning (severity, selection, dim detail), and every meaning also
// has a glyph or a word, so NO_COLOR and colour-blind users lose nothing. With colour off, only bold,
// inverse and the glyphs remain.
import React, { createContext, useContext } from 'react';
import type { Severity } from '../src/model';

export interface Theme { color: boolean }

export const ThemeContext = createContext<Theme>({ color: true });
export const useTheme = () => useContext(ThemeContext);

/** Glyph in front of a flagged row: readable without colour. */
export const SEVERITY_GLYPH: Record<Severity, string> = { critical: '‼', high: '!', medium: '~', low: '·', none: ' ' };
/** In the glyph column of a process detection could not fully check (and did not flag). */
export const UNCHECKED_GLYPH = '?';
export const SEVERITY_WORD: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', none: '' };

const SEVERITY_COLOR: Record<Severity, string | undefined> = {
  critical: 'red', high: 'redBright', medium: 'yellow', low: 'cyan', none: undefined,
};

export interface TextStyle { color?: string; backgroundColor?: string; bold?: boolean; inverse?: boolean; dimColor?: boolean }

export function severityStyle(theme: Theme, s: Severity): TextStyle {
  return {
    color: theme.color ? SEVERITY_COLOR[s] : undefined,
    bold: s === 'critical' || s === 'high',
  };
}

export function dim(theme: Theme): TextStyle {
  return theme.color ? { dimColor: true } : {};
}

export function accent(theme: Theme): TextStyle {
  return theme.color ? { color: 'cyan', bold: true } : { bold: true };
}

export function ThemeProvider({ theme, children }: { theme: Theme; children: React.ReactNode }) {
  return <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>;
}
