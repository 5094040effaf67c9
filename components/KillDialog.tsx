// The signal dialog: names the target (PID, user, executable, start time, reasons), lists its family,
// and sends nothing until a signal is chosen and confirmed. It opens on Cancel.
import React from 'react';
import { Box, Text } from 'ink';
import { KILL_OPTIONS } from '../src/store/appStore';
import { sanitize } from '../src/text/sanitize';
import { useAppStore } from './StoreContext';
import { accent, dim, severityStyle, useTheme } from './theme';

export function KillDialog({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const k = useAppStore((s) => s.kill);
  const evidenceDir = useAppStore((s) => s.evidenceDir);
  if (!k) return null;
  const lines: React.ReactNode[] = [];
  lines.push(<Text key="t" {...accent(theme)}>{`Signal process ${k.pid}`}</Text>);
  for (const [i, l] of (k.prep?.summary ?? []).entries()) lines.push(<Text key={`s${i}`} wrap="truncate-end">{`  ${sanitize(l)}`}</Text>);
  if (k.error) lines.push(<Text key="err" {...severityStyle(theme, 'high')} wrap="truncate-end">{`  ${sanitize(k.error)}`}</Text>);
  if (k.prep && k.prep.members.length > 0) {
    lines.push(<Text key="fam" bold>{`  family (${k.prep.members.length}): ${k.family ? '[x] included (a toggles): all frozen first, then signalled' : '[ ] not included (a to include)'}`}</Text>);
    for (const [i, m] of k.prep.memberLines.entries()) lines.push(<Text key={`m${i}`} {...(k.family ? {} : dim(theme))} wrap="truncate-end">{`    ${sanitize(m)}`}</Text>);
  }
  if (k.phase === 'choose' && !k.error) {
    lines.push(<Text key="gap"> </Text>);
    KILL_OPTIONS.forEach((o, i) => lines.push(
      <Text key={o.id} inverse={i === k.focus} wrap="truncate-end">{`${i === k.focus ? '›' : ' '} ${o.label}`}</Text>,
    ));
    lines.push(<Text key="hint" {...dim(theme)} wrap="truncate-end">↑↓ choose · Enter or y does it · Esc or n cancels</Text>);
    lines.push(<Text key="ev" {...dim(theme)} wrap="truncate-end">{`before SIGTERM/SIGKILL the family is frozen and the evidence kept in ${sanitize(evidenceDir)}`}</Text>);
  } else if (k.phase === 'choose') {
    lines.push(<Text key="hint" {...dim(theme)}>Esc closes</Text>);
  } else {
    lines.push(<Text key="gap"> </Text>);
    for (const [i, r] of k.result.entries()) lines.push(<Text key={`r${i}`} wrap="truncate-end">{`  ${sanitize(r)}`}</Text>);
    if (k.phase === 'done') lines.push(<Text key="close" {...dim(theme)}>Enter or Esc closes</Text>);
  }
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={theme.color ? 'red' : undefined} paddingX={1}>
      {lines.slice(0, Math.max(1, height - 2))}
    </Box>
  );
}
