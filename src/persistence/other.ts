// rc scripts, shell start-up files, SSH authorized keys and /etc/ld.so.preload.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Finding } from '../model';
import { scriptEntry } from './cron';
import { makeEntry } from './entry';
import { listDir, readCapped, realDir, splitLines, type Account, type Ctx } from './fsread';
import { hiddenDir, isTempPath, judgeCommand } from './judge';
import { finding } from './rules';
import type { PersistenceEntry } from './types';

export const RC_LOCAL = ['/etc/rc.local', '/etc/rc.d/rc.local'];
export const INIT_DIRS = ['/etc/init.d', '/etc/rc.d/init.d'];
export const SYSTEM_STARTUP = ['/etc/profile', '/etc/bash.bashrc', '/etc/bashrc', '/etc/zshrc', '/etc/zsh/zshrc', '/etc/zsh/zprofile',
  '/etc/zsh/zshenv', '/etc/zsh/zlogin', '/etc/csh.cshrc', '/etc/csh.login'];
export const USER_STARTUP = ['.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zshenv', '.zprofile',
  '.zlogin', '.zlogout', '.cshrc', '.tcshrc', '.login', '.logout', '.shrc', '.kshrc', '.mkshrc', '.config/fish/config.fish'];
export const KEY_FILES = ['.ssh/authorized_keys', '.ssh/authorized_keys2'];

const SHELL_NOISE = /^(fi|done|esac|then|else|do|\{|\}|;;|exit(\s+\d+)?|return(\s+\d+)?|#!.*)$/;

/** /etc/rc.local: every command line is an entry (P6) judged like a cron command. */
export function collectRcLocal(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  for (const f of RC_LOCAL) {
    const read = readCapped(ctx, f);
    if (!read) continue;
    splitLines(read.text).slice(0, 5000).forEach((line, i) => {
      const t = line.trim();
      if (t === '' || t.startsWith('#') || SHELL_NOISE.test(t)) return;
      const j = judgeCommand(t, { cwd: '/', home: '/root' });
      const findings: Finding[] = [finding('P6', 'runs as root at every boot from rc.local', { line: i + 1 }), ...j.findings];
      out.push(makeEntry(ctx, { kind: 'rc-script', path: f, line: i + 1, runsAs: 'root', schedule: '@boot', command: t, raw: line, file: read.meta }, findings, j.references));
    });
  }
  return out;
}

/** /etc/init.d: scripts with an LSB or chkconfig header that did not change recently look packaged and are skipped. */
export function collectInitScripts(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const seen = new Set<string>();
  for (const dir of INIT_DIRS) {
    const real = realDir(ctx, dir);
    if (!real) { ctx.locations.push({ path: dir, status: 'absent' }); continue; }
    if (seen.has(real)) continue;
    seen.add(real);
    for (const it of listDir(ctx, dir) ?? []) {
      if (it.isDir || it.name.startsWith('.') || it.name === 'README' || it.name === 'skeleton' || it.name === 'functions') continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      const packaged = /^### BEGIN INIT INFO|^#\s*chkconfig:/m.test(read.text.slice(0, 8192));
      const recent = ctx.now - read.meta.mtime <= ctx.recentMs;
      if (packaged && !recent) continue;
      const extra = packaged ? [] : [finding('P7', 'an init script without the LSB "BEGIN INIT INFO" or chkconfig header that packaged scripts carry', { name: it.name })];
      out.push(scriptEntry(ctx, 'rc-script', it.hostPath, read.text, read.meta, '@boot', 'root', extra));
    }
  }
  return out;
}

function startupEntries(ctx: Ctx, hostPath: string, account: Account | null, home: string | null): PersistenceEntry[] {
  const read = readCapped(ctx, hostPath, account ? 'present' : 'always');
  if (!read) return [];
  const out: PersistenceEntry[] = [];
  splitLines(read.text).slice(0, 20_000).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    const j = judgeCommand(t, { cwd: home, home });
    const detached = j.facts.background;
    if (!(j.matched.has('C1') || j.matched.has('C2') || j.matched.has('C4') || j.matched.has('P10') || detached.length > 0)) return;
    const who = account ? `whenever ${account.name} starts a shell` : 'whenever any user starts a login shell';
    const findings = j.findings.map((f) => ({ ...f, explanation: `${f.explanation} (${who})`, attack: [...new Set([...f.attack, 'T1546.004'])] }));
    if (detached.length > 0) {
      findings.push(finding('P12', `starts ${detached[0]} in the background ${who}: a program that outlives the shell that started it`, { programs: detached }));
      findings.sort((a, b) => b.weight - a.weight);
    }
    out.push(makeEntry(ctx, { kind: 'shell-startup', path: hostPath, line: i + 1, runsAs: account?.name ?? null, schedule: '@login', command: t, raw: line, file: read.meta }, findings, j.references));
  });
  return out;
}

/** Shell start-up files: only lines that launch something suspicious (C1/C2/C4, miner names) become entries. */
export function collectShellStartup(ctx: Ctx, homes: { account: Account; home: string }[]): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  for (const f of SYSTEM_STARTUP) out.push(...startupEntries(ctx, f, null, null));
  for (const it of listDir(ctx, '/etc/profile.d') ?? []) if (!it.isDir) out.push(...startupEntries(ctx, it.hostPath, null, null));
  for (const { account, home } of homes) {
    for (const rel of USER_STARTUP) out.push(...startupEntries(ctx, path.posix.join(home, rel), account, home));
  }
  return out;
}

const KEY_LINE = /^(?:(.*?)\s+)?((?:sk-)?(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp(?:256|384|521))(?:@openssh\.com)?(?:-cert-v01@openssh\.com)?)\s+([A-Za-z0-9+/]+={0,3})(?:\s+(.*))?$/;

export function keyFingerprint(b64: string): string {
  return 'SHA256:' + createHash('sha256').update(Buffer.from(b64, 'base64')).digest('base64').replace(/=+$/, '');
}

/** authorized_keys: one info entry per key, with type, fingerprint, comment and options. */
export function collectAuthorizedKeys(ctx: Ctx, homes: { account: Account; home: string }[]): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  for (const { account, home } of homes) {
    for (const rel of KEY_FILES) {
      const f = path.posix.join(home, rel);
      const read = readCapped(ctx, f, 'present');
      if (!read) continue;
      splitLines(read.text).slice(0, 5000).forEach((line, i) => {
        const t = line.replace(/\r$/, '').trim();
        if (t === '' || t.startsWith('#')) return;
        const m = KEY_LINE.exec(t);
        if (!m) {
          out.push(makeEntry(ctx, { kind: 'authorized-keys', path: f, line: i + 1, runsAs: account.name, schedule: null, command: null, raw: line, file: read.meta },
            [finding('P8', `line ${i + 1} is not a valid key line (sshd ignores it)`, { line: i + 1 })], []));
          return;
        }
        const [, options = '', type, blob, comment = ''] = m;
        const fp = keyFingerprint(blob);
        const findings: Finding[] = [finding('P8', `a ${type} key (${fp}${comment ? `, comment "${comment}"` : ', no comment'}) lets whoever holds the private key log in as ${account.name}`, { type, fingerprint: fp, comment, options })];
        let command: string | null = null;
        let refs: string[] = [];
        const forced = /(?:^|,)command="((?:[^"\\]|\\.)*)"/.exec(options);
        if (forced) {
          command = forced[1].replace(/\\"/g, '"');
          const j = judgeCommand(command, { cwd: home, home });
          refs = j.references;
          findings.push(finding('P11', `the key forces the command ${command.length > 80 ? command.slice(0, 79) + '…' : command} at every login`, { command }), ...j.findings);
        }
        out.push(makeEntry(ctx, { kind: 'authorized-keys', path: f, line: i + 1, runsAs: account.name, schedule: null, command, raw: line, file: read.meta }, findings, refs));
      });
    }
  }
  return out;
}

/** /etc/ld.so.preload: every library named is loaded into every dynamically linked program. */
export function collectLdPreload(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const f = '/etc/ld.so.preload';
  const read = readCapped(ctx, f);
  if (!read) return out;
  splitLines(read.text).slice(0, 1000).forEach((line, i) => {
    const t = line.replace(/#.*/, '').trim();
    if (t === '') return;
    const libs = t.split(/[\s:]+/).filter(Boolean).slice(0, 16);
    const list = libs.join(', ');
    out.push(makeEntry(ctx, { kind: 'ld-preload', path: f, line: i + 1, runsAs: null, schedule: null, command: t, raw: line, file: read.meta },
      [finding('P1', `${list} ${libs.length === 1 ? 'is' : 'are'} loaded into every program started on this host; userland rootkits use this to hide miner processes from ps and top`, { libraries: libs })],
      libs.filter((l) => l.startsWith('/'))));
  });
  return out;
}

/** Variables of /etc/environment that change what every program loads: pam_env sets them in every login session. */
const LOADER_VARS = /^(LD_PRELOAD|LD_AUDIT|LD_LIBRARY_PATH)$/;

/**
 * /etc/environment (pam_env: every login session, ssh and su included): a library preloaded or audited
 * (LD_PRELOAD, LD_AUDIT), or libraries looked up first in a temporary or hidden directory
 * (LD_LIBRARY_PATH), in every session (P20).
 */
export function collectEnvironment(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  const f = '/etc/environment';
  const read = readCapped(ctx, f, 'present');
  if (!read) return out;
  splitLines(read.text).slice(0, 1000).forEach((line, i) => {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || !LOADER_VARS.test(m[1])) return;
    const value = m[2].replace(/^(["'])(.*)\1$/, '$2');
    const paths = value.split(/[\s:]+/).filter(Boolean).slice(0, 16);
    if (paths.length === 0) return;
    const odd = paths.filter((p) => isTempPath(p) || hiddenDir(p, true) !== null);
    if (m[1] === 'LD_LIBRARY_PATH' && odd.length === 0) return;
    const weight = m[1] === 'LD_LIBRARY_PATH' ? 5 : odd.length > 0 ? 9 : 7;
    out.push(makeEntry(ctx, { kind: 'environment', path: f, line: i + 1, runsAs: null, schedule: '@login', command: `${m[1]}=${value}`, raw: line, file: read.meta },
      [finding('P20', m[1] === 'LD_LIBRARY_PATH'
        ? `every login session looks up libraries first in ${odd.join(', ')}: a library placed there replaces the system's`
        : `every login session loads ${paths.join(', ')} into every program it starts (${m[1]}), as userland rootkits do`, { variable: m[1], paths }, weight)],
      paths.filter((p) => p.startsWith('/'))));
  });
  return out;
}
