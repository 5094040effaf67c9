// The help overlay, drawn from the same keybinding tables the input handler dispatches from.
// As many columns as the width allows; scrolls (↑/↓) when the terminal is too short for all of it.
import React from 'react';
import { Box, Text } from 'ink';
import { ALL_BINDINGS, GROUPS } from '../src/app/keymap';
import { useAppStore } from './StoreContext';
import { accent, dim, SEVERITY_GLYPH, UNCHECKED_GLYPH, useTheme } from './theme';
import { padEnd } from './format';
import { wrap } from '../src/text/wrap';

interface Line { key: string; text: string; kind: 'group' | 'key' | 'more' | 'note' }

/** Where a key's description starts: two spaces, the key column (8), a space. */
const DESC_AT = 11;

/**
 * The help as lines of at most `width` cells: a description too long for its column goes on under
 * itself (kind 'more'), so nothing is cut off at any width.
 */
export function helpLines(width = 200): Line[] {
  const lines: Line[] = [];
  const descWidth = Math.max(12, width - DESC_AT);
  for (const g of GROUPS) {
    lines.push({ key: `g${g}`, text: g, kind: 'group' });
    for (const b of ALL_BINDINGS.filter((x) => x.group === g)) {
      wrap(b.help, descWidth).forEach((part, i) => lines.push(i === 0
        ? { key: `${g}${b.label}`, text: `  ${padEnd(b.label, 8)} ${part}`, kind: 'key' }
        : { key: `${g}${b.label}+${i}`, text: `${' '.repeat(DESC_AT)}${part}`, kind: 'more' }));
    }
  }
  const notes = [
    `Severity: ${SEVERITY_GLYPH.critical} critical  ${SEVERITY_GLYPH.high} high  ${SEVERITY_GLYPH.medium} medium  ${SEVERITY_GLYPH.low} low  ${UNCHECKED_GLYPH} not fully checked`,
    'The "why" line under a process names the rules it trips.',
  ];
  notes.forEach((n, k) => wrap(n, Math.max(12, width - 2)).forEach((part, i) => lines.push({ key: `note${k}+${i}`, text: i === 0 ? part : `  ${part}`, kind: 'note' })));
  return lines;
}

/**
 * Lay groups into columns of `perCol` lines without splitting a group (a group taller than a column is
 * split, between keys: a description's continuation stays with its key).
 */
export function columnsOf(lines: Line[], perCol: number): Line[][] {
  const groups: Line[][][] = []; // groups of units (a key line with its continuations)
  for (const l of lines) {
    const last = groups[groups.length - 1];
    if (l.kind === 'group' || !last || (l.kind === 'note' && last[0][0].kind !== 'note')) groups.push([[l]]);
    else if (l.kind === 'more') last[last.length - 1].push(l);
    else last.push([l]);
  }
  const cols: Line[][] = [[]];
  for (const g of groups) {
    const size = g.reduce((n, u) => n + u.length, 0);
    if (cols[cols.length - 1].length > 0 && cols[cols.length - 1].length + size > perCol) cols.push([]);
    for (const u of g) {
      if (cols[cols.length - 1].length > 0 && cols[cols.length - 1].length + u.length > perCol) cols.push([]);
      cols[cols.length - 1].push(...u);
    }
  }
  return cols;
}

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const scroll = useAppStore((s) => s.helpScroll);
  const perCol = Math.max(1, height - 1);
  const columns = Math.max(1, Math.floor(width / 44));
  const colWidth = Math.floor(width / columns);
  const all = columnsOf(helpLines(colWidth - 2), perCol);
  const fits = all.length <= columns;
  const start = fits ? 0 : Math.min(scroll, all.length - columns);
  const shown = all.slice(start, start + columns);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text {...accent(theme)} wrap="truncate-end">{`minewatch keys · Esc or ? closes${fits ? '' : ` · ↓↑ more (columns ${start + 1}-${start + shown.length} of ${all.length})`}`}</Text>
      <Box width={width} height={perCol}>
        {shown.map((c, i) => (
          <Box key={start + i} flexDirection="column" width={colWidth} paddingRight={2}>
            {c.map((l) => (
              <Text key={l.key} bold={l.kind === 'group'} {...(l.kind === 'note' ? dim(theme) : {})} wrap="truncate-end">{l.text}</Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
