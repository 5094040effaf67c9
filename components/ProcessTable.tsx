// The process tree (or flat list): only the rows in view are rendered. Flagged rows carry a severity
// glyph and colour, and a second line that says why in plain words; it wraps onto the rows the table
// does not fill.
import React, { memo } from 'react';
import { Box, Text } from 'ink';
import type { Assessment, ProcessInfo } from '../src/model';
import { clip, formatCmdline } from '../src/text/sanitize';
import { wrap } from '../src/text/wrap';
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

/** The words of a why line: severity, score, each rule and its title. */
export function whyText(a: Assessment): string {
  return `${a.severity.toUpperCase()} ${a.score}: ${a.findings.map((f) => `${f.id} ${f.title.toLowerCase()}`).join(' · ')}`;
}

/**
 * A why line takes the rows the table has to spare below its last row: up to `lines` lines, wrapped
 * at word boundaries, the last one cut with … only when even those are not enough.
 */
export function whyLines(text: string, room: number, lines: number): string[] {
  const all = wrap(text, Math.max(10, room));
  if (all.length <= lines) return all;
  const kept = all.slice(0, lines);
  kept[lines - 1] = clip(`${kept[lines - 1]} ${all.slice(lines).join(' ')}`, Math.max(10, room));
  return kept;
}

const WhyLine = memo(function WhyLine({ prefix, a, width, indent, lines }: { prefix: string; a: Assessment; width: number; indent: number; lines: number }) {
  const theme = useTheme();
  const lead = ' '.repeat(FIXED + indent) + prefix + '└ why: ';
  // continuation lines keep the tree's branches, then line up under the text
  const cont = ' '.repeat(FIXED + indent) + prefix + ' '.repeat('└ why: '.length);
  const parts = whyLines(whyText(a), width - lead.length, lines);
  return (
    <Box flexDirection="column">
      {parts.map((part, i) => (
        <Text key={i} wrap="truncate-end">
          <Text {...dim(theme)}>{i === 0 ? lead : cont}</Text>
          <Text {...severityStyle(theme, a.severity)}>{part}</Text>
        </Text>
      ))}
    </Box>
  );
});

/**
 * How many lines each why row in view may take: one, plus the table's spare rows, which go first to
 * the rows that rank higher (the selected process, then the worst), then top to bottom.
 */
export function whyRowLines(visible: readonly Row[], height: number, need: (r: Row) => number, rank: (r: Row) => number = () => 0): Map<number, number> {
  let spare = Math.max(0, height - visible.length);
  const out = new Map<number, number>();
  const whys = visible.filter((r) => r.kind === 'why');
  for (const r of whys) out.set(r.pid, 1);
  for (const r of [...whys].sort((a, b) => rank(b) - rank(a))) {
    const extra = Math.min(spare, Math.max(0, need(r) - 1));
    spare -= extra;
    out.set(r.pid, 1 + extra);
  }
  return out;
}

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
  // why lines wrap into the rows the table does not fill, rather than being cut
  const whyRoom = width - FIXED - extraWidth(extra) - '└ why: '.length;
  const whyFit = whyRowLines(visible, height, (r) => {
    const a = assessments.get(r.pid);
    return a && r.kind === 'why' ? wrap(whyText(a), Math.max(10, whyRoom - r.prefix.length)).length : 1;
  }, (r) => (r.pid === selectedPid ? 1e6 : 0) + (assessments.get(r.pid)?.score ?? 0));
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
          return a ? <WhyLine key={`w${r.pid}`} prefix={r.prefix} a={a} width={width} indent={extraWidth(extra)} lines={whyFit.get(r.pid) ?? 1} /> : null;
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
