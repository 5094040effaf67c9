// Judging a command line wherever it is installed (cron, at, ExecStart=, rc.local, start-up files):
// catalogue patterns C1-C4, C7, C8 and known miner names (P10), plus the references that let the
// caller link an entry to running processes.
import * as path from 'node:path';
import type { Finding } from '../model';
import { firstHiddenDir } from '../model/toolchain';
import { finding, type RuleId } from './rules';
import { analyseCommand, type CommandFacts } from './shell';

// Catalogue section 2.1 (case-insensitive).
export const C2_RE = /\b(curl|wget|fetch)\b[^|;]*\|\s*(sudo\s+)?(ba|da|z|k)?sh\b|\b(curl|wget)\b[^|;]*\|\s*(python[0-9.]*|perl|ruby|php)\b|\/dev\/(tcp|udp)\//i;
const DOWNLOADER = /\b(curl|wget|fetch)\b/i;

/**
 * C2_RE's match, found in time linear in the text: the regex alone retries `[^|;]*` from every
 * downloader's name, so a line of 80,000 "curl " (a user's own start-up file) took 24 s. Each pipe is
 * looked at once, with the statement before it and the few characters after it.
 */
export function c2Match(text: string): RegExpExecArray | null {
  const socket = /\/dev\/(tcp|udp)\//i.exec(text);
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === ';') { start = i + 1; continue; }
    if (ch !== '|') continue;
    const left = text.slice(start, i);
    start = i + 1;
    if (!DOWNLOADER.test(left)) continue;
    const m = C2_RE.exec(left.slice(left.search(DOWNLOADER)) + text.slice(i, i + 64));
    if (m && !m[0].startsWith('/dev/')) return m;
  }
  return socket ? C2_RE.exec(socket[0]) : null;
}
export const C3_RE = /\bhttps?:\/\/(\d{1,3}(?:\.\d{1,3}){3})(:\d+)?(\/|\b)/i;
const C4_DECODE_RE = /\bbase64\s+(-\w*d\w*|--decode)\b|\bxxd\s+-r\b|\bopenssl\s+(enc\s+)?(-\w+\s+)*-d\b|\bopenssl\s+base64\s+-d\b/i;
const B64_LITERAL_RE = /[A-Za-z0-9+/]{16,}={0,2}/g;
const TEMP_RE = /^\/(tmp|var\/tmp|dev\/shm)(\/|$)|^\/run\/user\/\d+(\/|$)|^\/run\/lock(\/|$)|^\/dev\/mqueue(\/|$)/;
const STRATUM_RE = /\bstratum\+(tcp|ssl|tls):\/\/|--donate-level\b|\bxmr\.|\bnicehash\b|\bminexmr\b|\bsupportxmr\b|\bmoneroocean\b|\bc3pool\b/i;


/** Basenames that imitate system programs (C8); compared in lower case. */
const MIMIC = new Set(['sshd', 'ssh', 'sync', 'upd', 'aptitude', 'kswapd0', 'kswapd', 'kworker', 'kthreadd', 'ksoftirqd',
  'crond', 'cron', 'atd', 'init', 'systemd', 'systemd-journald', 'systemd-udevd', 'journald', 'udevd', 'dbus-daemon',
  'rsyslogd', 'syslogd', 'agetty', 'getty', 'login', 'httpd', 'nginx', 'apache2', 'mysqld', 'php-fpm', 'polkitd',
  'irqbalance', 'dhclient', 'networkd', 'containerd', 'dockerd', 'docker', 'watchdog', 'migration', 'rcu_sched',
  'rcu-sched', 'kauditd', 'khugepaged', 'kblockd', 'kdevtmpfs', 'ntpd', 'chronyd', 'auditd', 'bash', 'top', 'ps',
  'snapd', 'accounts-daemon', 'gnome-shell', 'xorg', 'pulseaudio', 'named']);
const MIMIC_PREFIX = /^(kworker|ksoftirqd|migration|kthread|rcu_|kswapd|systemd-)/i;

/** Program names of miners seen in the sources (catalogue 1.7). */
const MINERS = new Set(['xmrig', 'xmrig-notls', 'xmr-stak', 'xmr-stak-cpu', 'kinsing', 'kdevtmpfsi', 'minerd', 'cpuminer',
  'cpuminer-multi', 'nanominer', 'lolminer', 't-rex', 'phoenixminer', 'ethminer', 'nbminer', 'srbminer', 'srbminer-multi',
  'teamredminer', 'minergate-cli', 'xmrigdaemon', 'ccminer', 'bminer', 'gminer', 'moneroocean']);

const SYSTEM_DIR = /^\/(usr\/(local\/)?)?s?bin\/|^\/(usr\/)?lib(32|64|exec|x32)?\/|^\/usr\/libexec\/|^\/usr\/share\/|^\/opt\/[^/.][^/]*\/s?bin\/|^\/snap\/bin\//;

export function isSystemPath(p: string): boolean {
  return SYSTEM_DIR.test(p);
}

export function isTempPath(p: string): boolean {
  return TEMP_RE.test(p);
}

/**
 * The first hidden directory component of a path, e.g. "/home/abc/.x" for /home/abc/.x/sshd; null if none.
 * Toolchain and environment directories (~/.venv, ~/.cargo, ~/.cache/pypoetry...) are not hidden places:
 * THE list is src/model/toolchain.ts, shared with the process rules.
 */
export function hiddenDir(p: string, includeLast: boolean): string | null {
  return firstHiddenDir(p, includeLast);
}

export interface CommandContext {
  /** Where the command starts (a crontab: its owner's home). */
  cwd: string | null;
  /** Home for ~ and $HOME. */
  home: string | null;
}

export interface CommandJudgement {
  findings: Finding[];
  references: string[];
  facts: CommandFacts;
  /** Payloads decoded from base64 literals, for display. */
  decoded: string[];
  /** Rules that matched, including ones folded into others. */
  matched: Set<RuleId>;
}

function printableShare(s: string): number {
  if (!s) return 0;
  let ok = 0;
  for (const ch of s) if (/[\x20-\x7e\t\n\r]/.test(ch)) ok++;
  return ok / s.length;
}

/** Decode base64 literals that look like hidden shell text (depth 1). */
export function decodePayloads(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(B64_LITERAL_RE)) {
    const lit = m[0];
    if ((lit.match(/\//g) ?? []).length > 2) continue;   // a path, not a payload
    if (lit.replace(/=+$/, '').length % 4 === 1) continue;
    const text = Buffer.from(lit, 'base64').toString('utf8');
    if (text.length >= 8 && printableShare(text) > 0.95 && /[ |;/]/.test(text)) out.push(text);
    if (out.length >= 4) break;
  }
  return out;
}

function uniq(list: string[]): string[] {
  return [...new Set(list.filter(Boolean))];
}

function shorten(s: string, max = 120): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Judge one command. Never throws on junk input. */
export function judgeCommand(command: string, ctx: CommandContext): CommandJudgement {
  const facts = analyseCommand(command, ctx);
  const decoded = decodePayloads(command);
  const decodedFacts = decoded.map((d) => analyseCommand(d, ctx));
  const all: CommandFacts[] = [facts, ...decodedFacts];
  const texts = [command, ...decoded];
  const findings: Finding[] = [];
  const matched = new Set<RuleId>();

  // C1: programs/scripts in temporary or hidden directories (and cd into a hidden one).
  const execPaths = uniq(all.flatMap((f) => [...f.programs, ...f.scripts]).filter((p) => p.startsWith('/')));
  const dirs = uniq(all.flatMap((f) => f.dirs));
  let c1: { path: string; where: string; hidden: boolean } | null = null;
  for (const p of execPaths) {
    const temp = TEMP_RE.exec(p);
    if (temp) { c1 = { path: p, where: temp[0].replace(/\/$/, ''), hidden: false }; break; }
    const h = hiddenDir(p, false);
    if (h) { c1 = { path: p, where: h, hidden: true }; break; }
  }
  if (!c1) {
    for (const d of dirs) {
      const h = hiddenDir(d, true);
      if (h) { c1 = { path: d, where: h, hidden: true }; break; }
    }
  }
  if (c1) {
    matched.add('C1');
    const what = c1.path === c1.where ? `works in a hidden directory (${c1.where})` : c1.hidden
      ? `runs ${c1.path} from a hidden directory (${c1.where})`
      : `runs ${c1.path} from ${c1.where}, a world-writable temporary directory`;
    findings.push(finding('C1', what, { path: c1.path, directory: c1.where }));
  }

  // C2: fetch piped into an interpreter, or a /dev/tcp socket.
  const c2Text = texts.find((t) => c2Match(t) !== null);
  if (c2Text !== undefined) {
    matched.add('C2');
    const m = c2Match(c2Text)!;
    const viaDecoded = c2Text !== command;
    const expl = m[0].includes('/dev/')
      ? `opens a raw network connection through bash's ${m[0].replace(/\/$/, '')} device`
      : `downloads code with ${(m[1] ?? m[4] ?? 'a downloader').toLowerCase()} and pipes it straight into ${(m[3] ? m[3] + 'sh' : m[5] ?? 'sh').toLowerCase()}: whatever the server sends is executed`;
    findings.push(finding('C2', expl + (viaDecoded ? ' (inside the encoded payload)' : ''), { match: m[0] }));
  } else {
    const piped = uniq(all.flatMap((f) => f.pipedInterpreters));
    if (piped.length > 0 && texts.some((t) => /\b(curl|wget|fetch|nc|ncat|socat)\b/i.test(t))) {
      matched.add('C2');
      findings.push(finding('C2', `downloads code and pipes it into ${piped[0]}: whatever the server sends is executed`, { interpreters: piped }));
    }
  }

  // C3: URL with a raw IPv4 host.
  for (const t of texts) {
    const m = C3_RE.exec(t);
    if (m) { matched.add('C3'); findings.push(finding('C3', `fetches from a bare IP address (${m[1]}) instead of a host name`, { host: m[1], url: shorten(m[0]) })); break; }
  }

  // C4: encoded payloads.
  const longLiteral = /(^|[^A-Za-z0-9+/])[A-Za-z0-9+/]{60,}={0,2}/.exec(command);
  const literalIsPayload = !!longLiteral && (longLiteral[0].match(/\//g) ?? []).length <= 2;
  if (C4_DECODE_RE.test(command) || literalIsPayload || decoded.some((d) => C4_DECODE_RE.test(d))) {
    matched.add('C4');
    const how = C4_DECODE_RE.exec(command)?.[0] ?? 'a long base64 literal';
    const expl = decoded.length > 0
      ? `hides its real command in base64 (${how}); it decodes to: ${shorten(decoded[0])}`
      : `decodes hidden data at run time (${how}), so the real command is not visible in the file`;
    findings.push(finding('C4', expl, { decoder: how, decoded: decoded.map((d) => shorten(d, 400)) }));
  }

  // C7: all output discarded, only together with C1/C2/C4.
  const discards = all.some((f) => f.discardsOutput);
  if (discards) matched.add('C7');
  if (discards && (matched.has('C1') || matched.has('C2') || matched.has('C4'))) {
    findings.push(finding('C7', 'discards all output (stdout and stderr to /dev/null), so errors never reach the owner', {}));
  }

  // C8: named like a system program but started from elsewhere (relative or non-system path).
  const started = uniq(all.flatMap((f) => [...f.programs, ...f.scripts]));
  for (const p of started) {
    const base = path.posix.basename(p).toLowerCase();
    if (!(MIMIC.has(base) || MIMIC_PREFIX.test(base))) continue;
    if (p.startsWith('/') && isSystemPath(p)) continue;
    matched.add('C8');
    findings.push(finding('C8', `starts a program named like the system's "${path.posix.basename(p)}" from ${path.posix.dirname(p)}, which is not a system directory`, { path: p }));
    break;
  }

  // P10: known miner names or pool syntax.
  const names = uniq(all.flatMap((f) => f.names));
  const miner = names.find((n) => MINERS.has(n.toLowerCase()));
  const pool = texts.map((t) => STRATUM_RE.exec(t)?.[0]).find(Boolean);
  if (miner || pool) {
    matched.add('P10');
    findings.push(finding('P10', miner ? `starts "${miner}", the name of a known crypto-miner` : `contains mining-pool syntax (${pool})`, { name: miner ?? null, match: pool ?? null }));
  }

  const references = uniq([
    ...all.flatMap((f) => [...f.programs, ...f.scripts, ...f.dirs, ...f.paths]).filter((p) => p.startsWith('/')),
    ...names.filter((n) => n && !n.includes('/') && !n.includes('$')),
  ]);
  return { findings, references, facts, decoded, matched };
}

// ---- cron schedules -------------------------------------------------------------------------

const MINUTE_HOUR_DOM = /^[0-9*/,-]+$/;
const MONTH_DOW = /^[0-9A-Za-z*/,-]+$/;
export const SPECIAL = /^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)$/i;

/** True when the five fields look like a cron time spec. */
export function isCronSpec(fields: string[]): boolean {
  if (fields.length !== 5) return false;
  return fields.slice(0, 3).every((f) => MINUTE_HOUR_DOM.test(f)) && fields.slice(3).every((f) => MONTH_DOW.test(f))
    && fields.slice(3).every((f) => !/[A-Za-z]/.test(f) || /^([A-Za-z]{3}|[0-9*/,-])+$/.test(f));
}

/** Minutes between runs when the schedule runs at least every 10 minutes (C6), else null. */
export function frequentMinutes(schedule: string): number | null {
  const m = /^(\*|\*\/(\d+))\s+\*\s+\*\s+\*\s+\*$/.exec(schedule.trim());
  if (!m) return null;
  const n = m[2] === undefined ? 1 : Number(m[2]);
  return n >= 1 && n <= 10 ? n : null;
}

/** A schedule in plain words, for explanations. */
export function describeSchedule(schedule: string | null): string | null {
  if (!schedule) return null;
  const s = schedule.trim();
  const special = SPECIAL.exec(s);
  if (special) {
    const k = special[1].toLowerCase();
    return k === 'reboot' ? 'at every boot' : k === 'annually' || k === 'yearly' ? 'once a year'
      : k === 'midnight' ? 'every day at midnight' : k === 'daily' ? 'every day' : k === 'hourly' ? 'every hour'
        : k === 'weekly' ? 'every week' : 'every month';
  }
  const every = frequentMinutes(s);
  if (every !== null) return every === 1 ? 'every minute' : `every ${every} minutes`;
  const f = s.split(/\s+/);
  if (f.length === 5) {
    const step = /^\*\/(\d+)$/.exec(f[0]);
    if (step && f.slice(1).every((x) => x === '*')) return `every ${step[1]} minutes`;
    if (/^\d+$/.test(f[0]) && f.slice(1).every((x) => x === '*')) return 'every hour';
    if (/^\d+$/.test(f[0]) && /^\d+$/.test(f[1]) && f.slice(2).every((x) => x === '*')) return `every day at ${f[1].padStart(2, '0')}:${f[0].padStart(2, '0')}`;
    return `on the schedule "${s}"`;
  }
  return s;
}

/** Findings that depend on the schedule: C5 (@reboot, 6 with C1) and C6 (very frequent). */
export function judgeSchedule(schedule: string, matched: Set<RuleId>): Finding[] {
  const out: Finding[] = [];
  if (/^@reboot$/i.test(schedule.trim())) {
    const withC1 = matched.has('C1');
    out.push(finding('C5', withC1 ? 'starts at every boot, from the same suspicious location' : 'starts at every boot', { schedule }, withC1 ? 6 : undefined));
  }
  const every = frequentMinutes(schedule);
  if (every !== null) out.push(finding('C6', `runs ${every === 1 ? 'every minute' : `every ${every} minutes`}, the way a watchdog restarts a program that was killed`, { schedule }));
  return out;
}
