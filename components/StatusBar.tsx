// Bottom line: the filter prompt while typing, a message, or the most useful keys.
import React from 'react';
import { Text } from 'ink';
import { sanitize } from '../src/text/sanitize';
import { useAppStore } from './StoreContext';
import { accent, dim, useTheme } from './theme';

export function StatusBar({ width }: { width: number }) {
  const theme = useTheme();
  const editing = useAppStore((s) => s.editingFilter);
  const filter = useAppStore((s) => s.filter);
  const flaggedOnly = useAppStore((s) => s.flaggedOnly);
  const message = useAppStore((s) => s.message);
  const mode = useAppStore((s) => s.mode);
  if (editing) {
    return <Text wrap="truncate-end"><Text {...accent(theme)}>filter: </Text>{sanitize(filter)}<Text inverse> </Text><Text {...dim(theme)}>  Enter keep · Esc clear</Text></Text>;
  }
  const state = [
    filter ? `filter "${sanitize(filter)}"` : '',
    flaggedOnly ? 'flagged only' : '',
    mode === 'list' ? 'list view' : '',
  ].filter(Boolean).join(' · ');
  const keys = 'n/N flagged · i inspect · c persistence · K signal · / filter · ! flagged only · Space fold · t tree/list · z freeze · ? help · q quit';
  return (
    <Text wrap="truncate-end">
      {message ? <Text {...accent(theme)}>{`${sanitize(message)}  `}</Text> : null}
      {state ? <Text bold>{`[${state}]  `}</Text> : null}
      <Text {...dim(theme)}>{keys.slice(0, Math.max(0, width))}</Text>
    </Text>
  );
}
