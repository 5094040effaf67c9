// Human-readable lines of an InspectReport for a terminal. Every string that came from the process
// or the host goes through sanitize(): nothing in the output can move the cursor or recolour.

import { formatCmdline, sanitize } from '../text/sanitize';
import type { InspectReport, LoginRecord, Section } from './types';

const LIST_SHOWN = 20;

function time(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return '?';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function s(text: string | null | undefined): string {
  return text === null || text === undefined ? '-' : sanitize(text);
}

function heading<T>(title: string, sec: Section<T>, lines: string[]): sec is { ok: true; data: T } {
  if (!sec.ok) {
    lines.push(`${title}: unavailable (${sanitize(sec.reason)})`);
    return false;
  }
  return true;
}

function list(lines: string[], items: readonly string[], indent = '    '): void {
  for (const item of items.slice(0, LIST_SHOWN)) lines.push(indent + sanitize(item));
  if (items.length > LIST_SHOWN) lines.push(`${indent}… ${items.length - LIST_SHOWN} more`);
}

function login(r: LoginRecord): string {
  return `${time(r.time)}  ${s(r.user)}  ${s(r.tty)}  ${r.host ? s(r.host) : '-'}`;
}

export function formatInspect(report: InspectReport): string[] {
  const lines: string[] = [];
  const id = report.identity;
  lines.push(
    id.ok
      ? `Process ${report.pid} "${s(id.data.name)}" (state ${s(id.data.state)}), inspected ${time(report.takenAt)}`
      : `Process ${report.pid}, inspected ${time(report.takenAt)}`,
  );

  if (heading('Identity', id, lines)) {
    const d = id.data;
    lines.push('Identity');
    lines.push(`  user      ${s(d.user)} (uid ${d.uid})`
      + (d.effectiveUid !== undefined ? `, running as ${s(d.effectiveUser)} (effective uid ${d.effectiveUid})` : ''));
    lines.push(`  groups    ${d.gids.map((g, i) => `${s(d.groups[i] ?? String(g))}(${g})`).join(', ') || '-'}`);
    const sudo = d.canSudo.value === null ? 'unknown' : d.canSudo.value ? 'YES' : 'no';
    lines.push(`  sudo      ${sudo}: ${s(d.canSudo.why)}`);
    lines.push(`  shell     ${s(d.shell)}   home ${s(d.home)}`);
    lines.push(`  started   ${time(d.startTime)}   ppid ${d.ppid}   session ${d.session}   tty ${d.ttyNr === 0 ? 'none' : d.ttyNr}`);
    lines.push(`  cgroup    ${s(d.cgroup)}`);
    lines.push(`  parents   ${d.ancestry.map((a) => `${a.pid} ${s(a.name)}`).join(' <- ') || '-'}`);
  }

  const ex = report.executable;
  if (heading('Executable', ex, lines)) {
    const d = ex.data;
    const tags = [d.deleted ? 'DELETED' : '', d.memfd ? 'MEMFD (fileless)' : ''].filter(Boolean).join(', ');
    lines.push('Executable');
    lines.push(`  path      ${s(d.path)}${tags ? `  [${tags}]` : ''}`);
    lines.push(`  type      ${s(d.fileType)}`);
    lines.push(
      `  file      ${d.size === null ? '? bytes' : `${d.size} bytes`}   mode ${d.mode === null ? '?' : d.mode.toString(8).padStart(4, '0')}   owner ${s(d.owner)}   mtime ${time(d.mtime)}`,
    );
    if (d.sha256) lines.push(`  sha256    ${d.sha256}`);
    if (d.md5) lines.push(`  md5       ${d.md5}`);
    if (!d.sha256 && !d.hashNote) lines.push('  hashes    not computed (quick inspection)');
    if (d.hashNote) lines.push(`  note      ${s(d.hashNote)}`);
    if (d.stringsHits.length) {
      lines.push(`  strings   ${d.stringsHits.length} miner indicator(s):`);
      list(lines, d.stringsHits.map((h) => `[${h.kind}] ${h.text}`));
    } else if (d.sha256) {
      lines.push('  strings   no miner indicators');
    }
  }

  if (heading('Working directory', report.cwd, lines)) lines.push(`Working directory  ${s(report.cwd.data)}`);
  if (heading('Command line', report.cmdline, lines)) {
    lines.push(`Command line  ${report.cmdline.data.length ? formatCmdline(report.cmdline.data) : '(empty)'}`
      + (report.cmdlineTruncated ? '  … (truncated: longer than the inspector keeps)' : ''));
  }

  const env = report.environment;
  if (heading('Environment', env, lines)) {
    const flagged = env.data.filter((e) => e.flag === 'preload');
    lines.push(`Environment (${env.data.length} variables, ${env.data.filter((e) => e.flag === 'secret-masked').length} masked)`);
    for (const e of flagged) lines.push(`  !! ${s(e.name)}=${s(e.value)}`);
    list(
      lines,
      env.data.filter((e) => e.flag !== 'preload').map((e) => `${e.name}=${e.value}`),
      '  ',
    );
  }

  const of = report.openFiles;
  if (heading('Open files', of, lines)) {
    const d = of.data;
    lines.push(`Open files (${d.total} fds: ${d.files.length} files, ${d.sockets.length} sockets, ${d.pipes} pipes, ${d.other.length} other${d.unreadable ? `, ${d.unreadable} unreadable` : ""})`);
    list(lines, d.files, '  ');
    list(lines, d.other, '  ');
  }

  const cn = report.connections;
  if (heading('Connections', cn, lines)) {
    lines.push(`Connections (${cn.data.length})`);
    for (const c of cn.data.slice(0, LIST_SHOWN)) {
      const local = `${s(c.localAddress)}:${c.localPort}`;
      const remote = c.remotePort === 0 ? '*' : `${s(c.remoteAddress)}:${c.remotePort}`;
      lines.push(`  ${c.protocol.padEnd(4)} ${local} -> ${remote}  ${s(c.state)}${c.poolPort ? '  [mining pool port]' : ''}`);
    }
    if (cn.data.length > LIST_SHOWN) lines.push(`  … ${cn.data.length - LIST_SHOWN} more`);
  }

  const mm = report.memoryMaps;
  if (heading('Memory maps', mm, lines)) {
    const d = mm.data;
    lines.push(`Memory maps (${d.regions} regions, ${d.mappedFiles.length} mapped files)`);
    if (d.deletedLibs.length) {
      lines.push('  deleted code still mapped:');
      list(lines, d.deletedLibs);
    }
    if (d.writableDirLibs.length) {
      lines.push('  code mapped from world-writable directories:');
      list(lines, d.writableDirLibs);
    }
  }

  const lg = report.logins;
  if (heading('Logins', lg, lines)) {
    lines.push(`Logins of the owner (${s(lg.data.source)})`);
    lines.push(lg.data.last.length ? '  last:' : '  last: none');
    for (const r of lg.data.last.slice(0, LIST_SHOWN)) lines.push('    ' + login(r));
    lines.push(lg.data.failed.length ? '  failed:' : '  failed: none');
    for (const r of lg.data.failed.slice(0, LIST_SHOWN)) lines.push('    ' + login(r));
  }

  const hi = report.history;
  if (heading('Shell history', hi, lines)) {
    lines.push(`Shell history (${s(hi.data.file)}, last ${hi.data.lines.length} lines)`);
    if (hi.data.note) lines.push(`  note: ${s(hi.data.note)}`);
    list(lines, hi.data.lines, '  ');
  }
  return lines;
}
