// Lines for the persistence view (`minewatch inspect`, the TUI pane), typed (severity, tone) so the
// pane colours them without parsing; formatPersistence() spells them out as text. Every string that
// came from the host goes through sanitize()/clip(): file contents are hostile.
import { blank, heading, line, toText, type Line } from '../text/content';
import { clip, sanitize } from '../text/sanitize';
import { describeSchedule } from './judge';
import type { PersistenceLink } from './link';
import type { PersistenceEntry, PersistenceKind, PersistenceReport } from './types';

const RAW_WIDTH = 200;

function hasId(e: PersistenceEntry, id: string): boolean {
  return e.findings.some((f) => f.id === id);
}

/** When an entry of each kind runs, in words; cron-like kinds describe their schedule. */
const WHEN: Partial<Record<PersistenceKind, (e: PersistenceEntry) => string>> = {
  'at-job': (e) => (e.schedule ? `once, ${e.schedule}` : 'once'),
  'shell-startup': () => 'whenever a shell starts',
  'rc-script': () => 'at every boot',
  'systemd-unit': () => 'as a systemd service',
  'systemd-timer': (e) => `on a systemd timer${e.schedule ? ` (${e.schedule})` : ''}`,
  anacrontab: (e) => e.schedule ?? '',
  'authorized-keys': () => 'at every SSH login with this key',
  'ld-preload': () => 'inside every program started',
  'udev-rule': () => 'when a device event matches a udev rule',
  pam: () => 'at every login, su or sudo that goes through PAM',
  'xdg-autostart': () => 'when a desktop session starts',
  'systemd-generator': () => 'at every boot and systemd reload, before any unit',
  'kernel-module': (e) => (e.schedule === '@boot' ? 'in the kernel at every boot' : 'whenever a kernel module is asked for'),
  environment: () => 'in every login session',
};

/** One plain sentence for an entry, e.g. "runs every 5 minutes from a hidden directory (/home/abc/.x) and discards all output". Raw: sanitize before display. */
export function describeEntry(e: PersistenceEntry): string {
  const when = (WHEN[e.kind] ?? ((x: PersistenceEntry) => describeSchedule(x.schedule) ?? ''))(e);
  const parts: string[] = [];
  const c1 = e.findings.find((f) => f.id === 'C1');
  if (c1) {
    const dir = String(c1.evidence.directory ?? '');
    parts.push(/^\/(tmp|var\/tmp|dev\/shm|run\/)/.test(dir) ? `from the temporary directory ${dir}` : `from a hidden directory (${dir})`);
  }
  const extras: string[] = [];
  if (hasId(e, 'C2')) extras.push('pipes a download into a shell');
  if (hasId(e, 'C4')) extras.push('hides its command in an encoded payload');
  if (hasId(e, 'P10')) extras.push('names a crypto-miner');
  if (hasId(e, 'C8')) extras.push('uses a system program\'s name');
  if (hasId(e, 'C7')) extras.push('discards all output');
  const verb = e.kind === 'ld-preload' || e.kind === 'environment' || (e.kind === 'pam' && hasId(e, 'P15')) || hasId(e, 'P18') ? 'is loaded' : e.kind === 'authorized-keys' && !e.command ? 'allows a login' : 'runs';
  let s = [verb, when, ...parts].filter(Boolean).join(' ');
  if (extras.length === 1) s += ` and ${extras[0]}`;
  else if (extras.length > 1) s += `, ${extras.slice(0, -1).join(', ')} and ${extras[extras.length - 1]}`;
  return s;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function fileLine(e: PersistenceEntry): string {
  if (!e.file) return '';
  const mode = e.file.mode.toString(8).padStart(4, '0');
  const date = new Date(e.file.mtime).toISOString().replace('T', ' ').slice(0, 16);
  return `${sanitize(e.file.owner)} ${mode} ${date}${e.recentlyChanged ? ' (recent)' : ''}`;
}

/** Typed lines: flagged entries in full (findings, evidence, linked processes), others one line each. */
export function persistenceLines(report: PersistenceReport, links: PersistenceLink[] = []): Line[] {
  const out: Line[] = [];
  const bySeverity = new Map<string, number>();
  for (const e of report.entries) bySeverity.set(e.severity, (bySeverity.get(e.severity) ?? 0) + 1);
  const counts = (['critical', 'high', 'medium', 'low', 'none'] as const)
    .filter((s) => bySeverity.has(s)).map((s) => `${bySeverity.get(s)} ${s === 'none' ? 'info' : s}`).join(', ');
  const loc = { read: 0, absent: 0, unreadable: 0 };
  for (const l of report.locations) loc[l.status]++;
  out.push(heading(`Persistence: ${report.entries.length} entries${counts ? ` (${counts})` : ''}; locations: ${loc.read} read, ${loc.absent} absent, ${loc.unreadable} unreadable`));

  const linksBy = new Map<string, PersistenceLink[]>();
  for (const l of links) linksBy.set(l.entryId, [...(linksBy.get(l.entryId) ?? []), l]);

  const flagged = report.entries.filter((e) => e.score > 0);
  const quiet = report.entries.filter((e) => e.score <= 0);
  for (const e of flagged) {
    const where = e.line === null ? e.path : `${e.path}:${e.line}`;
    out.push(blank());
    out.push(line(`${String(e.score).padStart(3)}  ${pad(e.kind, 14)} ${sanitize(where)}${e.runsAs ? `  as ${sanitize(e.runsAs)}` : ''}`, { severity: e.severity, label: e.severity.toUpperCase() }));
    const meta = fileLine(e);
    if (meta) out.push(line(`file: ${meta}`, { indent: 4, tone: 'dim' }));
    out.push(line(clip(e.raw, RAW_WIDTH), { indent: 4 }));
    out.push(line(`=> ${clip(describeEntry(e), RAW_WIDTH)}`, { indent: 4 }));
    for (const f of e.findings) out.push(line(`${pad(f.id, 3)} ${f.weight >= 0 ? '+' : ''}${f.weight}  ${sanitize(f.title)}: ${clip(f.explanation, RAW_WIDTH)}`, { indent: 4, severity: f.severity }));
    for (const l of linksBy.get(e.id) ?? []) out.push(line(`running now: PID ${l.pid} (matched by ${l.via})`, { indent: 4, tone: 'warn' }));
  }
  if (quiet.length > 0) {
    out.push(blank());
    out.push(heading('Other entries (nothing suspicious found):'));
    for (const e of quiet) {
      const where = e.line === null ? e.path : `${e.path}:${e.line}`;
      const key = e.kind === 'authorized-keys' ? e.findings[0]?.explanation ?? e.raw : e.raw;
      const linked = (linksBy.get(e.id) ?? []).map((l) => ` [PID ${l.pid}]`).join('');
      out.push(line(`${pad(e.kind, 14)} ${sanitize(where)}${e.runsAs ? ` as ${sanitize(e.runsAs)}` : ''}: ${clip(key.trim(), 120)}${linked}`, { indent: 2 }));
    }
  }
  const unreadable = report.locations.filter((l) => l.status === 'unreadable');
  if (unreadable.length > 0) {
    out.push(blank());
    out.push(heading('Could not read:'));
    for (const l of unreadable) out.push(line(`${sanitize(l.path)}: ${sanitize(l.reason ?? 'unknown reason')}`, { indent: 2, tone: 'warn' }));
  }
  if (report.warnings.length > 0) {
    out.push(blank());
    out.push(heading('Warnings:'));
    for (const w of report.warnings) out.push(line(clip(w, RAW_WIDTH), { indent: 2, tone: 'warn' }));
  }
  return out;
}

/** The same lines as text, for a terminal or a file. */
export function formatPersistence(report: PersistenceReport, links: PersistenceLink[] = []): string[] {
  return toText(persistenceLines(report, links));
}
