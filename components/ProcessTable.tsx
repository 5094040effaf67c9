// The process tree (or flat list): only the rows in view are rendered. Flagged rows carry a severity
// glyph and colour, and a second line that says why in plain words.
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { Assessment, ProcessInfo } from '../src/model';
import { clip, formatCmdline } from '../src/text/sanitize';
import { gpuCell } from '../src/gpu/index';
import { uncheckedReason } from '../src/view/coverage';
import { flaggedOutside, type ProcRow, type Row } from '../src/view/tree';
import { useAppStore } from './StoreContext';
import { dim, severityStyle, SEVERITY_GLYPH, UNCHECKED_GLYPH, useTheme } from './theme';
import { bytes, padEnd, padStart } from './format';

const FIXED = 2 + 8 + 10 + 7 + 7; // glyph, PID, USER, CPU%, MEM
/** Optional columns: GPU (memory and utilisation) when there is a GPU or a process holds one; CONTAINER when a process runs in one. */
export interface Extra { gpu: boolean; container: boolean }
const GPU_W = 10;
const CTR_W = 20;
const extraWidth = (x: Extra) => (x.gpu ? GPU_W : 0) + (x.container ? CTR_W : 0);

export function columnsHeader(sortKey: string, descending: boolean, extra: Extra = { gpu: false, container: false }): string {
  const mark = (k: string) => (sortKey === k ? (descending ? '▼' : '▲') : ' ');
  const more = `${extra.gpu ? padStart('GPU', GPU_W - 1) + ' ' : ''}${extra.container ? padEnd('CONTAINER', CTR_W - 1) + ' ' : ''}`;
  return `  ${padStart('PID' + mark('pid'), 7)} ${padEnd('USER' + mark('user'), 9)} ${padStart('CPU%' + mark('cpu'), 6)} ${padStart('MEM' + mark('mem'), 6)} ${more}${'COMMAND' + mark('name')}${sortKey === 'score' ? `  (by concern ${descending ? '▼' : '▲'})` : ''}`;
}

const ProcLine = memo(function ProcLine({ row, p, a, selected, width, gpu, container, unchecked, known }: { row: ProcRow; p: ProcessInfo; a: Assessment | undefined; selected: boolean; width: number; gpu?: string; container?: string; unchecked: boolean; known?: boolean }) {
  const theme = useTheme();
  const sev = a?.severity ?? 'none';
  const fold = row.collapsed ? '+' : '';
  const name = clip(p.name, 20);
  const cmdText = p.kernelThread ? '' : formatCmdline(p.cmdline);
  const hidden = row.collapsed ? ` [+${row.hidden} hidden${row.hiddenFlagged ? `, ${row.hiddenFlagged} flagged ${SEVERITY_GLYPH.high}` : ''}]` : '';
  const more = `${gpu !== undefined ? padStart(clip(gpu, GPU_W - 1), GPU_W - 1) + ' ' : ''}${container !== undefined ? padEnd(clip(container, CTR_W - 1), CTR_W - 1) + ' ' : ''}`;
  const glyph = known ? '✓' : sev === 'none' && unchecked ? UNCHECKED_GLYPH : SEVERITY_GLYPH[sev];
  const head = `${glyph} ${padStart(String(p.pid), 7)} ${padEnd(clip(p.user, 9), 9)} ${padStart(p.cpuPercent.toFixed(1), 6)} ${padStart(bytes(p.rssBytes), 6)} ${more}`;
  const treePart = `${row.prefix}${fold}${name}`;
  const restWidth = Math.max(0, width - head.length - treePart.length - hidden.length - 1);
  const cmd = restWidth > 3 ? ' ' + clip(cmdText, restWidth) : '';
  // only the selected row is padded to the full width (its inverse bar); other rows stay short, which
  // keeps Ink's per-frame tokenising cheap
  if (selected) return <Text inverse bold={sev !== 'none'} wrap="truncate-end">{padEnd(head + treePart + hidden + cmd, width)}</Text>;
  // known-good (allow-listed, or minewatch itself): dimmed, marked ✓, never coloured as a threat
  if (known) return <Text {...dim(theme)} wrap="truncate-end">{head + treePart + hidden + cmd}</Text>;
  return (
    <Text wrap="truncate-end">
      <Text {...(sev === 'none' && unchecked ? dim(theme) : severityStyle(theme, sev))}>{head.slice(0, 1)}</Text>
      {head.slice(1)}
      <Text {...severityStyle(theme, sev)}>{treePart}</Text>
      <Text {...(row.hiddenFlagged ? severityStyle(theme, 'high') : dim(theme))}>{hidden}</Text>
      <Text {...dim(theme)}>{cmd}</Text>
    </Text>
  );
});

const WhyLine = memo(function WhyLine({ prefix, a, width, indent }: { prefix: string; a: Assessment; width: number; indent: number }) {
  const theme = useTheme();
  const lead = ' '.repeat(FIXED + indent) + prefix + '└ why: ';
  const reasons = a.findings.map((f) => `${f.id} ${f.title.toLowerCase()}`).join(' · ');
  return (
    <Text wrap="truncate-end">
      <Text {...dim(theme)}>{lead}</Text>
      <Text {...severityStyle(theme, a.severity)}>{clip(`${a.severity.toUpperCase()} ${a.score}: ${reasons}`, Math.max(10, width - lead.length))}</Text>
    </Text>
  );
});

export function ProcessTable({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const rows = useAppStore((s) => s.rows);
  const top = useAppStore((s) => s.scrollTop);
  const snapshot = useAppStore((s) => s.snapshot);
  const assessments = useAppStore((s) => s.assessments);
  const selectedPid = useAppStore((s) => s.selectedPid);
  const knownGood = useAppStore((s) => s.knownGood);
  const sort = useAppStore((s) => s.sort);
  const descending = useAppStore((s) => s.descending);
  const flaggedRows = useAppStore((s) => s.flaggedRows);
  const visible: Row[] = rows.slice(top, top + height);
  const gpuState = snapshot?.gpu;
  const containers = snapshot?.containers;
  const extra: Extra = { gpu: Boolean(gpuState?.present), container: (containers?.size ?? 0) > 0 };
  // flagged rows scrolled out of view are counted at the right of the column header
  const out = flaggedOutside(flaggedRows, top, height);
  const marks = [out.above ? `▲ ${out.above} flagged above` : '', out.below ? `▼ ${out.below} flagged below` : ''].filter(Boolean).join(' ');
  const cols = columnsHeader(sort, descending, extra);
  return (
    <Box flexDirection="column" width={width} height={height + 1}>
      <Text wrap="truncate-end">
        <Text {...dim(theme)} bold>{padEnd(cols, Math.max(0, width - (marks ? marks.length + 1 : 0)))}</Text>
        {marks ? <Text {...severityStyle(theme, 'high')}>{` ${marks}`}</Text> : null}
      </Text>
      {!snapshot ? <Text>reading /proc…</Text> : null}
      {snapshot && rows.length === 0 ? <Text {...dim(theme)}>no process matches</Text> : null}
      {visible.map((r) => {
        const p = snapshot?.processes.get(r.pid);
        if (!p) return null;
        if (r.kind === 'why') {
          const a = assessments.get(r.pid);
          return a ? <WhyLine key={`w${r.pid}`} prefix={r.prefix} a={a} width={width} indent={extraWidth(extra)} /> : null;
        }
        return (
          <ProcLine key={r.pid} row={r} p={p} a={assessments.get(r.pid)} selected={r.pid === selectedPid} width={width} known={knownGood.has(r.pid)}
            unchecked={uncheckedReason(p, snapshot?.root ?? true) !== null}
            gpu={extra.gpu ? gpuCell(gpuState?.processes.get(r.pid)) : undefined}
            container={extra.container ? containers?.get(r.pid)?.label ?? '' : undefined} />
        );
      })}
    </Box>
  );
}
