// The help overlay, drawn from the same keybinding tables the input handler dispatches from.
// As many columns as the width allows; scrolls (↑/↓) when the terminal is too short for all of it.
import React from 'react';
import { Box, Text } from 'ink';
import { ALL_BINDINGS, GROUPS } from '../src/app/keymap';
import { useAppStore } from './StoreContext';
import { accent, dim, SEVERITY_GLYPH, UNCHECKED_GLYPH, useTheme } from './theme';
import { padEnd } from './format';

interface Line { key: string; text: string; kind: 'group' | 'key' | 'note' }

export function helpLines(): Line[] {
  const lines: Line[] = [];
  for (const g of GROUPS) {
    lines.push({ key: `g${g}`, text: g, kind: 'group' });
    for (const b of ALL_BINDINGS.filter((x) => x.group === g)) lines.push({ key: `${g}${b.label}`, text: `  ${padEnd(b.label, 8)} ${b.help}`, kind: 'key' });
  }
  lines.push({ key: 'legend', text: `Severity: ${SEVERITY_GLYPH.critical} critical  ${SEVERITY_GLYPH.high} high  ${SEVERITY_GLYPH.medium} medium  ${SEVERITY_GLYPH.low} low  ${UNCHECKED_GLYPH} not fully checked`, kind: 'note' });
  lines.push({ key: 'why', text: 'The "why" line under a process names the rules it trips.', kind: 'note' });
  return lines;
}

/** Lay groups into columns of `perCol` lines without splitting a group (a group taller than a column is split). */
export function columnsOf(lines: Line[], perCol: number): Line[][] {
  const groups: Line[][] = [];
  for (const l of lines) {
    if (l.kind === 'group' || groups.length === 0 || (l.kind === 'note' && groups[groups.length - 1][0].kind !== 'note')) groups.push([l]);
    else groups[groups.length - 1].push(l);
  }
  const cols: Line[][] = [[]];
  for (const g of groups) {
    const cur = cols[cols.length - 1];
    if (cur.length > 0 && cur.length + g.length > perCol) cols.push([]);
    for (const l of g) {
      if (cols[cols.length - 1].length >= perCol) cols.push([]);
      cols[cols.length - 1].push(l);
    }
  }
  return cols;
}

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const scroll = useAppStore((s) => s.helpScroll);
  const perCol = Math.max(1, height - 1);
  const columns = Math.max(1, Math.floor(width / 44));
  const all = columnsOf(helpLines(), perCol);
  const fits = all.length <= columns;
  const start = fits ? 0 : Math.min(scroll, all.length - columns);
  const shown = all.slice(start, start + columns);
  const colWidth = Math.floor(width / columns);
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
