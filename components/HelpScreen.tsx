// The help overlay, drawn from the same keybinding tables the input handler dispatches from.
// As many columns as the width allows; scrolls (↑/↓) when the terminal is too short for all of it.
import React from 'react';
import { Box, Text } from 'ink';
import { ALL_BINDINGS, GROUPS } from '../src/app/keymap';
import { useAppStore } from './StoreContext';
import { accent, dim, SEVERITY_GLYPH, useTheme } from './theme';
import { padEnd } from './format';

interface Line { key: string; text: string; kind: 'group' | 'key' | 'note' }

export function helpLines(): Line[] {
  const lines: Line[] = [];
  for (const g of GROUPS) {
    lines.push({ key: `g${g}`, text: g, kind: 'group' });
    for (const b of ALL_BINDINGS.filter((x) => x.group === g)) lines.push({ key: `${g}${b.label}`, text: `  ${padEnd(b.label, 8)} ${b.help}`, kind: 'key' });
  }
  lines.push({ key: 'legend', text: `Severity: ${SEVERITY_GLYPH.critical} critical  ${SEVERITY_GLYPH.high} high  ${SEVERITY_GLYPH.medium} medium  ${SEVERITY_GLYPH.low} low`, kind: 'note' });
  lines.push({ key: 'why', text: 'The "why" line under a process names the rules it trips.', kind: 'note' });
  return lines;
}

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const scroll = useAppStore((s) => s.helpScroll);
  const all = helpLines();
  const columns = Math.max(1, Math.floor(width / 44));
  const perCol = Math.max(1, height - 1);
  const fits = all.length <= perCol * columns;
  const start = fits ? 0 : Math.min(scroll, Math.max(0, all.length - perCol * columns));
  const shown = all.slice(start, start + perCol * columns);
  const cols = Array.from({ length: columns }, (_, i) => shown.slice(i * perCol, (i + 1) * perCol)).filter((c) => c.length);
  const colWidth = Math.floor(width / columns);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text {...accent(theme)} wrap="truncate-end">{`minewatch keys · Esc or ? closes${fits ? '' : ` · ↑↓ scroll (${start + shown.length}/${all.length})`}`}</Text>
      <Box width={width} height={perCol}>
        {cols.map((c, i) => (
          <Box key={i} flexDirection="column" width={colWidth}>
            {c.map((l) => (
              <Text key={l.key} bold={l.kind === 'group'} {...(l.kind === 'note' ? dim(theme) : {})} wrap="truncate-end">{l.text}</Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
