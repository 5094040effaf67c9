// The selected process in full: identity, executable, command, and every finding with its evidence
// and ATT&CK technique.
import React from 'react';
import { Box, Text } from 'ink';
import { clip, formatCmdline, sanitize } from '../src/text/sanitize';
import { selectedAssessment, selectedProc } from '../src/store/appStore';
import { uncheckedReason } from '../src/view/coverage';
import type { Finding } from '../src/model';
import { useAppStore } from './StoreContext';
import { accent, dim, severityStyle, SEVERITY_GLYPH, SEVERITY_WORD, useTheme } from './theme';
import { wrap } from './format';

function evidenceText(e: Record<string, unknown>): string {
  return Object.entries(e)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${sanitize(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join(' ');
}

export function DetailPanel({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  // narrow selections: a tick that changes neither the selected process nor its findings does not
  // redraw the panel (the reader hands back the same object for a process that did not change)
  const proc = useAppStore(selectedProc);
  const assessment = useAppStore(selectedAssessment);
  const exitedPid = useAppStore((s) => s.exitedPid);
  const parentName = useAppStore((s) => (proc ? s.snapshot?.processes.get(proc.ppid)?.name : undefined));
  const asRoot = useAppStore((s) => s.snapshot?.root ?? false);
  const checking = useAppStore((s) => s.snapshot?.partial === true);
  const lines: React.ReactNode[] = [];
  const w = width - 2;
  if (exitedPid !== null) {
    lines.push(<Text key="gone" {...severityStyle(theme, 'medium')}>{`process ${exitedPid} exited; the cursor moved to its neighbour`}</Text>);
  }
  if (!proc) {
    lines.push(<Text key="none" {...dim(theme)}>no process selected</Text>);
  } else {
    const sev = assessment?.severity ?? 'none';
    const started = new Date(proc.startTime).toISOString().replace('T', ' ').slice(0, 19);
    // the verdict comes right after the name, so a narrow terminal cuts the start time, never the severity
    lines.push(
      <Text key="id" wrap="truncate-end">
        <Text {...accent(theme)}>{`PID ${proc.pid} ${clip(proc.name, 20)}`}</Text>
        {assessment ? <Text {...severityStyle(theme, sev)}>{` · ${SEVERITY_GLYPH[sev]} ${SEVERITY_WORD[sev]} score ${assessment.score}`}</Text> : <Text {...dim(theme)}>{checking ? ' · checking…' : ' · nothing flagged'}</Text>}
        {` · user ${clip(proc.user, 16)} (${proc.uid ?? 'uid unknown'}) · parent ${proc.ppid}${parentName !== undefined ? ` ${clip(parentName, 16)}` : ''} · started ${started}`}
      </Text>,
    );
    const exe = proc.exe ? `${proc.exe}${proc.exeDeleted ? ' (deleted)' : ''}` : proc.kernelThread ? '[kernel thread]' : proc.exeError === 'EACCES' ? (asRoot ? 'unreadable (refused even to root)' : 'unreadable (needs root)') : '?';
    lines.push(<Text key="exe" wrap="truncate-end">{clip(`exe ${exe}   cwd ${proc.cwd ?? '?'}`, w)}</Text>);
    lines.push(<Text key="cmd" {...dim(theme)} wrap="truncate-end">{clip(`cmd ${formatCmdline(proc.cmdline) || '(empty)'}`, w)}</Text>);
    const why = uncheckedReason(proc, asRoot);
    if (why) lines.push(<Text key="unchecked" {...severityStyle(theme, 'medium')} wrap="truncate-end">{clip(`? not fully checked: ${why}; the rules that need it could not run`, w)}</Text>);
    const findings = assessment?.findings ?? [];
    // Each finding wraps onto the lines it needs. Its raw evidence follows when everything fits;
    // otherwise the explanations (which name the evidence) come first, and what does not fit is counted.
    const room = Math.max(0, height - 1 - lines.length);
    const block = (f: Finding, withEvidence: boolean) =>
      wrap(sanitize(`${f.id} ${f.title} [${f.attack.join(', ')}]: ${f.explanation}${withEvidence ? `  {${evidenceText(f.evidence)}}` : ''}`), w - 2);
    let blocks = findings.map((f) => block(f, true));
    if (blocks.reduce((n, b) => n + b.length, 0) > room) blocks = findings.map((f) => block(f, false));
    let used = 0;
    let shown = 0;
    for (const [i, f] of findings.entries()) {
      const reserve = i < findings.length - 1 ? 1 : 0; // a line for the "more" note
      const left = room - used - reserve;
      if (left <= 0) break;
      const part = blocks[i].slice(0, left);
      part.forEach((l, j) => lines.push(
        <Text key={`${f.id}-${j}`} wrap="truncate-end">
          <Text {...severityStyle(theme, f.severity)}>{j === 0 ? `${SEVERITY_GLYPH[f.severity]} ` : '  '}</Text>
          {l}
        </Text>,
      ));
      used += part.length;
      shown++;
    }
    if (shown < findings.length) {
      lines.push(<Text key="more" {...dim(theme)}>{`… ${findings.length - shown} more finding${findings.length - shown > 1 ? 's' : ''} (scan --json lists them all)`}</Text>);
    }
  }
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="single" borderTop borderBottom={false} borderLeft={false} borderRight={false} borderDimColor>
      {lines.slice(0, Math.max(0, height - 1))}
    </Box>
  );
}
