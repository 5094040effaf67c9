// Programs started by events rather than by a schedule or a login shell: udev rules (a device event),
// PAM (every login, sudo, su), XDG autostart (a desktop session) and systemd generators (every boot and
// every `systemctl daemon-reload`, before any unit). What the distribution ships in /usr/lib and /lib
// is judged only for what no package ships (a download, a temporary or hidden directory, an encoded
// payload, a miner's name); what an administrator (or an intruder) put in /etc, /run or /usr/local,
// and a user's own autostart, is listed whatever it runs.
import * as path from 'node:path';
import type { Finding } from '../model';
import { scriptEntry } from './cron';
import { makeEntry } from './entry';
import { listDir, readCapped, realDir, splitLines, type Account, type Ctx } from './fsread';
import { judgeCommand } from './judge';
import { finding } from './rules';
import type { PersistenceEntry, PersistenceKind } from './types';

/** Where each kind lives; `local`: an administrator's place (every entry listed), else the distribution's. */
export const UDEV_RULE_DIRS = [
  { dir: '/etc/udev/rules.d', local: true }, { dir: '/run/udev/rules.d', local: true },
  { dir: '/usr/local/lib/udev/rules.d', local: true }, { dir: '/usr/lib/udev/rules.d', local: false }, { dir: '/lib/udev/rules.d', local: false },
];
export const GENERATOR_DIRS = [
  { dir: '/etc/systemd/system-generators', local: true }, { dir: '/run/systemd/system-generators', local: true },
  { dir: '/usr/local/lib/systemd/system-generators', local: true }, { dir: '/usr/lib/systemd/system-generators', local: false },
  { dir: '/lib/systemd/system-generators', local: false },
  { dir: '/etc/systemd/user-generators', local: true }, { dir: '/usr/local/lib/systemd/user-generators', local: true },
  { dir: '/usr/lib/systemd/user-generators', local: false },
];
export const PAM_FILES = { dir: '/etc/pam.d', conf: '/etc/pam.conf' };
export const XDG_AUTOSTART = { system: '/etc/xdg/autostart', user: '.config/autostart' };

/** Where PAM modules are installed (multiarch included): a module elsewhere was put there by hand. */
const PAM_MODULE_DIRS = /^\/(usr\/)?lib(32|64|x32)?\/(([^/]+-linux-gnu[^/]*|security)\/)?(security\/)?[^/]+\.so$/;
/** pam_exec's own options, before the program it runs. */
const PAM_EXEC_OPTION = /^(debug|expose_authtok|seteuid|quiet|quiet_log|stdout|type=\S*|log=\S*)$/;
/** udev keys that run a program: RUN (after the event), PROGRAM and IMPORT{program} (while matching). */
const UDEV_RUN = /\b(RUN(?:\{program\})?|PROGRAM|IMPORT\{program\})\s*\+?=\s*"([^"]*)"/g;
/** What makes a line in a distribution's file worth showing: the patterns no package ships. */
const SUSPICIOUS = ['C1', 'C2', 'C4', 'P10'] as const;

/** Directories of one kind, each read once (on a merged-/usr host /lib/x is /usr/lib/x). */
function eachDir(ctx: Ctx, dirs: { dir: string; local: boolean }[], visit: (dir: string, local: boolean) => void): void {
  const seen = new Set<string>();
  for (const { dir, local } of dirs) {
    const real = realDir(ctx, dir);
    if (!real) { ctx.locations.push({ path: dir, status: 'absent' }); continue; }
    if (seen.has(real)) continue;
    seen.add(real);
    visit(dir, local);
  }
}

/** A command as judged for a hook: its findings, or null when a distribution's line shows nothing suspicious. */
function judged(command: string, local: boolean, home: string | null) {
  const j = judgeCommand(command, { cwd: home ?? '/', home: home ?? '/root' });
  if (!local && !SUSPICIOUS.some((id) => j.matched.has(id))) return null;
  return j;
}

function hookEntry(ctx: Ctx, kind: PersistenceKind, hostPath: string, lineNo: number, raw: string, command: string, runsAs: string | null,
  schedule: string, own: Finding, j: ReturnType<typeof judgeCommand>, file: Parameters<typeof makeEntry>[1]['file']): PersistenceEntry {
  const findings = [own, ...j.findings.filter((f) => f.id !== 'C8' || kind !== 'udev-rule')];
  return makeEntry(ctx, { kind, path: hostPath, line: lineNo, runsAs, schedule, command, raw, file }, findings, j.references);
}

/** udev rules: each RUN, PROGRAM or IMPORT{program} is a program the device manager starts as root (P13). */
export function collectUdevRules(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  eachDir(ctx, UDEV_RULE_DIRS, (dir, local) => {
    for (const it of listDir(ctx, dir) ?? []) {
      if (it.isDir || !it.name.endsWith('.rules')) continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      splitLines(read.text).slice(0, 20_000).forEach((line, i) => {
        const t = line.trim();
        if (t === '' || t.startsWith('#')) return;
        for (const m of t.matchAll(UDEV_RUN)) {
          const command = m[2].trim();
          // udev's own built-in commands and %-substitutions only are no programs
          if (command === '' || /^(builtin|socket):/.test(command)) continue;
          const j = judged(command, local, null);
          if (!j) continue;
          const own = finding('P13', `udev runs ${command.split(/\s+/)[0]} as root when a device event matches this rule (${m[1]}) in ${it.hostPath}`, { key: m[1], rule: it.name });
          out.push(hookEntry(ctx, 'udev-rule', it.hostPath, i + 1, line, command, 'root', '@device-event', own, j, read.meta));
        }
      });
    }
  });
  return out;
}

/** A PAM line: service (pam.conf only), type, control (maybe [bracketed]), module, arguments. */
function parsePam(line: string, withService: boolean): { module: string; args: string[] } | null {
  let rest = line.trim().replace(/^-/, '');
  if (rest === '' || rest.startsWith('#') || rest.startsWith('@include')) return null;
  const take = (): string | null => {
    rest = rest.trimStart();
    if (rest === '') return null;
    if (rest.startsWith('[')) {
      const end = rest.indexOf(']');
      if (end < 0) return null;
      const tok = rest.slice(0, end + 1);
      rest = rest.slice(end + 1);
      return tok;
    }
    const m = /^\S+/.exec(rest)!;
    rest = rest.slice(m[0].length);
    return m[0];
  };
  if (withService && take() === null) return null;
  const type = take();
  const control = take();
  const module = take();
  if (!type || !control || !module) return null;
  return { module, args: rest.trim() === '' ? [] : rest.trim().split(/\s+/) };
}

/** PAM: pam_exec runs a program at every login, su or sudo (P14); a module from outside the module directories (P15). */
export function collectPam(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const files: { hostPath: string; withService: boolean }[] = [];
  for (const it of listDir(ctx, PAM_FILES.dir) ?? []) if (!it.isDir) files.push({ hostPath: it.hostPath, withService: false });
  files.push({ hostPath: PAM_FILES.conf, withService: true });
  for (const { hostPath, withService } of files) {
    const read = readCapped(ctx, hostPath, 'present');
    if (!read) continue;
    splitLines(read.text).slice(0, 5000).forEach((line, i) => {
      const p = parsePam(line, withService);
      if (!p) return;
      const service = withService ? line.trim().split(/\s+/)[0] : path.posix.basename(hostPath);
      const base = path.posix.basename(p.module);
      if (p.module.startsWith('/') && !PAM_MODULE_DIRS.test(p.module)) {
        const own = finding('P15', `the PAM stack of ${service} loads ${p.module}, outside the directories PAM modules are installed in: code that sees every password typed there`, { module: p.module, service });
        out.push(makeEntry(ctx, { kind: 'pam', path: hostPath, line: i + 1, runsAs: 'root', schedule: '@login', command: p.module, raw: line, file: read.meta }, [own], [p.module, base]));
        return;
      }
      if (base !== 'pam_exec.so' && base !== 'pam_script.so') return;
      const at = p.args.findIndex((a) => !PAM_EXEC_OPTION.test(a));
      const command = at < 0 ? '' : p.args.slice(at).join(' ');
      if (command === '') return;
      const j = judgeCommand(command, { cwd: '/', home: '/root' });
      // handed the password typed (expose_authtok): how a password logger is installed; weighed as high
      const authtok = p.args.includes('expose_authtok');
      const own = finding('P14', `${base} runs ${p.args[at]} at every ${service} authentication or session, as root${authtok ? ', and hands it the password typed' : ''}`, { service, module: base, exposeAuthtok: authtok }, authtok ? 6 : undefined);
      out.push(hookEntry(ctx, 'pam', hostPath, i + 1, line, command, 'root', '@login', own, j, read.meta));
    });
  }
  return out;
}

/** A .desktop file's Exec= (the first, in [Desktop Entry]), unless the entry is hidden or disabled. */
function desktopExec(text: string): { exec: string; line: number; raw: string } | null {
  let section = '';
  let found: { exec: string; line: number; raw: string } | null = null;
  let disabled = false;
  splitLines(text).slice(0, 2000).forEach((line, i) => {
    const t = line.trim();
    const s = /^\[(.+)\]$/.exec(t);
    if (s) { section = s[1]; return; }
    if (section !== 'Desktop Entry') return;
    const kv = /^([A-Za-z0-9-]+)\s*=\s*(.*)$/.exec(t);
    if (!kv) return;
    if (kv[1] === 'Exec' && !found) found = { exec: kv[2].replace(/\s%[fFuUdDnNickvm]/g, '').trim(), line: i + 1, raw: line };
    if ((kv[1] === 'Hidden' && kv[2] === 'true') || (kv[1] === 'X-GNOME-Autostart-enabled' && kv[2] === 'false')) disabled = true;
  });
  return disabled ? null : found;
}

/** XDG autostart: what a desktop session starts for every user (/etc/xdg) or for one (~/.config/autostart) (P16). */
export function collectXdgAutostart(ctx: Ctx, homes: { account: Account; home: string }[]): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const dirs: { dir: string; account: Account | null; home: string | null }[] = [{ dir: XDG_AUTOSTART.system, account: null, home: null }];
  for (const { account, home } of homes) dirs.push({ dir: path.posix.join(home, XDG_AUTOSTART.user), account, home });
  for (const { dir, account, home } of dirs) {
    for (const it of listDir(ctx, dir, account ? 'present' : 'always') ?? []) {
      if (it.isDir || !it.name.endsWith('.desktop')) continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      const e = desktopExec(read.text);
      if (!e || e.exec === '') continue;
      const j = judged(e.exec, account !== null, home);
      if (!j) continue;
      const who = account ? `${account.name}'s desktop session` : 'every desktop session';
      const own = finding('P16', `${who} starts ${e.exec.split(/\s+/)[0]} (${it.name})`, { file: it.name, user: account?.name ?? null }, account ? undefined : 1);
      out.push(hookEntry(ctx, 'xdg-autostart', it.hostPath, e.line, e.raw, e.exec, account?.name ?? null, '@login', own, j, read.meta));
    }
  }
  return out;
}

/** systemd generators: programs systemd runs at every boot and daemon-reload, before any unit (P17 where an administrator put them). */
export function collectGenerators(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  eachDir(ctx, GENERATOR_DIRS, (dir, local) => {
    const user = dir.includes('user-generators');
    for (const it of listDir(ctx, dir) ?? []) {
      if (it.isDir) continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      const runsAs = user ? null : 'root';
      const extra = local ? [finding('P17', `systemd runs ${it.hostPath} at every ${user ? 'user manager start' : 'boot'} and daemon-reload, ${user ? 'as each user' : 'as root'}, before any unit: no package installs generators in ${dir}`, { dir })] : [];
      // a script is judged line by line; a compiled generator is listed where an administrator put it
      if (read.text.startsWith('#!')) {
        const entry = scriptEntry(ctx, 'systemd-generator', it.hostPath, read.text, read.meta, '@boot', runsAs, extra);
        if (local || entry.findings.some((f) => f.id !== 'P9')) out.push(entry);
      } else if (local) {
        out.push(makeEntry(ctx, { kind: 'systemd-generator', path: it.hostPath, line: null, runsAs, schedule: '@boot', command: it.hostPath, raw: `(a program: ${read.meta.size} bytes)`, file: read.meta }, extra, [it.hostPath, it.name]));
      }
    }
  });
  return out;
}
