// The incident on one screen: the flagged process, its launcher, children and linked processes, the
// persistence entries that start them, every finding; then (c) the containment plan, numbered, with
// ticks, and each step's outcome as it runs. The title and the key hint never scroll away.
import React from 'react';
import { Box, Text } from 'ink';
import type { ContainmentPlan, PlanStep, StepStatus } from '../src/incident/containment';
import type { Incident, IncidentEntry, IncidentFinding, IncidentMember } from '../src/incident/incident';
import type { Severity } from '../src/model';
import { clip, formatCmdline, sanitize } from '../src/text/sanitize';
import { wrap } from '../src/text/wrap';
import { useAppStore } from './StoreContext';
import { accent, dim, severityStyle, SEVERITY_GLYPH, SEVERITY_WORD, useTheme, type TextStyle } from './theme';

interface Line { key: string; text: string; style?: TextStyle; sev?: Severity; lead?: string }

const ROLE: Record<IncidentMember['role'], string> = { target: 'flagged', launcher: 'launcher', child: 'child', watchdog: 'watchdog', linked: 'same entry' };

const STATUS: Record<StepStatus, string> = {
  pending: ' ', running: '…', ok: '✓', partial: '~', failed: '✗', refused: '✗', skipped: '-',
};

function pidList(pids: number[]): string {
  return pids.length > 6 ? `${pids.slice(0, 6).join(', ')} and ${pids.length - 6} more` : pids.join(', ');
}

/** What a step will do, in words (the engine's typed step, drawn here). */
export function stepText(step: PlanStep, incident: Incident, evidenceDir: string): string {
  const n = step.pids.length;
  const procs = `${n} process${n === 1 ? '' : 'es'}`;
  switch (step.kind) {
    case 'freeze': return `Freeze ${procs} (SIGSTOP, reversible): PID ${pidList(step.pids)}`;
    case 'evidence': return `Keep the evidence: executables, /proc files, SHA-256 sums → ${sanitize(evidenceDir)}`;
    case 'disable': {
      const e = incident.persistence.find((x) => x.entryId === step.entryId);
      const how = e?.disable === 'unlink-wants' ? 'remove its *.wants/ links' : 'comment the line out';
      return `Disable ${sanitize(e?.label ?? step.entryId ?? '?')}: ${how} (backup kept)`;
    }
    case 'kill': return `Kill ${procs} (SIGKILL, each re-verified): PID ${pidList(step.pids)}`;
    case 'watch': return 'Watch for a respawn for 10 minutes (R1 flags a process that comes back)';
  }
}

/** Findings, one line each; or, when the screen is short, one line of rule IDs, worst first. */
function findingLines(key: string, findings: readonly IncidentFinding[], compact: boolean, worst: Severity): Line[] {
  if (compact) return findings.length ? [{ key: `${key}f`, lead: '      ', text: findings.map((f) => f.id).join(' '), sev: worst }] : [];
  return findings.map((f) => ({ key: `${key}${f.id}`, lead: '      ', text: `${f.id} ${sanitize(f.title)}: ${sanitize(f.explanation)}`, sev: f.severity }));
}

function memberLines(m: IncidentMember, width: number, compact: boolean): Line[] {
  const exe = m.exe ? `${sanitize(m.exe)}${m.exeDeleted ? ' (deleted)' : ''}` : 'exe unreadable';
  const head = `${SEVERITY_GLYPH[m.severity]} ${ROLE[m.role].padEnd(10)} PID ${String(m.pid).padEnd(7)} ${clip(m.name, 16).padEnd(16)} ${clip(m.user, 10).padEnd(10)} ${exe}  ${formatCmdline([...m.cmdline])}`;
  return [{ key: `m${m.pid}`, text: clip(head, width), sev: m.severity }, ...findingLines(`m${m.pid}`, m.findings, compact, m.severity)];
}

function entryLines(e: IncidentEntry, compact: boolean): Line[] {
  const starts = e.starts.map((s) => `PID ${s.pid} by ${s.via}`).join(', ');
  const out: Line[] = [{ key: `e${e.entryId}`, text: `${SEVERITY_GLYPH[e.severity]} ${sanitize(e.label)}${starts ? ` (starts ${starts})` : ''}${e.disable ? '' : ' · minewatch cannot disable this kind'}`, sev: e.severity }];
  out.push({ key: `e${e.entryId}raw`, lead: '      ', text: clip(e.raw, 400) });
  out.push(...findingLines(`e${e.entryId}`, e.findings, compact, e.severity));
  return out;
}

/** Lines wrapped to `width`, continuation lines indented four more; `first[i]`: where line i starts. */
function wrapLines(lines: readonly Line[], width: number): { lines: Line[]; first: number[] } {
  const out: Line[] = [];
  const first: number[] = [];
  for (const l of lines) {
    first.push(out.length);
    const lead = (l.lead ?? '') + /^ */.exec(l.text)![0]; // wrapping drops leading spaces: keep them in the lead
    const parts = wrap(l.text.trimStart(), Math.max(10, width - lead.length));
    parts.forEach((text, j) => out.push({ ...l, key: j ? `${l.key}+${j}` : l.key, lead: j ? `${lead}    ` : lead, text }));
    if (parts.length === 0) out.push(l);
  }
  return { lines: out, first };
}

function planLines(plan: ContainmentPlan, incident: Incident, focus: number, evidenceDir: string, dimmed: TextStyle): { lines: Line[]; anchor: number } {
  const lines: Line[] = [];
  let anchor = 0;
  const runningAt = plan.steps.findIndex((s) => s.status === 'running');
  plan.steps.forEach((s, i) => {
    const mark = plan.phase === 'review' ? (s.enabled ? '[x]' : '[ ]') : `[${STATUS[s.status]}]`;
    const cursor = plan.phase === 'review' && i === focus ? '›' : ' ';
    if ((plan.phase === 'review' && i === focus) || i === runningAt) anchor = lines.length;
    const sev: Severity | undefined = s.status === 'failed' || s.status === 'refused' ? 'high' : s.status === 'partial' ? 'medium' : undefined;
    lines.push({ key: `s${i}`, text: `${cursor} ${mark} ${s.n}. ${stepText(s, incident, evidenceDir)}${plan.phase !== 'review' ? `  ${s.status}` : ''}`, sev, style: s.enabled || plan.phase !== 'review' ? undefined : dimmed });
    for (const [j, l] of s.lines.entries()) {
      lines.push({ key: `s${i}l${j}`, lead: '        ', text: sanitize(l.text), sev: l.status === 'failed' ? 'high' : undefined });
    }
  });
  if (plan.phase !== 'review') anchor = Math.max(anchor, runningAt < 0 ? lines.length - 1 : anchor);
  return { lines, anchor };
}

export function IncidentView({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const ui = useAppStore((s) => s.incident);
  const evidenceDir = useAppStore((s) => s.evidenceDir);
  if (!ui) return null;
  const inner = Math.max(10, width - 4);
  const body: Line[] = [];
  let title = `Incident around PID ${ui.pid}`;
  let hint = 'Esc closes';
  let anchor = 0;
  if (ui.error) {
    body.push({ key: 'err', text: sanitize(ui.error), sev: 'high' });
  } else if (ui.incident) {
    const inc = ui.incident;
    const target = inc.members[0];
    title = `Incident: PID ${inc.pid} ${sanitize(target?.name ?? '')} · ${SEVERITY_WORD[inc.severity] || 'not flagged'} · ${inc.members.length} process${inc.members.length === 1 ? '' : 'es'} · ${inc.persistence.length} persistence entr${inc.persistence.length === 1 ? 'y' : 'ies'}`;
    if (ui.mode === 'incident') {
      // Every process and every entry on one screen: when the findings in full do not fit, each
      // process and entry keeps one line of rule IDs (the detail panel and i explain them).
      const incidentBody = (compact: boolean): Line[] => {
        const out: Line[] = [{ key: 'ph', text: 'Processes', style: { bold: true } }];
        for (const m of inc.members) out.push(...memberLines(m, inner, compact));
        out.push({ key: 'eh', text: inc.persistence.length ? 'Persistence that starts them' : 'Persistence: nothing found that starts them', style: { bold: true } });
        for (const e of inc.persistence) out.push(...entryLines(e, compact));
        if (inc.excluded.length) {
          out.push({ key: 'xh', text: 'Left out on purpose', style: { bold: true } });
          for (const x of inc.excluded) out.push({ key: `x${x.pid}`, lead: '  ', text: `PID ${x.pid}: ${sanitize(x.why)}`, style: dim(theme) });
        }
        return out;
      };
      const full = incidentBody(false);
      body.push(...(full.length > Math.max(1, height - 4) ? incidentBody(true) : full));
      hint = `c proposes a containment plan · ↑↓ PgUp PgDn scroll · Esc closes`;
    } else if (ui.plan) {
      const plan = ui.plan;
      body.push({ key: 'ms', text: `Members: ${inc.members.map((m) => `${ROLE[m.role]} ${m.pid} ${clip(m.name, 16)}`).join(' · ')}`, style: dim(theme) });
      body.push({ key: 'pt', text: plan.phase === 'review' ? 'Containment plan' : plan.phase === 'running' ? 'Containment plan: running' : 'Containment plan: done', style: { bold: true } });
      const p = planLines(plan, inc, ui.focus, evidenceDir, dim(theme));
      const notes: Line[] = [];
      if (plan.readOnly) notes.push({ key: 'ro', text: `nothing will run: ${sanitize(plan.readOnly)}`, sev: 'medium' });
      if (plan.stopped && !plan.readOnly) notes.push({ key: 'st', text: `the plan stopped: ${sanitize(plan.stopped)}`, sev: 'high' });
      if (plan.auditPath) notes.push({ key: 'au', text: `audit log: ${sanitize(plan.auditPath)}`, style: dim(theme) });
      // steps, outcomes and notes wrap: a path or a PID list is never cut off
      const wrapped = wrapLines([...p.lines, ...notes], inner);
      anchor = body.length + wrapped.first[p.anchor];
      body.push(...wrapped.lines);
      const ticked = plan.steps.filter((s) => s.enabled).length;
      hint = plan.phase === 'review'
        ? `y runs the ${ticked} ticked step${ticked === 1 ? '' : 's'} (the only confirmation; audited) · Space unticks · ↑↓ choose · Esc back`
        : plan.phase === 'running' ? 'running… every step is audited' : 'Enter or Esc closes · the audit log and evidence are in the record pane';
    }
  }
  // the hint wraps onto a second line rather than losing its last keys (Esc) on a narrow screen
  const hintRows = Math.min(2, wrap(`lines 999-999 of 999 · ${hint}`, inner).length);
  const bodyRows = Math.max(1, height - 3 - hintRows); // border (2), title, hint
  const wanted = Math.max(0, Math.min(anchor - Math.floor(bodyRows / 2), body.length - bodyRows));
  const top = Math.max(0, Math.min(ui.mode === 'plan' ? wanted + ui.scroll : ui.scroll, Math.max(0, body.length - bodyRows)));
  const shown = body.slice(top, top + bodyRows);
  // where the view is, at the start of the hint (the title may be cut on a narrow screen; this is not)
  const more = body.length > bodyRows ? `lines ${top + 1}-${top + shown.length} of ${body.length} · ` : '';
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" borderColor={theme.color ? 'red' : undefined} paddingX={1}>
      <Text {...accent(theme)} wrap="truncate-end">{title}</Text>
      <Box flexDirection="column" height={bodyRows}>
        {shown.map((l) => (
          <Text key={l.key} wrap="truncate-end" {...(l.style ?? {})}>
            {l.lead ?? ''}
            {l.sev ? <Text {...severityStyle(theme, l.sev)}>{l.text}</Text> : l.text}
          </Text>
        ))}
      </Box>
      {wrap(`${more}${hint}`, inner).slice(0, hintRows).map((h, i) => <Text key={`h${i}`} {...dim(theme)} wrap="truncate-end">{h}</Text>)}
    </Box>
  );
}
