// A scrollable text pane over the process table: the inspector or the persistence view.
// Lines arrive sanitized and wrapped to the width by the store; Esc closes.
import React from 'react';
import { Box, Text } from 'ink';
import { sanitize } from '../src/text/sanitize';
import { useAppStore } from './StoreContext';
import { accent, dim, severityStyle, useTheme } from './theme';

const SEVERITY_WORDS = /^(\s*)(CRITICAL|HIGH|MEDIUM|LOW)\b/;

export function Pane({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const pane = useAppStore((s) => s.pane);
  if (!pane) return null;
  const body = Math.max(1, height - 2);
  const top = Math.min(pane.scroll, Math.max(0, pane.lines.length - body));
  const shown = pane.lines.slice(top, top + body);
  const pos = pane.lines.length > body ? ` · lines ${top + 1}-${top + shown.length} of ${pane.lines.length} (↑↓ PgUp PgDn)` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text {...accent(theme)} wrap="truncate-end">{`${sanitize(pane.title)}${pos} · Esc closes`}</Text>
      <Text {...(pane.status ? severityStyle(theme, 'medium') : dim(theme))} wrap="truncate-end">{pane.status ? `» ${sanitize(pane.status)}` : ' '}</Text>
      {shown.map((l, i) => {
        const m = SEVERITY_WORDS.exec(l);
        const sev = m ? (m[2].toLowerCase() as 'critical' | 'high' | 'medium' | 'low') : null;
        return (
          <Text key={top + i} wrap="truncate-end">
            {sev ? <Text {...severityStyle(theme, sev)}>{l.slice(0, m![0].length)}</Text> : null}
            {sev ? l.slice(m![0].length) : l}
          </Text>
        );
      })}
    </Box>
  );
}
