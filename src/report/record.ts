// The incident record of this run, for the dashboard's record pane: where the evidence is, what each
// capture holds, and this run's audit log, newest last. Read through the safe opener (load.ts); the
// lines are typed content (src/text/content.ts), already sanitized, shown in the dashboard's pane.
import type { Severity } from '../model';
import { line, type Line, type Tone } from '../text/content';
import { sanitize } from '../text/sanitize';
import { buildIncidentReport } from './build';
import { loadRun } from './load';

const l = (text: string, indent = 0, tone: Tone = 'plain', severity?: Severity): Line => line(text, { indent, tone, severity });

const BAD = new Set(['refused', 'failed', 'partial']);

export function recordOfRun(evidenceDir: string, runPid: number): { title: string; lines: Line[] } {
  const input = loadRun(evidenceDir);
  const r = buildIncidentReport(input, { runPid });
  const lines: Line[] = [];
  lines.push(l(`Evidence directory: ${sanitize(evidenceDir)}`, 0, 'heading'));
  const captures = input.captures.filter((c) => r.processes.some((p) => p.evidence === c.name));
  if (captures.length === 0) lines.push(l('nothing captured in this run yet (evidence is kept before a kill or by a containment plan)', 2, 'dim'));
  for (const c of captures) {
    lines.push(l(`${sanitize(c.name)}: ${c.sums.size} files with SHA-256 sums`, 2));
    for (const p of r.processes.filter((x) => x.evidence === c.name)) {
      lines.push(l(`PID ${p.pid} ${sanitize(p.name)} ${p.exe ? sanitize(p.exe) : '(exe unreadable)'}`, 4));
      if (p.sha256) lines.push(l(`sha256 ${p.sha256}`, 6, 'dim'));
    }
  }
  lines.push(l(''));
  lines.push(l(`Audit log: ${sanitize(evidenceDir)}/audit.jsonl, ${r.actions.length} record${r.actions.length === 1 ? '' : 's'} of this run (minewatch PID ${runPid})`, 0, 'heading'));
  if (r.actions.length === 0) lines.push(l('no action yet in this run', 2, 'dim'));
  for (const a of r.actions) {
    const bad = BAD.has(a.result);
    lines.push(l(`${a.time.slice(11, 19)} ${a.action} ${a.result}: ${sanitize(a.message)}`, 2, bad ? 'warn' : 'plain', bad ? 'high' : undefined));
  }
  for (const n of r.notes) lines.push(l(sanitize(n), 2, 'warn'));
  lines.push(l(''));
  lines.push(l(`minewatch report ${sanitize(evidenceDir)} writes this run's incident report (Markdown and JSON)`, 0, 'dim'));
  return { title: 'Incident record: evidence and audit log of this run', lines };
}
