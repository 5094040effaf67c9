// An InspectReport as typed lines, one formatter per section, shared by `minewatch inspect` (as text)
// and the dashboard's inspector pane (coloured by severity and tone, never parsed). Every string that
// came from the process or the host goes through sanitize(): nothing can move the cursor or recolour.

import type { Severity } from '../model';
import type { PackageLookup } from '../pkg/packages';
import { describeEntry } from '../persistence/format';
import type { PersistenceEntry } from '../persistence/types';
import { heading, line, toText, type Line, type Section } from '../text/content';
import { clip, formatCmdline, sanitize } from '../text/sanitize';
import type { Executable, InspectReport, LoginRecord, Section as ReportSection } from './types';

const LIST_SHOWN = 20;

function time(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return '?';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function s(text: string | null | undefined): string {
  return text === null || text === undefined ? '-' : sanitize(text);
}

/** The section's lines when it was read; otherwise one line that says why not. */
function section<T>(id: string, title: string, sec: ReportSection<T>, body: (data: T) => Line[]): Section {
  if (!sec.ok) return { id, lines: [line(`${title}: unavailable (${sanitize(sec.reason)})`, { tone: 'dim' })] };
  return { id, lines: body(sec.data) };
}

function list(items: readonly string[], indent: number, opts: { severity?: Severity } = {}): Line[] {
  const out = items.slice(0, LIST_SHOWN).map((item) => line(sanitize(item), { indent, ...opts }));
  if (items.length > LIST_SHOWN) out.push(line(`… ${items.length - LIST_SHOWN} more`, { indent, tone: 'dim' }));
  return out;
}

function login(r: LoginRecord): string {
  return `${time(r.time)}  ${s(r.user)}  ${s(r.tty)}  ${r.host ? s(r.host) : '-'}`;
}

const field = (name: string, value: string, opts: { severity?: Severity; tone?: Line['tone'] } = {}) => line(`${name.padEnd(9)} ${value}`, { indent: 2, ...opts });

export function titleSection(report: InspectReport): Section {
  const id = report.identity;
  return {
    id: 'title',
    lines: [heading(id.ok
      ? `Process ${report.pid} "${s(id.data.name)}" (state ${s(id.data.state)}), inspected ${time(report.takenAt)}`
      : `Process ${report.pid}, inspected ${time(report.takenAt)}`)],
  };
}

export function identitySection(report: InspectReport): Section {
  return section('identity', 'Identity', report.identity, (d) => {
    const sudo = d.canSudo.value === null ? 'unknown' : d.canSudo.value ? 'YES' : 'no';
    return [
      heading('Identity'),
      field('user', `${s(d.user)} (uid ${d.uid})`
        + (d.effectiveUid !== undefined ? `, running as ${s(d.effectiveUser)} (effective uid ${d.effectiveUid})` : '')),
      field('groups', d.gids.map((g, i) => `${s(d.groups[i] ?? String(g))}(${g})`).join(', ') || '-'),
      field('sudo', `${sudo}: ${s(d.canSudo.why)}`, d.canSudo.value ? { tone: 'warn' } : {}),
      field('shell', `${s(d.shell)}   home ${s(d.home)}`),
      field('started', `${time(d.startTime)}   ppid ${d.ppid}   session ${d.session}   tty ${d.ttyNr === 0 ? 'none' : d.ttyNr}`),
      field('cgroup', s(d.cgroup)),
      field('parents', d.ancestry.map((a) => `${a.pid} ${s(a.name)}`).join(' <- ') || '-'),
    ];
  });
}

/**
 * Who installed the executable, and whether the running file is what the package recorded: `dpkg -S`
 * and `debsums`, `rpm -qf` and `rpm -V`, from the package database itself.
 */
export function packageLines(d: Executable, packages: PackageLookup, sameFiles: boolean | null = null): Line[] {
  if (!d.path || d.memfd) return [];
  if (sameFiles === false) return [field('package', 'not looked up: it runs in another mount namespace (a container), where this path is not the host\'s file', { tone: 'dim' })];
  const own = packages.owner(d.path);
  if (own.state === 'unknown') return [field('package', `unknown (${s(own.why)})`, { tone: 'dim' })];
  if (own.state === 'unowned') return [field('package', 'none: no package installed this file', { tone: 'warn' })];
  const out = [field('package', `${s(own.package)} (${packages.kind})`)];
  const recorded = packages.digest(d.path);
  const mine = recorded?.algo === 'sha256' ? d.sha256 : recorded?.algo === 'md5' ? d.md5 : null;
  if (!recorded) out.push(field('verified', 'not compared: the package recorded no digest for this file', { tone: 'dim' }));
  else if (d.deleted) out.push(field('verified', 'not compared: the file it runs was deleted (the package describes the file now at that path)', { tone: 'dim' }));
  else if (!d.sha256) out.push(field('verified', 'not compared yet: the executable is not hashed', { tone: 'dim' }));
  else if (mine === null) out.push(field('verified', `not compared: the package recorded a ${recorded.algo} digest`, { tone: 'dim' }));
  else if (mine === recorded.hex) out.push(field('verified', `its ${recorded.algo} is the one the package recorded`, { tone: 'good' }));
  else out.push(field('verified', `DIFFERS from the package: its ${recorded.algo} ${mine.slice(0, 16)}…, recorded ${s(recorded.hex).slice(0, 16)}…`, { severity: 'high' }));
  return out;
}

export function executableSection(report: InspectReport, packages?: PackageLookup, sameFiles: boolean | null = null): Section {
  return section('executable', 'Executable', report.executable, (d) => {
    const tags = [d.deleted ? 'DELETED' : '', d.memfd ? 'MEMFD (fileless)' : ''].filter(Boolean).join(', ');
    const out = [
      heading('Executable'),
      field('path', `${s(d.path)}${tags ? `  [${tags}]` : ''}`, tags ? { severity: 'high' } : {}),
      field('type', s(d.fileType)),
      field('file', `${d.size === null ? '? bytes' : `${d.size} bytes`}   mode ${d.mode === null ? '?' : d.mode.toString(8).padStart(4, '0')}   owner ${s(d.owner)}   mtime ${time(d.mtime)}`),
    ];
    if (d.sha256) out.push(field('sha256', d.sha256));
    if (d.md5) out.push(field('md5', d.md5));
    if (!d.sha256 && !d.hashNote) out.push(field('hashes', 'not computed (quick inspection)', { tone: 'dim' }));
    if (d.hashNote) out.push(field('note', s(d.hashNote)));
    if (d.stringsHits.length) {
      out.push(field('strings', `${d.stringsHits.length} miner indicator(s):`, { severity: 'high' }));
      out.push(...list(d.stringsHits.map((h) => `[${h.kind}] ${h.text}`), 4, { severity: 'high' }));
    } else if (d.sha256) {
      out.push(field('strings', 'no miner indicators'));
    }
    if (packages) out.push(...packageLines(d, packages, sameFiles));
    return out;
  });
}

export function placeSection(report: InspectReport): Section {
  return {
    id: 'place',
    lines: [
      ...section('cwd', 'Working directory', report.cwd, (d) => [line(`Working directory  ${s(d)}`)]).lines,
      ...section('cmdline', 'Command line', report.cmdline, (d) => [line(`Command line  ${d.length ? formatCmdline(d) : '(empty)'}`
        + (report.cmdlineTruncated ? '  … (truncated: longer than the inspector keeps)' : ''))]).lines,
    ],
  };
}

export function environmentSection(report: InspectReport): Section {
  return section('environment', 'Environment', report.environment, (d) => [
    heading(`Environment (${d.length} variables, ${d.filter((e) => e.flag === 'secret-masked').length} masked)`),
    ...d.filter((e) => e.flag === 'preload').map((e) => line(`!! ${s(e.name)}=${s(e.value)}`, { indent: 2, severity: 'high' })),
    ...list(d.filter((e) => e.flag !== 'preload').map((e) => `${e.name}=${e.value}`), 2),
  ]);
}

export function openFilesSection(report: InspectReport): Section {
  return section('files', 'Open files', report.openFiles, (d) => {
    // every fd is counted in exactly one kind, so the parts add up to the total; the lists below show
    // each file once, however many fds hold it
    const n = d.fds ?? { files: d.files.length, sockets: d.sockets.length, pipes: d.pipes, other: d.other.length };
    const parts = [`${n.files} on files`, `${n.sockets} sockets`, `${n.pipes} pipes`, `${n.other} other`];
    if (d.unreadable) parts.push(`${d.unreadable} unreadable`);
    const gone = d.total - (n.files + n.sockets + n.pipes + n.other + d.unreadable);
    if (gone > 0) parts.push(`${gone} closed while read`);
    if (n.files > d.files.length) parts.push(`${d.files.length} distinct files`);
    return [heading(`Open files (${d.total} fds: ${parts.join(', ')})`), ...list(d.files, 2), ...list(d.other, 2)];
  });
}

export function connectionsSection(report: InspectReport): Section {
  return section('connections', 'Connections', report.connections, (d) => {
    const out = [heading(`Connections (${d.length})`)];
    for (const c of d.slice(0, LIST_SHOWN)) {
      const local = `${s(c.localAddress)}:${c.localPort}`;
      const remote = c.remotePort === 0 ? '*' : `${s(c.remoteAddress)}:${c.remotePort}`;
      out.push(line(`${c.protocol.padEnd(4)} ${local} -> ${remote}  ${s(c.state)}${c.poolPort ? '  [mining pool port]' : ''}`, { indent: 2, ...(c.poolPort ? { severity: 'high' as const } : {}) }));
    }
    if (d.length > LIST_SHOWN) out.push(line(`… ${d.length - LIST_SHOWN} more`, { indent: 2, tone: 'dim' }));
    return out;
  });
}

export function memoryMapsSection(report: InspectReport): Section {
  return section('maps', 'Memory maps', report.memoryMaps, (d) => {
    const out = [heading(`Memory maps (${d.regions} regions, ${d.mappedFiles.length} mapped files)`)];
    if (d.deletedLibs.length) out.push(line('deleted code still mapped:', { indent: 2, severity: 'medium' }), ...list(d.deletedLibs, 4, { severity: 'medium' }));
    if (d.writableDirLibs.length) out.push(line('code mapped from world-writable directories:', { indent: 2, severity: 'medium' }), ...list(d.writableDirLibs, 4, { severity: 'medium' }));
    return out;
  });
}

export function loginsSection(report: InspectReport): Section {
  return section('logins', 'Logins', report.logins, (d) => [
    heading(`Logins of the owner (${s(d.source)})`),
    line(d.last.length ? 'last:' : 'last: none', { indent: 2 }),
    ...d.last.slice(0, LIST_SHOWN).map((r) => line(login(r), { indent: 4 })),
    line(d.failed.length ? 'failed:' : 'failed: none', { indent: 2 }),
    ...d.failed.slice(0, LIST_SHOWN).map((r) => line(login(r), { indent: 4, ...(d.failed.length ? { tone: 'warn' as const } : {}) })),
  ]);
}

export function historySection(report: InspectReport): Section {
  return section('history', 'Shell history', report.history, (d) => [
    heading(`Shell history (${s(d.file)}, last ${d.lines.length} lines)`),
    ...(d.note ? [line(`note: ${s(d.note)}`, { indent: 2, tone: 'dim' })] : []),
    ...list(d.lines, 2),
  ]);
}

/** Every section of the inspector, in reading order. */
/**
 * `packages`: where given, the executable's package and whether the file is the one it installed;
 * `sameFiles`: whether the process shares minewatch's mount namespace (sharesMountNamespace).
 */
export function inspectSections(report: InspectReport, packages?: PackageLookup, sameFiles: boolean | null = null): Section[] {
  return [
    titleSection(report), identitySection(report), executableSection(report, packages, sameFiles), placeSection(report), environmentSection(report),
    openFilesSection(report), connectionsSection(report), memoryMapsSection(report), loginsSection(report), historySection(report),
  ];
}

/** What detection made of a process: its severity and every finding, worst first. */
export interface DetectionInput {
  severity: Severity;
  score: number;
  findings: readonly { id: string; severity: Severity; title: string; explanation: string; attack: readonly string[] }[];
}

export const SEVERITY_WORD: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', none: '-' };

export function detectionSection(d: DetectionInput | null): Section {
  if (!d || d.findings.length === 0) return { id: 'detection', lines: [heading('Detection'), line('nothing flagged: no rule matched', { indent: 2, tone: 'good' })] };
  return {
    id: 'detection',
    lines: [
      heading(`Detection: ${SEVERITY_WORD[d.severity]}, score ${d.score}`),
      ...d.findings.map((f) => line(`${f.id} ${sanitize(f.title)}: ${sanitize(f.explanation)}${f.attack.length ? ` [${f.attack.join(', ')}]` : ''}`, {
        indent: 2, severity: f.severity, label: SEVERITY_WORD[f.severity],
      })),
    ],
  };
}

/** A persistence entry that starts the process, and how it was matched to it. */
export interface StartedByInput {
  label: string;
  via: string;
  entry: PersistenceEntry | null;
}

export function startedBySection(started: readonly StartedByInput[], opts: { searched?: boolean } = {}): Section {
  if (started.length === 0) {
    return { id: 'started-by', lines: [heading('Started by'), line(opts.searched === false ? 'not looked up' : 'nothing found in the persistence locations read', { indent: 2, tone: 'dim' })] };
  }
  const out = [heading('Started by')];
  for (const st of started) {
    const e = st.entry;
    out.push(line(`${sanitize(st.label)} (matched by ${st.via})${e ? `: ${clip(e.raw, 200)}` : ''}`, { indent: 2, ...(e && e.severity !== 'none' ? { severity: e.severity } : {}) }));
    if (!e) continue;
    out.push(line(`=> ${sanitize(describeEntry(e))}`, { indent: 4 }));
    for (const f of e.findings) out.push(line(`${f.id} ${sanitize(f.title)}: ${sanitize(f.explanation)}`, { indent: 4, severity: f.severity }));
  }
  return { id: 'started-by', lines: out };
}

/** The sections without blank lines between them, as the inspector has always printed them. */
export function joinSections(sections: readonly Section[]): Line[] {
  return sections.flatMap((x) => x.lines);
}

export function formatInspect(report: InspectReport): string[] {
  return toText(joinSections(inspectSections(report)));
}
