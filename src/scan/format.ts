// The readable table of `minewatch scan`: flagged processes worst first, each with its reasons.
import type { Severity } from '../model';
import { clip, formatCmdline, sanitize } from '../text/sanitize';
import type { ReportProcess, ScanReport } from './report';

/** Severity as a word and a glyph, so nothing rests on colour. */
export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: '!! CRITICAL', high: '!  HIGH', medium: '~  MEDIUM', low: '.  LOW', none: '   -',
};

function pad(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

function row(p: ReportProcess, width: number): string {
  const what = p.exe ? `${p.exe}${p.exeDeleted ? ' (deleted)' : ''}` : p.kernelThread ? '[kernel thread]' : '?';
  const head = `${pad(SEVERITY_LABEL[p.severity], 12)} ${pad(String(p.score), 5)} ${pad(String(p.pid), 7)} ${pad(clip(p.user, 10), 10)} ${pad(p.cpuPercent.toFixed(1), 6)} ${pad(clip(p.name, 16), 16)} `;
  return head + clip(`${what}  ${formatCmdline(p.cmdline)}`, Math.max(20, width - head.length));
}

export function formatScanText(report: ScanReport, opts: { width?: number; total: number }): string {
  const width = opts.width ?? 120;
  const flagged = report.processes.filter((p) => p.severity !== 'none');
  const lines: string[] = [];
  lines.push(`minewatch scan: ${sanitize(report.host.hostname)} (kernel ${sanitize(report.host.kernel)}), ${report.scannedAt}, ${report.host.root ? 'as root' : 'NOT root: limited view'}`);
  lines.push(`${opts.total} processes, ${flagged.length} flagged` +
    (flagged.length ? ` (${(['critical', 'high', 'medium', 'low'] as Severity[]).map((s) => `${flagged.filter((p) => p.severity === s).length} ${s}`).join(', ')})` : ''));
  for (const w of report.warnings) lines.push(`warning: ${sanitize(w)}`);
  lines.push('');
  if (report.processes.length === 0 && report.persistence.length === 0) {
    lines.push('Nothing suspicious found.');
    return lines.join('\n') + '\n';
  }
  lines.push(`${pad('SEVERITY', 12)} ${pad('SCORE', 5)} ${pad('PID', 7)} ${pad('USER', 10)} ${pad('CPU%', 6)} ${pad('NAME', 16)} EXECUTABLE  COMMAND`);
  for (const p of report.processes) {
    lines.push(row(p, width));
    for (const f of p.findings) {
      lines.push(`    ${f.id} ${sanitize(f.title)}: ${sanitize(f.explanation)} [${f.attack.join(', ')}]`);
    }
    for (const s of p.startedBy) lines.push(`    started by: ${sanitize(s.label)} (matched by ${s.via})`);
    if (p.gpu) lines.push(`    gpu: ${sanitize(p.gpu.devices.join(', '))}${p.gpu.memBytes !== null ? `, ${Math.round(p.gpu.memBytes / 2 ** 20)} MiB` : ''}${p.gpu.utilPct !== null ? `, ${Math.round(p.gpu.utilPct)}% busy` : ''} (${p.gpu.source})`);
    if (p.container) lines.push(`    container: ${sanitize(p.container.label)} (${p.container.runtime}${p.container.ownPidNamespace ? ', own PID namespace' : ''})`);
  }
  if (report.persistence.length > 0) {
    lines.push('', 'PERSISTENCE (what would start something again)');
    for (const e of report.persistence) {
      lines.push(`${pad(SEVERITY_LABEL[e.severity], 12)} ${pad(String(e.score), 5)} ${sanitize(e.path)}${e.line !== null ? `:${e.line}` : ''}${e.runsAs ? ` (runs as ${sanitize(e.runsAs)})` : ''}`);
      lines.push(`    ${clip(e.raw, Math.max(20, width - 4))}`);
      for (const f of e.findings) lines.push(`    ${f.id} ${sanitize(f.title)}: ${sanitize(f.explanation)}`);
      if (e.runningPids.length) lines.push(`    starts running PID ${e.runningPids.join(', ')}`);
    }
  }
  return lines.join('\n') + '\n';
}
