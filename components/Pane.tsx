// A scrollable pane over the process table: the inspector or the persistence view. Lines arrive typed
// (severity, tone, indentation) and wrapped to the width by the store; Esc closes.
import React from 'react';
import { Box, Text } from 'ink';
import { sanitize } from '../src/text/sanitize';
import { wrap } from '../src/text/wrap';
import { ContentLine } from './ContentLine';
import { useAppStore } from './StoreContext';
import { accent, dim, severityStyle, useTheme } from './theme';

/** Keys a pane answers to, for its title line. */
export const PANE_HINT = 'Esc closes';

export function Pane({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const pane = useAppStore((s) => s.pane);
  if (!pane) return null;
  // an outcome (backup path, audit log) is never cut: the status wraps onto up to three lines
  const status = pane.status ? wrap(`» ${sanitize(pane.status)}`, Math.max(10, width - 1)).slice(0, 3) : [' '];
  const body = Math.max(1, height - 1 - status.length);
  const top = Math.min(pane.scroll, Math.max(0, pane.lines.length - body));
  const shown = pane.lines.slice(top, top + body);
  const pos = pane.lines.length > body ? ` · lines ${top + 1}-${top + shown.length} of ${pane.lines.length} (↑↓ PgUp PgDn)` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text {...accent(theme)} wrap="truncate-end">{`${sanitize(pane.title)}${pos} · ${PANE_HINT}`}</Text>
      {status.map((l, i) => <Text key={`s${i}`} {...(pane.status ? severityStyle(theme, 'medium') : dim(theme))} wrap="truncate-end">{l}</Text>)}
      {shown.map((l, i) => <ContentLine key={top + i} line={l} />)}
    </Box>
  );
}
