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
import { eachDir, listDir, readCapped, readLink, splitLines, type Account, type Ctx, type DirItem } from './fsread';
import { judgeCommand } from './judge';
import { finding } from './rules';
import type { PersistenceEntry, PersistenceKind } from './types';

/** Where each kind lives; `local`: an administrator's place (every entry listed), else the distribution's. */
export const UDEV_RULE_DIRS = [
  { dir: '/etc/udev/rules.d', local: true }, { dir: '/run/udev/rules.d', local: true },
  { dir: '/usr/local/lib/udev/rules.d', local: true }, { dir: '/usr/lib/udev/rules.d', local: false }, { dir: '/lib/udev/rules.d', local: false },
];
// systemd.generator(7) and systemd.environment-generator(7): generators and environment generators, of
// the system and of each user's manager. /run is written at boot by the host's own tools (WSL's init
// puts its generator there): judged like the distribution's, only for what no package does.
const GEN_KINDS = ['system-generators', 'user-generators', 'system-environment-generators', 'user-environment-generators'];
export const GENERATOR_DIRS = GEN_KINDS.flatMap((k) => [
  { dir: `/etc/systemd/${k}`, local: true }, { dir: `/usr/local/lib/systemd/${k}`, local: true }, { dir: `/run/systemd/${k}`, local: false },
  { dir: `/usr/lib/systemd/${k}`, local: false }, { dir: `/lib/systemd/${k}`, local: false },
]);
/** pam.d: the administrator's, then the vendor's (openSUSE, Fedora 40+ keep the distribution's stacks in /usr); pam.conf only without them. */
export const PAM_DIRS = ['/etc/pam.d', '/usr/lib/pam.d', '/usr/etc/pam.d'];
export const PAM_CONF = '/etc/pam.conf';
export const XDG_AUTOSTART = { system: '/etc/xdg/autostart', user: '.config/autostart', kdeScripts: '.config/autostart-scripts', kdeEnv: '.config/plasma-workspace/env' };

/**
 * Where PAM modules are installed: /lib/security, /lib64/security, /usr/lib{,32,64}/security, the multiarch
 * /usr/lib/<triplet>/security, upstream's /lib/security/$ISA/, NixOS's store. Elsewhere: put there by hand.
 */
const PAM_MODULE_DIRS = /^\/(usr\/)?lib(32|64|x32)?\/([^/]+-linux-gnu[^/]*\/)?security\/(\$ISA\/)?[^/]+\.so$|^\/nix\/store\/[^/]+\/lib\/security\/[^/]+\.so$/;
/** pam_exec's own options, before the program it runs. */
const PAM_EXEC_OPTION = /^(debug|expose_authtok|seteuid|quiet|quiet_log|stdout|type=\S*|log=\S*)$/;
/** Backups and package leftovers next to live files: not read by udev, PAM or systemd. */
const LEFTOVER = /(\.dpkg-(old|new|dist|bak|tmp)|\.rpm(save|new|orig)|\.(bak|orig|swp)|~)$/;
/**
 * udev keys that run a program: RUN (after the event; RUN{program}, not RUN{builtin}), PROGRAM and
 * IMPORT{program} (while matching, with any operator). Values are quoted, maybe prefixed e"..." or i"...",
 * with \" inside.
 */
const UDEV_KEY = /\b(RUN|PROGRAM|IMPORT)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*[ei]?"((?:[^"\\]|\\.)*)"/g;
/** What makes a line in a distribution's file worth showing: the patterns no package ships. */
const SUSPICIOUS = ['C1', 'C2', 'C4', 'P10'] as const;

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

/** A file the tool reads, not masked (a link to /dev/null disables it) nor a leftover. */
function live(ctx: Ctx, it: DirItem): boolean {
  if (it.isDir || LEFTOVER.test(it.name)) return false;
  if (!it.isSymlink) return true;
  const target = readLink(ctx, it.hostPath);
  return target !== null && target !== '/dev/null';
}

/** Lines joined where one ends in a backslash (udev and PAM both continue lines so), with the first line's number. */
function logicalLines(text: string, max: number): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | null = null;
  splitLines(text).slice(0, max).forEach((raw, i) => {
    const joined: { line: number; text: string } = pending ? { line: pending.line, text: pending.text + raw } : { line: i + 1, text: raw };
    if (/\\$/.test(raw) && joined.text.length < 65_536) { pending = { line: joined.line, text: joined.text.slice(0, -1) + ' ' }; return; }
    pending = null;
    out.push(joined);
  });
  if (pending) out.push(pending);
  return out;
}

/** udev rules: each RUN, PROGRAM or IMPORT{program} is a program the device manager starts as root (P13). */
export function collectUdevRules(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  eachDir(ctx, UDEV_RULE_DIRS, (dir, local) => {
    for (const it of listDir(ctx, dir) ?? []) {
      if (!it.name.endsWith('.rules') || !live(ctx, it)) continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      for (const { line, text } of logicalLines(read.text, 20_000)) {
        const t = text.trim();
        if (t === '' || t.startsWith('#')) continue;
        for (const m of t.matchAll(UDEV_KEY)) {
          const [, key, attr] = m;
          if ((key === 'RUN' && attr !== undefined && attr !== 'program') || (key === 'IMPORT' && attr !== 'program')) continue;
          const command = m[4].replace(/\\(["\\])/g, '$1').trim();
          // udev's own built-in commands and sockets are no programs
          if (command === '' || /^(builtin|socket):/.test(command)) continue;
          const j = judged(command, local, null);
          if (!j) continue;
          const name = `${key}${attr !== undefined ? `{${attr}}` : ''}`;
          const own = finding('P13', `udev runs ${command.split(/\s+/)[0]} as root when a device event matches this rule (${name}) in ${it.hostPath}`, { key: name, rule: it.name });
          out.push(hookEntry(ctx, 'udev-rule', it.hostPath, line, text, command, 'root', '@device-event', own, j, read.meta));
        }
      }
    }
  });
  return out;
}

/** A PAM line: service (pam.conf only), type, control (maybe [bracketed]), module, arguments. */
function parsePam(line: string, withService: boolean): { control: string; module: string; args: string[] } | null {
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
  // module arguments may be [bracketed, with spaces]; only their words matter here
  return { control, module, args: rest.trim() === '' ? [] : rest.trim().replace(/[[\]]/g, ' ').trim().split(/\s+/) };
}

/** PAM: pam_exec runs a program at every login, su or sudo (P14); a module from outside the module directories (P15). */
export function collectPam(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const files: { hostPath: string; withService: boolean }[] = [];
  // a service in /etc/pam.d hides the vendor's of the same name
  const services = new Set<string>();
  let anyDir = false;
  for (const dir of PAM_DIRS) {
    const items = listDir(ctx, dir, 'present');
    if (!items) continue;
    anyDir = true;
    for (const it of items) {
      if (!live(ctx, it) || services.has(it.name)) continue;
      services.add(it.name);
      files.push({ hostPath: it.hostPath, withService: false });
    }
  }
  if (!anyDir) files.push({ hostPath: PAM_CONF, withService: true }); // PAM reads pam.conf only without pam.d
  for (const { hostPath, withService } of files) {
    const read = readCapped(ctx, hostPath, 'present');
    if (!read) continue;
    for (const { line: lineNo, text: line } of logicalLines(read.text, 5000)) {
      const at = /^\s*@include\s+(\S+)/.exec(line); // Debian's form: @include common-auth, or a path
      const p = at ? { control: 'include', module: at[1], args: [] } : parsePam(line, withService);
      if (!p) continue;
      const i = lineNo - 1;
      const service = withService ? line.trim().split(/\s+/)[0] : path.posix.basename(hostPath);
      const base = path.posix.basename(p.module);
      if (p.control === 'include' || p.control === 'substack') {
        // another stack file, by name in the pam.d directories or by path: read where it is named
        if (p.module.startsWith('/') && !PAM_DIRS.some((d) => p.module.startsWith(`${d}/`))) {
          const own = finding('P15', `the PAM stack of ${service} takes in ${p.module} (${p.control}), outside the PAM configuration directories`, { file: p.module, service });
          out.push(makeEntry(ctx, { kind: 'pam', path: hostPath, line: i + 1, runsAs: 'root', schedule: '@login', command: p.module, raw: line, file: read.meta }, [own], [p.module]));
        }
        continue;
      }
      if (p.module.startsWith('/') && !PAM_MODULE_DIRS.test(p.module)) {
        const own = finding('P15', `the PAM stack of ${service} loads ${p.module}, outside the directories PAM modules are installed in: code that sees every password typed there`, { module: p.module, service });
        out.push(makeEntry(ctx, { kind: 'pam', path: hostPath, line: i + 1, runsAs: 'root', schedule: '@login', command: p.module, raw: line, file: read.meta }, [own], [p.module, base]));
        continue;
      }
      const run = pamProgram(base, p.args);
      if (!run) continue;
      const j = judgeCommand(run.command, { cwd: '/', home: '/root' });
      const own = finding('P14', `${base} runs ${run.what} at every ${service} authentication or session, as root${run.authtok ? ', and hands it the password typed' : ''}`,
        { service, module: base, exposeAuthtok: run.authtok }, run.authtok ? 6 : undefined);
      out.push(hookEntry(ctx, 'pam', hostPath, i + 1, line, run.command, 'root', '@login', own, j, read.meta));
    }
  }
  return out;
}

/**
 * What a PAM module line runs: pam_exec's program (after its options), or pam_script's scripts
 * (pam_script_auth, _acct, _passwd, _ses_open, _ses_close in dir=, /etc/security by default). A
 * password handed over (pam_exec's expose_authtok, pam_script's expose=1) is how a password logger is
 * installed; weighed as high.
 */
function pamProgram(base: string, args: string[]): { command: string; what: string; authtok: boolean } | null {
  if (base === 'pam_exec.so') {
    const at = args.findIndex((a) => !PAM_EXEC_OPTION.test(a));
    if (at < 0) return null;
    return { command: args.slice(at).join(' '), what: args[at], authtok: args.includes('expose_authtok') };
  }
  if (base === 'pam_script.so') {
    const dir = args.find((a) => a.startsWith('dir='))?.slice(4) || '/etc/security';
    return { command: `${dir.replace(/\/+$/, '')}/pam_script_auth`, what: `the pam_script_* scripts in ${dir}`, authtok: args.includes('expose=1') };
  }
  return null;
}

/** The Desktop Entry spec's escapes in a string value: \s \n \t \r \\. */
const unescapeDesktop = (v: string) => v.replace(/\\([sntr\\])/g, (_, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);

/**
 * A .desktop file's Exec= in [Desktop Entry], unless Hidden=true. As GLib and systemd read it, a key
 * given twice takes its last value. X-GNOME-Autostart-enabled=false is not taken as off: other desktops
 * (KDE, XFCE) start the entry all the same.
 */
function desktopExec(text: string): { exec: string; line: number; raw: string } | null {
  let section = '';
  let found: { exec: string; line: number; raw: string } | null = null;
  let hidden = false;
  splitLines(text).slice(0, 2000).forEach((line, i) => {
    const t = line.trim();
    const s = /^\[(.+)\]$/.exec(t);
    if (s) { section = s[1]; return; }
    if (section !== 'Desktop Entry') return;
    const kv = /^([A-Za-z0-9-]+)\s*=\s*(.*)$/.exec(t);
    if (!kv) return;
    if (kv[1] === 'Exec') found = { exec: unescapeDesktop(kv[2]).replace(/\s%[fFuUdDnNickvm]/g, '').trim(), line: i + 1, raw: line };
    if (kv[1] === 'Hidden') hidden = kv[2] === 'true';
  });
  return hidden ? null : found;
}

/** XDG autostart: what a desktop session starts for every user (/etc/xdg) or for one (~/.config/autostart) (P16). */
export function collectXdgAutostart(ctx: Ctx, homes: { account: Account; home: string }[]): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const dirs: { dir: string; account: Account | null; home: string | null }[] = [{ dir: XDG_AUTOSTART.system, account: null, home: null }];
  for (const { account, home } of homes) dirs.push({ dir: path.posix.join(home, XDG_AUTOSTART.user), account, home });
  for (const { dir, account, home } of dirs) {
    for (const it of listDir(ctx, dir, account ? 'present' : 'always') ?? []) {
      if (!it.name.endsWith('.desktop') || !live(ctx, it)) continue;
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
  // KDE Plasma: every file in ~/.config/autostart-scripts runs at login; ~/.config/plasma-workspace/env/*.sh is sourced
  for (const { account, home } of homes) {
    for (const it of listDir(ctx, path.posix.join(home, XDG_AUTOSTART.kdeScripts), 'present') ?? []) {
      if (!live(ctx, it)) continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      const own = finding('P16', `${account.name}'s Plasma session runs ${it.name} (autostart-scripts)`, { file: it.name, user: account.name });
      out.push(scriptEntry(ctx, 'xdg-autostart', it.hostPath, read.text, read.meta, '@login', account.name, [own]));
    }
    for (const it of listDir(ctx, path.posix.join(home, XDG_AUTOSTART.kdeEnv), 'present') ?? []) {
      if (!it.name.endsWith('.sh') || !live(ctx, it)) continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      const entry = scriptEntry(ctx, 'xdg-autostart', it.hostPath, read.text, read.meta, '@login', account.name);
      if (entry.findings.some((f) => f.id !== 'P9')) out.push(entry);
    }
  }
  return out;
}

/** systemd generators: programs systemd runs at every boot and daemon-reload, before any unit (P17 where an administrator put them). */
export function collectGenerators(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  eachDir(ctx, GENERATOR_DIRS, (dir, local) => {
    const user = dir.includes('/user-');
    for (const it of listDir(ctx, dir) ?? []) {
      if (!live(ctx, it)) continue;
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
