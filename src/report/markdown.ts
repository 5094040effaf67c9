// The incident report as Markdown, ready to paste into a ticket. Every string that came from a
// process or a file (names, command lines, cron lines, messages) is made inert: control characters
// escaped, table cells cannot break out of their cell, code spans and fences cannot be closed early.
import { sanitize } from '../text/sanitize';
import type { IncidentReport, ReportFindingLine, ReportLogin } from './build';

/** Inline text: control characters visible, Markdown's active characters escaped. */
function md(s: string | null | undefined): string {
  return sanitize(s ?? '').replace(/([\\`*_{}[\]<>()#+!|~])/g, '\\$1');
}

/** A code span that no backtick run inside can close. */
function code(s: string | null | undefined): string {
  const text = sanitize(s ?? '');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${/^`|`$/.test(text) || text === '' ? ` ${text} ` : text}${fence}`;
}

function block(lines: string[]): string[] {
  const text = lines.map((l) => sanitize(l));
  const longest = Math.max(2, ...text.flatMap((l) => (l.match(/`+/g) ?? []).map((r) => r.length)));
  const fence = '`'.repeat(longest + 1);
  return [fence, ...text, fence];
}

function findings(list: ReportFindingLine[]): string[] {
  return list.map((f) => `  - **${md(f.id)}** ${md(f.severity)}: ${md(f.title)}. ${md(f.explanation)}`);
}

function login(l: ReportLogin): string {
  return `| ${l.time ? md(l.time) : '?'} | ${md(l.user)} | ${md(l.tty)} | ${md(l.host)} |`;
}

export function renderMarkdown(r: IncidentReport): string {
  const out: string[] = [];
  out.push(`# Incident report: ${md(r.host.hostname ?? 'unknown host')}`, '');
  out.push(`Generated ${md(r.generatedAt)} by minewatch from ${code(r.evidenceDir)}.`, '');
  out.push('| | |', '| --- | --- |');
  out.push(`| host | ${md(r.host.hostname ?? '?')} |`);
  out.push(`| kernel | ${md(r.host.kernel ?? '?')} |`);
  out.push(`| run | minewatch PID ${r.run.minewatchPid ?? '?'}${r.run.actor ? `, as ${md(r.run.actor)}` : ''} |`);
  out.push(`| from | ${md(r.run.from ?? '?')} |`, `| to | ${md(r.run.to ?? '?')} |`, '');

  out.push('## Processes', '');
  if (r.processes.length === 0) out.push('No process evidence was captured in this run.', '');
  for (const p of r.processes) {
    out.push(`### PID ${p.pid} ${code(p.name)}${p.role ? ` (${md(p.role)})` : ''}${p.severity && p.severity !== 'none' ? `: ${md(p.severity)}` : ''}`, '');
    out.push(`- user: ${md(p.user)}${p.uid !== null ? ` (uid ${p.uid})` : ''}`);
    out.push(`- executable: ${p.exe ? code(p.exe) : 'unreadable'}${p.exeDeleted ? ' (deleted from disk)' : ''}`);
    out.push(`- SHA-256: ${p.sha256 ? code(p.sha256) : 'not copied'}`);
    out.push(`- command line: ${code(p.cmdline.join(' '))}`);
    out.push(`- start time (clock ticks since boot): ${p.startTicks ?? '?'}`);
    out.push(`- evidence: ${code(p.evidence)}`);
    if (p.findings.length) out.push('- findings:', ...findings(p.findings));
    out.push('');
  }

  out.push('## Persistence', '');
  if (r.persistence.length === 0) out.push('No persistence entry was linked or changed in this run.', '');
  for (const e of r.persistence) {
    out.push(`### ${md(e.label)}${e.severity && e.severity !== 'none' ? `: ${md(e.severity)}` : ''}`, '');
    out.push(`- file: ${code(e.path)}${e.line !== null ? `, line ${e.line}` : ''}`);
    if (e.raw) out.push('- line:', '', ...block([e.raw]), '');
    if (e.findings.length) out.push('- findings:', ...findings(e.findings));
    if (e.change) out.push(`- ${md(e.change.time)}: ${md(e.change.result)}: ${md(e.change.message)}${e.change.backup ? ` (backup ${code(e.change.backup)})` : ''}`);
    else out.push('- not changed by minewatch');
    out.push('');
  }

  out.push('## Logins of the account', '');
  if (r.logins.length === 0) out.push('No login records were kept with the evidence.', '');
  for (const l of r.logins) {
    out.push(`### ${md(l.user)}${l.source ? ` (from ${code(l.source)})` : ''}`, '');
    out.push('| time | user | tty | from |', '| --- | --- | --- | --- |', ...l.last.map(login));
    if (l.last.length === 0) out.push('| | no successful login recorded | | |');
    out.push('');
    if (l.failed.length) out.push('Failed attempts:', '', '| time | user | tty | from |', '| --- | --- | --- | --- |', ...l.failed.map(login), '');
  }

  out.push('## Actions and outcomes', '');
  if (r.actions.length === 0) out.push('The audit log has no action of this run.', '');
  else {
    out.push('| time | action | PID | result | what happened |', '| --- | --- | --- | --- | --- |');
    for (const a of r.actions) out.push(`| ${md(a.time)} | ${md(a.action)} | ${a.pid ?? ''} | ${md(a.result)} | ${md(a.message)} |`);
    out.push('');
  }

  out.push('## Timeline', '');
  for (const t of r.timeline) out.push(`- ${md(t.time)}: ${md(t.what)}`);
  if (r.timeline.length === 0) out.push('Nothing was recorded.');
  out.push('');
  if (r.notes.length) out.push('## Notes', '', ...r.notes.map((n) => `- ${md(n)}`), '');
  return out.join('\n');
}
