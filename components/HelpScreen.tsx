// The help overlay, drawn from the same keybinding table the input handler dispatches from.
import React from 'react';
import { Box, Text } from 'ink';
import { BINDINGS, GROUPS } from '../src/app/keymap';
import { accent, dim, SEVERITY_GLYPH, useTheme } from './theme';
import { padEnd } from './format';

export function HelpScreen({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const lines: React.ReactNode[] = [];
  lines.push(<Text key="t" {...accent(theme)}>minewatch keys (Esc or ? closes)</Text>);
  for (const g of GROUPS) {
    lines.push(<Text key={`g${g}`} bold>{g}</Text>);
    for (const b of BINDINGS.filter((x) => x.group === g)) {
      lines.push(<Text key={b.label} wrap="truncate-end">{`  ${padEnd(b.label, 8)} ${b.help}`}</Text>);
    }
  }
  lines.push(<Text key="legend" {...dim(theme)} wrap="truncate-end">{`Severity: ${SEVERITY_GLYPH.critical} critical  ${SEVERITY_GLYPH.high} high  ${SEVERITY_GLYPH.medium} medium  ${SEVERITY_GLYPH.low} low; the "why" line under a process names the rules.`}</Text>);
  // two columns when the screen is short
  const perCol = Math.max(1, height - 1);
  const cols = [lines.slice(0, perCol), lines.slice(perCol, perCol * 2)];
  return (
    <Box width={width} height={height}>
      {cols.filter((c) => c.length).map((c, i) => (
        <Box key={i} flexDirection="column" width={Math.floor(width / (lines.length > perCol ? 2 : 1))}>{c}</Box>
      ))}
    </Box>
  );
}
