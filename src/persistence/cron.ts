// Cron in every layout: user spool crontabs (Debian, RHEL, SUSE, Alpine), /etc/crontab and
// /etc/cron.d (user column), /etc/cron.{hourly,daily,weekly,monthly} scripts, /etc/anacrontab, at jobs.
import * as path from 'node:path';
import type { Finding } from '../model';
import { makeEntry } from './entry';
import { listDir, readCapped, realDir, splitLines, type Account, type Ctx } from './fsread';
import { isCronSpec, judgeCommand, judgeSchedule, SPECIAL } from './judge';
import { finding } from './rules';
import type { FileMeta, PersistenceEntry, PersistenceKind } from './types';

export const USER_SPOOLS = ['/var/spool/cron/crontabs', '/var/spool/cron', '/var/spool/cron/tabs', '/etc/crontabs'];
export const CRON_SCRIPT_DIRS = ['hourly', 'daily', 'weekly', 'monthly'];
export const AT_SPOOLS = ['/var/spool/cron/atjobs', '/var/spool/at'];

const MAX_C11_PER_FILE = 20;
const MAX_LINES = 20_000;
const ENV_LINE = /^[A-Za-z_][A-Za-z0-9_]*\s*=/;
// Control characters other than tab, and U+FFFD (what invalid UTF-8 decodes to): junk in a cron file.
const JUNK = /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/;
const SERVICE_ACCOUNTS = new Set(['www-data', 'nobody', 'redis', 'mysql', 'postgres', 'apache', 'nginx', 'httpd', 'daemon',
  'bin', 'sys', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'backup', 'list', 'irc', 'gnats', 'tomcat',
  'jenkins', 'elasticsearch', 'mongodb', 'memcache', 'memcached', 'rabbitmq', 'git', 'ftp', 'sshd', '_apt', 'systemd-network']);

export function isServiceAccount(a: Account): boolean {
  return /(^|\/)(nologin|false)$/.test(a.shell) || SERVICE_ACCOUNTS.has(a.name);
}

interface ParsedCron { kind: 'entry'; schedule: string; user: string | null; command: string }
type CronLine = ParsedCron | { kind: 'skip' } | { kind: 'junk'; why: string };

/** Parse one cron line; `withUser` for /etc/crontab and /etc/cron.d (a user column after the time). */
export function parseCronLine(line: string, withUser: boolean): CronLine {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const t = text.trim();
  if (t === '' || t.startsWith('#')) return { kind: 'skip' };
  if (JUNK.test(t)) return { kind: 'junk', why: 'contains binary or control characters' };
  if (ENV_LINE.test(t)) return { kind: 'skip' };
  let schedule: string;
  let rest: string;
  const special = /^(@\S+)\s+(.*)$/.exec(t);
  if (special) {
    if (!SPECIAL.test(special[1])) return { kind: 'junk', why: `unknown schedule keyword ${special[1]}` };
    schedule = special[1];
    rest = special[2];
  } else {
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(t);
    if (!m || !isCronSpec(m.slice(1, 6))) return { kind: 'junk', why: 'is neither a schedule, a variable nor a comment' };
    schedule = m.slice(1, 6).join(' ');
    rest = m[6];
  }
  let user: string | null = null;
  if (withUser) {
    const u = /^(\S+)\s+(.*)$/.exec(rest);
    if (!u || !/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(u[1])) return { kind: 'junk', why: 'has no valid user column' };
    user = u[1];
    rest = u[2];
  }
  if (rest.trim() === '') return { kind: 'junk', why: 'has a schedule but no command' };
  return { kind: 'entry', schedule, user, command: rest.trim() };
}

function junkEntry(ctx: Ctx, kind: PersistenceKind, hostPath: string, lineNo: number, raw: string, why: string,
  file: FileMeta | null, runsAs: string | null, extra: Finding[]): PersistenceEntry {
  return makeEntry(ctx, { kind, path: hostPath, line: lineNo, runsAs, schedule: null, command: null, raw, file },
    [finding('C11', `line ${lineNo} ${why}: cron does not run it, but such junk is what an attacker leaves when abusing a service (e.g. Redis CONFIG SET dir) to write this file`, { line: lineNo, why }), ...extra], []);
}

interface CronFileOptions {
  kind: 'user-crontab' | 'system-crontab';
  withUser: boolean;
  /** Account the file belongs to (user crontab) or null. */
  account: Account | null;
  /** Findings that apply to every entry of the file (C10, C13). */
  fileFindings: Finding[];
  runsAs: string | null;
}

/** Entries of one crontab file (already read). */
export function cronEntries(ctx: Ctx, hostPath: string, text: string, file: FileMeta | null, opt: CronFileOptions): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  let junk = 0;
  let junkDropped = 0;
  const lines = splitLines(text);
  if (lines.length > MAX_LINES) ctx.warnings.push(`${hostPath}: ${lines.length} lines, only the first ${MAX_LINES} were parsed`);
  lines.slice(0, MAX_LINES).forEach((line, i) => {
    const lineNo = i + 1;
    const parsed = parseCronLine(line, opt.withUser);
    if (parsed.kind === 'skip') return;
    if (parsed.kind === 'junk') {
      if (junk++ < MAX_C11_PER_FILE) out.push(junkEntry(ctx, opt.kind, hostPath, lineNo, line, parsed.why, file, opt.runsAs, opt.fileFindings));
      else junkDropped++;
      return;
    }
    const runsAs = parsed.user ?? opt.runsAs;
    const account = parsed.user ? ctx.byName.get(parsed.user) ?? null : opt.account;
    const home = account?.home ?? null;
    const j = judgeCommand(parsed.command, { cwd: home, home });
    const findings = [...j.findings, ...judgeSchedule(parsed.schedule, j.matched), ...opt.fileFindings];
    out.push(makeEntry(ctx, { kind: opt.kind, path: hostPath, line: lineNo, runsAs, schedule: parsed.schedule, command: parsed.command, raw: line, file }, findings, j.references));
  });
  if (junkDropped > 0) ctx.warnings.push(`${hostPath}: ${junkDropped} more unparseable lines not listed`);
  // A spool file that is wrong in itself (C13) but has no entries still deserves a row.
  if (out.length === 0 && opt.fileFindings.some((f) => f.id === 'C13')) {
    out.push(makeEntry(ctx, { kind: opt.kind, path: hostPath, line: null, runsAs: opt.runsAs, schedule: null, command: null, raw: lines[0] ?? '', file }, opt.fileFindings, []));
  }
  return out;
}

/** User crontabs in every spool layout. `users`: limit to these account names (null: all). */
export function collectUserCrontabs(ctx: Ctx, users: Set<string> | null): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const seenDirs = new Set<string>();
  for (const dir of USER_SPOOLS) {
    const real = realDir(ctx, dir);
    if (real && seenDirs.has(real)) { ctx.locations.push({ path: dir, status: 'read', reason: 'same directory as another layout' }); continue; }
    if (real) seenDirs.add(real);
    const items = listDir(ctx, dir);
    if (!items) continue;
    for (const it of items) {
      if (it.isDir || it.name.startsWith('.')) continue;
      // /var/spool/cron (RHEL) also holds the other layouts' directories and at's; only files are crontabs.
      if (dir === '/var/spool/cron' && ['crontabs', 'tabs', 'atjobs', 'atspool', 'lastrun'].includes(it.name)) continue;
      const account = ctx.byName.get(it.name) ?? null;
      if (account && users && !users.has(account.name)) continue;
      const read = readCapped(ctx, it.hostPath);
      if (!read) continue;
      const fileFindings: Finding[] = [];
      if (!account) {
        fileFindings.push(finding('C13', `the spool file is named "${it.name}", but no such account exists in /etc/passwd: cron ignores it, so it is a planted or leftover file`, { name: it.name }));
      } else {
        if (read.meta.uid !== account.uid) {
          fileFindings.push(finding('C13', `the crontab of ${account.name} (uid ${account.uid}) is owned by ${read.meta.owner} (uid ${read.meta.uid}): it was not written by the crontab command`, { expectedUid: account.uid, uid: read.meta.uid }));
        } else if ((read.meta.mode & 0o022) !== 0) {
          fileFindings.push(finding('C13', `the crontab is writable by other users (mode ${read.meta.mode.toString(8).padStart(4, '0')})`, { mode: read.meta.mode }));
        }
        if (isServiceAccount(account)) {
          fileFindings.push(finding('C10', `the crontab belongs to ${account.name}, a service account${/(nologin|false)$/.test(account.shell) ? ` that cannot log in (shell ${account.shell})` : ''}: web and database accounts are where intruders land`, { user: account.name, shell: account.shell }));
        }
      }
      out.push(...cronEntries(ctx, it.hostPath, read.text, read.meta, { kind: 'user-crontab', withUser: false, account, fileFindings, runsAs: account?.name ?? it.name }));
    }
  }
  return out;
}

/** /etc/crontab and /etc/cron.d/*. */
export function collectSystemCrontabs(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const files = ['/etc/crontab'];
  const items = listDir(ctx, '/etc/cron.d') ?? [];
  for (const it of items) if (!it.isDir && !it.name.startsWith('.')) files.push(it.hostPath);
  for (const f of files) {
    const read = readCapped(ctx, f);
    if (!read) continue;
    out.push(...cronEntries(ctx, f, read.text, read.meta, { kind: 'system-crontab', withUser: true, account: null, fileFindings: [], runsAs: null }));
  }
  return out;
}

/** Judge a script's lines lightly (C1, C2, C4 and what rides on them): one entry per script. */
export function scriptEntry(ctx: Ctx, kind: PersistenceKind, hostPath: string, text: string, file: FileMeta | null,
  schedule: string | null, runsAs: string | null, extra: Finding[] = []): PersistenceEntry {
  const lines = splitLines(text).slice(0, MAX_LINES);
  let firstLine: number | null = null;
  let firstRaw = lines[0] ?? '';
  const findings: Finding[] = [];
  const refs: string[] = [hostPath, path.posix.basename(hostPath)];
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const j = judgeCommand(t, { cwd: '/', home: '/root' });
    if (!(j.matched.has('C1') || j.matched.has('C2') || j.matched.has('C4') || j.matched.has('P10'))) return;
    if (firstLine === null) { firstLine = i + 1; firstRaw = line; }
    for (const f of j.findings) if (f.id !== 'C8') findings.push({ ...f, explanation: `line ${i + 1} ${f.explanation}`, evidence: { ...f.evidence, line: i + 1 } });
    refs.push(...j.references);
  });
  return makeEntry(ctx, { kind, path: hostPath, line: firstLine, runsAs, schedule, command: firstLine === null ? null : firstRaw.trim(), raw: firstRaw, file }, [...findings, ...extra], refs);
}

/** /etc/cron.{hourly,daily,weekly,monthly}/*: one entry per script. */
export function collectCronScripts(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  for (const period of CRON_SCRIPT_DIRS) {
    const dir = `/etc/cron.${period}`;
    for (const it of listDir(ctx, dir) ?? []) {
      if (it.isDir || it.name === '.placeholder') continue;
      const read = readCapped(ctx, it.hostPath);
      if (!read) continue;
      out.push(scriptEntry(ctx, 'cron-script', it.hostPath, read.text, read.meta, `@${period}`, 'root'));
    }
  }
  return out;
}

/** /etc/anacrontab: "period delay job-id command". */
export function collectAnacrontab(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const f = '/etc/anacrontab';
  const read = readCapped(ctx, f);
  if (!read) return out;
  let junk = 0;
  splitLines(read.text).slice(0, MAX_LINES).forEach((line, i) => {
    const t = line.replace(/\r$/, '').trim();
    if (t === '' || t.startsWith('#')) return;
    if (!JUNK.test(t) && ENV_LINE.test(t)) return;
    const m = /^(\d+|@(?:daily|weekly|monthly|yearly|annually))\s+(\d+)\s+(\S+)\s+(.+)$/.exec(t);
    if (!m || JUNK.test(t)) {
      if (junk++ < MAX_C11_PER_FILE) out.push(junkEntry(ctx, 'anacrontab', f, i + 1, line, 'is not an anacron job line', read.meta, 'root', []));
      return;
    }
    const j = judgeCommand(m[4], { cwd: '/', home: '/root' });
    const schedule = `${/^\d+$/.test(m[1]) ? `every ${m[1]} day(s)` : m[1]}, ${m[2]} min delay (${m[3]})`;
    out.push(makeEntry(ctx, { kind: 'anacrontab', path: f, line: i + 1, runsAs: 'root', schedule, command: m[4], raw: line, file: read.meta }, j.findings, j.references));
  });
  return out;
}

/** Debian at job file names: queue letter, 5 hex digits job number, 8 hex digits minutes since the epoch. */
export function atJobTime(name: string): number | null {
  const m = /^[a-zA-Z=]([0-9a-f]{5})([0-9a-f]{8})$/.exec(name);
  return m ? parseInt(m[2], 16) * 60_000 : null;
}

/** The user's commands in an at job: what follows at's generated preamble. */
export function atJobCommands(text: string): { lines: { no: number; text: string }[]; uid: number | null; cwd: string | null } {
  const out: { no: number; text: string }[] = [];
  let uid: number | null = null;
  let cwd: string | null = null;
  let inCdBlock = false;
  let heredoc: string | null = null;
  splitLines(text).slice(0, MAX_LINES).forEach((line, i) => {
    const t = line.trim();
    const atrun = /^#\s*atrun uid=(\d+)/.exec(t);
    if (atrun) { uid = Number(atrun[1]); return; }
    if (inCdBlock) { if (t === '}') inCdBlock = false; return; }
    const cd = /^cd\s+(.+?)\s*\|\|\s*\{$/.exec(t);
    if (cd) { cwd = cd[1].replace(/^['"]|['"]$/g, '').replace(/\\(.)/g, '$1'); inCdBlock = true; return; }
    if (heredoc !== null) { if (t === heredoc) heredoc = null; else out.push({ no: i + 1, text: line }); return; }
    const wrap = /^\$\{SHELL:-\/bin\/sh\}\s*<<\s*'?([A-Za-z0-9_]+)'?$/.exec(t);   // RHEL's at wraps the job in a here-document
    if (wrap) { heredoc = wrap[1]; return; }
    if (t === '' || t.startsWith('#') || /^umask\s+\d+$/.test(t)) return;
    if (/^[A-Za-z_][A-Za-z0-9_]*=.*;\s*export\s+[A-Za-z_][A-Za-z0-9_]*$/.test(t) || /^export\s+[A-Za-z_]/.test(t)) return;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(t) && !/\s/.test(t)) return;   // continuation of a multi-line variable is rare; skip plain assignments
    out.push({ no: i + 1, text: line });
  });
  return { lines: out, uid, cwd };
}

/** at jobs: one entry per job file. */
export function collectAtJobs(ctx: Ctx, users: Set<string> | null): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  for (const dir of AT_SPOOLS) {
    for (const it of listDir(ctx, dir) ?? []) {
      if (it.isDir || it.name.startsWith('.')) continue;
      const read = readCapped(ctx, it.hostPath);
      if (!read) continue;
      const job = atJobCommands(read.text);
      const account = job.uid !== null ? ctx.byUid.get(job.uid) ?? null : ctx.byUid.get(read.meta.uid) ?? null;
      if (account && users && !users.has(account.name)) continue;
      const runsAs = account?.name ?? (job.uid !== null ? String(job.uid) : read.meta.owner);
      const home = account?.home ?? null;
      const command = job.lines.map((l) => l.text.trim()).join('\n');
      const j = judgeCommand(command, { cwd: job.cwd ?? home, home });
      const when = atJobTime(it.name);
      const schedule = when !== null ? `at ${new Date(when).toISOString()}` : null;
      const first = job.lines[0];
      out.push(makeEntry(ctx, { kind: 'at-job', path: it.hostPath, line: first?.no ?? null, runsAs, schedule, command: command || null, raw: first?.text ?? '', file: read.meta }, j.findings, [it.hostPath, ...j.references]));
    }
  }
  return out;
}

