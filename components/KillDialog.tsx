// The signal dialog: names the target (PID, user, executable, start time, reasons), lists its family,
// and sends nothing until a signal is chosen and confirmed. It opens on Cancel.
// Layout: the target and the choices, the key hint and the outcome have fixed places; the family's
// member list (or, once done, the outcome lines) gets only the rows left over and scrolls, so a
// process with 40 children never pushes a choice or the result off the box, even at 80x24.
import React from 'react';
import { Box, Text } from 'ink';
import type { Severity } from '../src/model';
import { KILL_CHOICES, membersOf, type KillDialog as Dialog, type KillMember, type KillOption, type KillPrep, type Outcome } from '../src/store/appStore';
import { clip, formatCmdline, sanitize } from '../src/text/sanitize';
import { dialogRows } from '../src/view/dialog';
import { useAppStore } from './StoreContext';
import { accent, dim, severityStyle, useTheme, type Theme } from './theme';

/** What each choice does, in words (the store knows the choices by id only). */
export const KILL_LABELS: Record<KillOption, string> = {
  cancel: 'Cancel',
  SIGTERM: 'SIGTERM  terminate: ask it to exit (default signal)',
  SIGKILL: 'SIGKILL  kill: cannot be caught or ignored',
  SIGSTOP: 'SIGSTOP  freeze: suspend it, reversible',
  SIGCONT: 'SIGCONT  resume a frozen process',
};

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

const SEVERITIES: readonly string[] = ['low', 'medium', 'high', 'critical'];
const asSeverity = (x: string | null): Severity => (x !== null && SEVERITIES.includes(x) ? (x as Severity) : 'none');

function summary(prep: KillPrep, checking: boolean, theme: Theme, w: number): React.ReactNode[] {
  const t = prep.info;
  return [
    <Text key="id" wrap="truncate-end">{clip(`PID ${t.pid} ${clip(t.name, 24)} · user ${clip(t.user, 16)} (${t.uid ?? 'uid unknown'})`, w)}</Text>,
    <Text key="exe" wrap="truncate-end">{clip(`exe ${t.exe ?? '(unreadable)'}${t.exeDeleted ? ' (deleted)' : ''}`, w)}</Text>,
    <Text key="start" wrap="truncate-end">{`started ${stamp(t.startedAt)}`}</Text>,
    t.severity
      ? <Text key="flag" {...severityStyle(theme, asSeverity(t.severity))} wrap="truncate-end">{clip(`flagged ${t.severity} (${t.score ?? 0}): ${t.findings.join(' ')}`, w)}</Text>
      : <Text key="flag" {...dim(theme)} wrap="truncate-end">{checking ? clip('not checked yet: the first full check is running (this dialog updates when it is done)', w) : 'not flagged'}</Text>,
  ];
}

const memberText = (m: KillMember) => `${m.role} PID ${m.pid} ${clip(m.name, 20)} (${clip(m.user, 12)}) ${formatCmdline(m.cmdline)}`;

/** A window of `rows` lines over `items` starting near `start`, with a note of what is outside it. */
function windowOf<T>(items: readonly T[], start: number, rows: number): { shown: T[]; from: number; note: string } {
  if (items.length <= rows) return { shown: [...items], from: 0, note: '' };
  const room = Math.max(1, rows - 1); // one line says what is not shown
  const from = Math.max(0, Math.min(start, items.length - room));
  const shown = items.slice(from, from + room);
  return { shown, from, note: `… ${from + 1}-${from + shown.length} of ${items.length} (PgUp PgDn scroll)` };
}

function outcomeStyle(theme: Theme, o: Outcome) {
  if (o.status === 'failed') return severityStyle(theme, 'high');
  if (o.status === 'info' || o.status === 'detail') return dim(theme);
  return {};
}

export function KillDialog({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const k = useAppStore((s) => s.kill);
  const evidenceDir = useAppStore((s) => s.evidenceDir);
  if (!k) return null;
  const w = Math.max(10, width - 4); // border and padding
  const inner = Math.max(1, height - 2);
  const head: React.ReactNode[] = [<Text key="t" {...accent(theme)} wrap="truncate-end">{`Signal process ${k.pid}`}</Text>];
  if (k.prep) head.push(...summary(k.prep, k.checking, theme, w));
  if (k.error) head.push(<Text key="err" {...severityStyle(theme, 'high')} wrap="truncate-end">{clip(k.error, w)}</Text>);

  const tail = footer(k, theme, w, evidenceDir);
  const members = membersOf(k.prep);
  const rows = dialogRows(height, { phase: k.phase, error: k.error, hasPrep: k.prep !== null });
  const room = rows.list + 1;
  let middle: React.ReactNode[] = [];
  if (k.phase === 'done' || k.phase === 'working') {
    // the outcome takes the middle: a summary line that always shows, then the lines that fit
    const sum = outcomeSummary(k);
    // what went wrong and where the evidence and the audit log are come first; per-process successes after
    const rank = { failed: 0, info: 1, ok: 2, detail: 3 } as const;
    const ordered = k.phase === 'done' ? [...k.result].sort((a, b) => rank[a.status] - rank[b.status]) : k.result;
    const list = windowOf(ordered, k.memberScroll, sum ? rows.list : rows.list + 1);
    if (sum) middle.push(<Text key="sum" bold wrap="truncate-end">{clip(sum, w)}</Text>);
    middle.push(...list.shown.map((o, i) => <Text key={`r${list.from + i}`} {...outcomeStyle(theme, o)} wrap="truncate-end">{clip(o.text, w)}</Text>));
    if (list.note) middle.push(<Text key="rmore" {...dim(theme)} wrap="truncate-end">{list.note}</Text>);
  } else if (members.length > 0) {
    middle.push(<Text key="fam" bold wrap="truncate-end">{`family (${members.length}): ${k.family ? '[x] included (a toggles): all frozen first, then signalled' : '[ ] not included (a to include)'}`}</Text>);
    const list = windowOf(members, k.memberScroll, rows.list);
    middle.push(...list.shown.map((m, i) => <Text key={`m${list.from + i}`} {...(k.family ? {} : dim(theme))} wrap="truncate-end">{clip(`  ${memberText(m)}`, w)}</Text>));
    if (list.note) middle.push(<Text key="mmore" {...dim(theme)} wrap="truncate-end">{`  ${list.note}`}</Text>);
  }
  middle = middle.slice(0, Math.max(0, room));
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={theme.color ? 'red' : undefined} paddingX={1}>
      {[...head, ...middle].slice(0, Math.max(0, inner - tail.fixed.length))}
      <Box flexGrow={1} />
      {tail.fixed}
    </Box>
  );
}

/** "SIGKILL to 41 processes: 41 done, 0 failed" once done; null while working on one line. */
function outcomeSummary(k: Dialog): string | null {
  if (k.phase !== 'done' || k.result.length === 0) return null;
  const ok = k.result.filter((o) => o.status === 'ok').length;
  const failed = k.result.filter((o) => o.status === 'failed').length;
  return `result: ${ok} done, ${failed} failed${failed ? ' (below)' : ''}`;
}

/** The lines pinned to the bottom of the box: the choices and the key hint, or how to close. */
function footer(k: Dialog, theme: Theme, w: number, evidenceDir: string): { fixed: React.ReactNode[] } {
  if (k.phase === 'choose' && !k.error) {
    return {
      fixed: [
        ...KILL_CHOICES.map((o, i) => (
          <Text key={o} inverse={i === k.focus} wrap="truncate-end">{clip(`${i === k.focus ? '›' : ' '} ${KILL_LABELS[o]}`, w)}</Text>
        )),
        <Text key="hint" {...dim(theme)} wrap="truncate-end">↑↓ choose · Enter or y does it · Esc or n cancels</Text>,
        <Text key="ev" {...dim(theme)} wrap="truncate-end">{clip(`before SIGTERM/SIGKILL the family is frozen and the evidence kept in ${sanitize(evidenceDir)}`, w)}</Text>,
      ],
    };
  }
  if (k.phase === 'working') return { fixed: [<Text key="wait" {...dim(theme)}>working…</Text>] };
  return { fixed: [<Text key="close" {...dim(theme)}>{k.result.length > 0 ? 'Enter or Esc closes · PgUp PgDn scroll' : 'Enter or Esc closes'}</Text>] };
}
