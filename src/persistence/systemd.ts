// systemd units and timers: admin and runtime directories in full, vendor directories only when a
// unit looks like a miner install, and per-user units of each home.
import * as path from 'node:path';
import type { Finding } from '../model';
import { makeEntry } from './entry';
import { listDir, readCapped, readLink, realDir, splitLines, type Account, type Ctx, type DirItem } from './fsread';
import { hiddenDir, isTempPath, judgeCommand } from './judge';
import { finding } from './rules';
import type { FileMeta, PersistenceEntry } from './types';

export const SYSTEM_UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/run/systemd/transient', '/usr/local/lib/systemd/system', '/etc/systemd/user'];
export const VENDOR_UNIT_DIRS = ['/lib/systemd/system', '/usr/lib/systemd/system'];
export const USER_UNIT_DIRS = ['.config/systemd/user', '.local/share/systemd/user'];

const MINER_UNITS = /^(moneroocean_miner|c3pool_miner|pnsd|apache4|pastebin|xvf)\.service$|miner|xmrig|kinsing|kdevtmpfsi/i;
const EXEC_KEYS = new Set(['ExecStart', 'ExecStartPre', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPost', 'ExecCondition']);
const TIMER_KEYS = new Set(['OnCalendar', 'OnBootSec', 'OnStartupSec', 'OnActiveSec', 'OnUnitActiveSec', 'OnUnitInactiveSec']);
const MAX_DEPTH = 3;
const MAX_UNITS = 3000;

export interface UnitDirective { section: string; key: string; value: string; line: number; raw: string }

/** Parse an INI-style unit file (with backslash continuations); junk lines are ignored. */
export function parseUnit(text: string): UnitDirective[] {
  const out: UnitDirective[] = [];
  const lines = splitLines(text);
  let section = '';
  for (let i = 0; i < lines.length && i < 5000; i++) {
    const start = i;
    let line = lines[i].replace(/\r$/, '');
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + ' ' + lines[++i].replace(/\r$/, '').trim();
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(t);
    if (sec) { section = sec[1]; continue; }
    const kv = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(t);
    if (kv) out.push({ section, key: kv[1], value: kv[2], line: start + 1, raw: lines[start] });
  }
  return out;
}

/** ExecStart=-/usr/bin/x -> /usr/bin/x (strip systemd's @-:+! prefixes). */
export function execCommand(value: string): string {
  return value.replace(/^[@\-:+!|]+/, '').trim();
}

interface UnitFile {
  hostPath: string;
  name: string;
  scope: 'system' | 'vendor' | 'user';
  account: Account | null;
  text: string;
  meta: FileMeta | null;
  /** Symlink target when the unit file is a link. */
  linkTarget: string | null;
}

function walk(ctx: Ctx, dir: string, depth: number, visit: (it: DirItem) => void): void {
  const items = listDir(ctx, dir, depth === 0 ? 'always' : 'present');
  if (!items) return;
  for (const it of items) {
    if (it.isDir && !it.isSymlink) { if (depth < MAX_DEPTH) walk(ctx, it.hostPath, depth + 1, visit); continue; }
    visit(it);
  }
}

function isVendorPath(p: string): boolean {
  return /^\/(usr\/)?lib\/systemd\//.test(p);
}

function writableLocation(p: string): string | null {
  if (isTempPath(p)) return 'a world-writable temporary directory';
  if (/^\/(home\/[^/]+|root)(\/|$)/.test(p)) return 'a home directory';
  if (hiddenDir(p, false)) return 'a hidden directory';
  return null;
}

function gather(ctx: Ctx, dir: string, scope: UnitFile['scope'], account: Account | null, units: UnitFile[]): void {
  walk(ctx, dir, 0, (it) => {
    if (units.length >= MAX_UNITS) return;
    const isDropIn = it.name.endsWith('.conf') && path.posix.dirname(it.hostPath).endsWith('.d');
    if (!/\.(service|timer)$/.test(it.name) && !isDropIn) return;
    let linkTarget: string | null = null;
    if (it.isSymlink) {
      const target = readLink(ctx, it.hostPath);
      if (target === null) return;
      linkTarget = target.startsWith('/') ? path.posix.normalize(target) : path.posix.join(path.posix.dirname(it.hostPath), target);
      if (linkTarget === '/dev/null') return;                               // masked unit
      if (isVendorPath(linkTarget) || linkTarget.startsWith('/etc/systemd/')) return;   // enablement link
    }
    const read = readCapped(ctx, it.hostPath, 'present');
    if (!read && !linkTarget) return;
    units.push({ hostPath: it.hostPath, name: it.name, scope, account, text: read?.text ?? '', meta: read?.meta ?? null, linkTarget });
  });
}

/** Findings and entry for one unit file. `services` maps unit name -> parsed service (for timers). */
function unitEntry(ctx: Ctx, u: UnitFile, services: Map<string, UnitFile>): PersistenceEntry | null {
  const directives = parseUnit(u.text);
  const findings: Finding[] = [];
  const refs: string[] = [u.hostPath];
  const isTimer = u.name.endsWith('.timer');
  const user = directives.find((d) => d.key === 'User')?.value ?? null;
  const runsAs = u.scope === 'user' ? u.account?.name ?? null : user ?? 'root';
  const runAccount = runsAs ? ctx.byName.get(runsAs) ?? null : null;
  const home = runAccount?.home ?? null;
  const workDir = directives.find((d) => d.key === 'WorkingDirectory')?.value.replace(/^-/, '') ?? null;
  const cwd = workDir && workDir !== '~' ? workDir : home ?? '/';

  let execSource = directives;
  let schedule: string | null = null;
  let target: UnitFile | undefined;
  if (isTimer) {
    const timerKeys = directives.filter((d) => TIMER_KEYS.has(d.key));
    schedule = timerKeys.map((d) => `${d.key}=${d.value}`).join('; ') || null;
    const unitName = directives.find((d) => d.key === 'Unit')?.value ?? u.name.replace(/\.timer$/, '.service');
    target = services.get(unitName);
    execSource = target ? parseUnit(target.text) : [];
    if (target) refs.push(target.hostPath);
  }
  const execs = execSource.filter((d) => EXEC_KEYS.has(d.key) && d.value.trim() !== '');
  for (const e of execs) {
    const cmd = execCommand(e.value);
    const j = judgeCommand(cmd, { cwd, home });
    findings.push(...j.findings.map((f) => ({ ...f, explanation: `${e.key} ${f.explanation}` })));
    refs.push(...j.references);
    if (u.scope !== 'user') {
      const prog = [...j.facts.programs, ...j.facts.scripts].find((p) => /^\/(home\/[^/]+|root)\//.test(p));
      if (prog) findings.push(finding('P4', `${e.key} runs ${prog}, inside a home directory: system services normally run programs from system directories`, { path: prog }));
    }
  }
  const named = MINER_UNITS.test(u.name) ? u.name : target && MINER_UNITS.test(target.name) ? target.name : null;
  if (named) findings.push(finding('P2', `the unit is named "${named}", like the service units miner install scripts create`, { unit: named }));
  if (u.linkTarget) {
    const where = writableLocation(u.linkTarget);
    refs.push(u.linkTarget);
    if (where) findings.push(finding('P3', `the unit file is a symlink to ${u.linkTarget}, in ${where} that any local user or process could change`, { target: u.linkTarget }));
  }
  if (u.scope === 'user') {
    findings.push(finding('P5', `a per-user unit of ${u.account?.name ?? 'an account'}: it runs whenever that user's service manager does (at login, or always with lingering)`, { user: u.account?.name ?? null }));
  }
  if (u.scope === 'vendor' && findings.length === 0) return null;

  const main = execs.find((d) => d.key === 'ExecStart') ?? execs[0] ?? null;
  const command = main ? execCommand(main.value) : null;
  const line = isTimer ? directives.find((d) => TIMER_KEYS.has(d.key))?.line ?? null : main?.line ?? null;
  const raw = isTimer ? directives.find((d) => TIMER_KEYS.has(d.key))?.raw ?? '' : main?.raw ?? (u.linkTarget ? `-> ${u.linkTarget}` : '');
  return makeEntry(ctx, { kind: isTimer ? 'systemd-timer' : 'systemd-unit', path: u.hostPath, line, runsAs, schedule, command, raw, file: u.meta }, findings, refs);
}

export function collectSystemd(ctx: Ctx, homes: { account: Account; home: string }[]): PersistenceEntry[] {
  const units: UnitFile[] = [];
  const seenDirs = new Set<string>();
  const dirOnce = (dir: string): boolean => {
    const real = realDir(ctx, dir);
    if (!real) return true;
    if (seenDirs.has(real)) return false;
    seenDirs.add(real);
    return true;
  };
  for (const d of SYSTEM_UNIT_DIRS) if (dirOnce(d)) gather(ctx, d, 'system', null, units);
  for (const d of VENDOR_UNIT_DIRS) if (dirOnce(d)) gather(ctx, d, 'vendor', null, units);
  for (const { account, home } of homes) {
    for (const rel of USER_UNIT_DIRS) {
      const d = path.posix.join(home, rel);
      if (realDir(ctx, d) && dirOnce(d)) gather(ctx, d, 'user', account, units);
    }
  }
  if (units.length >= MAX_UNITS) ctx.warnings.push(`systemd: more than ${MAX_UNITS} unit files, the rest were not examined`);
  const services = new Map<string, UnitFile>();
  for (const u of units) if (u.name.endsWith('.service') && !services.has(u.name)) services.set(u.name, u);
  const out: PersistenceEntry[] = [];
  for (const u of units) {
    const e = unitEntry(ctx, u, services);
    if (e) out.push(e);
  }
  return out;
}
