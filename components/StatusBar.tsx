// Bottom line: the filter prompt while typing, the allow question while it is pending, or a message,
// the view state and the most useful keys.
// However narrow the terminal, the line ends with "? help": the keys in between drop first.
import React from 'react';
import { Text } from 'ink';
import { sanitize } from '../src/text/sanitize';
import { useAppStore } from './StoreContext';
import { accent, dim, useTheme } from './theme';

/** The keys the status line offers, most useful first; the last one always shows. */
export const STATUS_KEYS = ['n/N worst flagged', 'i inspect', 'c persistence', 'K signal', '/ filter', '! flagged only', 'Space fold', 't tree/list', 'z freeze', 'q quit'];
export const HELP_KEY = '? help';

/** As many keys as fit in `room` cells, then "? help". */
export function keysThatFit(room: number): string {
  let out = '';
  for (const k of STATUS_KEYS) {
    const next = out ? `${out} · ${k}` : k;
    if (next.length + 3 + HELP_KEY.length > room) break;
    out = next;
  }
  return out ? `${out} · ${HELP_KEY}` : HELP_KEY;
}

export function StatusBar({ width }: { width: number }) {
  const theme = useTheme();
  const editing = useAppStore((s) => s.editingFilter);
  const filter = useAppStore((s) => s.filter);
  const flaggedOnly = useAppStore((s) => s.flaggedOnly);
  const message = useAppStore((s) => s.message);
  const mode = useAppStore((s) => s.mode);
  const ask = useAppStore((s) => s.allowAsk);
  if (editing) {
    return <Text wrap="truncate-end"><Text {...accent(theme)}>filter: </Text>{sanitize(filter)}<Text inverse> </Text><Text {...dim(theme)}>  Enter keep · Esc clear</Text></Text>;
  }
  if (ask) {
    // the keys first: a narrow status line may cut the end, never the choice
    return (
      <Text wrap="truncate-end">
        <Text {...accent(theme)}>{`y: mark PID ${ask.pid} known-good for this session (any other key: no)`}</Text>
        <Text>{` · sha256 ${ask.sha256.slice(0, 16)}… ${sanitize(ask.path)}`}</Text>
      </Text>
    );
  }
  const state = [
    filter ? `filter "${sanitize(filter)}"` : '',
    flaggedOnly ? 'flagged only' : '',
    mode === 'list' ? 'list view' : '',
  ].filter(Boolean).join(' · ');
  const stateText = state ? `[${state}]  ` : '';
  // the message and the state take what they need, but "? help" keeps its place at the end
  const reserve = HELP_KEY.length + 2;
  const room = Math.max(0, width - 1 - reserve);
  let msg = message ? `${sanitize(message)}  ` : '';
  let st = stateText;
  if (msg.length + st.length > room) {
    st = st.slice(0, Math.max(0, room - msg.length));
    if (msg.length > room) msg = `${msg.slice(0, Math.max(0, room - 3))}…  `;
  }
  const keys = keysThatFit(Math.max(HELP_KEY.length, width - 1 - msg.length - st.length));
  return (
    <Text wrap="truncate-end">
      {msg ? <Text {...accent(theme)}>{msg}</Text> : null}
      {st ? <Text bold>{st}</Text> : null}
      <Text {...dim(theme)}>{keys}</Text>
    </Text>
  );
}
