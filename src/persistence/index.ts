// The persistence view: what is installed on this host that would start a program again, judged
// and explained. Synchronous, read-only, under a root directory (tests use fixture trees).
import { severityRank } from '../model';
import { collectAnacrontab, collectAtJobs, collectCronScripts, collectSystemCrontabs, collectUserCrontabs } from './cron';
import { SafeTree } from '../fsafe/index';
import { isDirectory, noteRefusedDir, openableDir, parsePasswd, readCapped, type Account, type Ctx } from './fsread';
import { collectAuthorizedKeys, collectEnvironment, collectInitScripts, collectLdPreload, collectRcLocal, collectShellStartup } from './other';
import { collectSystemd } from './systemd';
import { collectGenerators, collectPam, collectUdevRules, collectXdgAutostart } from './hooks';
import { collectBootModules, collectModprobeInstall } from './kernelModules';
import type { PersistenceEntry, PersistenceReport } from './types';

export type { FileMeta, PersistenceEntry, PersistenceKind, PersistenceLocation, PersistenceReport } from './types';
export { linkPersistence, type PersistenceLink } from './link';
export { RULES } from './rules';
export { describeEntry, formatPersistence, persistenceLines } from './format';

export interface CollectOptions {
  root?: string;
  /** Limit per-user locations (homes, user crontabs) to these accounts; default: every account with a home. */
  users?: string[];
  now?: number;
  recentDays?: number;
}

const NO_HOME = new Set(['', '/', '/nonexistent', '/dev/null', '/var/empty']);

function sortEntries(entries: PersistenceEntry[]): PersistenceEntry[] {
  return entries.sort((a, b) => b.score - a.score || severityRank(b.severity) - severityRank(a.severity)
    || a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
}

export function collectPersistence(opts: CollectOptions = {}): PersistenceReport {
  const root = opts.root ?? '/';
  const tree = new SafeTree(root);
  try {
    return collectIn(tree, root, opts);
  } finally {
    tree.close();
  }
}

function collectIn(tree: SafeTree, root: string, opts: CollectOptions): PersistenceReport {
  const ctx: Ctx = {
    root: root === '/' ? '/' : root.replace(/\/+$/, ''),
    tree,
    now: opts.now ?? Date.now(),
    recentMs: (opts.recentDays ?? 7) * 86_400_000,
    accounts: [],
    byName: new Map(),
    byUid: new Map(),
    locations: [],
    warnings: [],
    seen: new Set(),
  };
  const top = tree.openDir('/');
  if ('ok' in top) ctx.warnings.push(top.reason === 'missing' ? `root ${root} does not exist` : `root ${root} cannot be read: ${top.detail}`);
  else top.close();

  const passwd = readCapped(ctx, '/etc/passwd');
  if (passwd) {
    ctx.accounts = parsePasswd(passwd.text);
    for (const a of ctx.accounts) {
      if (!ctx.byName.has(a.name)) ctx.byName.set(a.name, a);
      if (!ctx.byUid.has(a.uid)) ctx.byUid.set(a.uid, a);
    }
  } else {
    ctx.warnings.push('/etc/passwd could not be read: account checks (C10, C13) and per-user locations are skipped');
  }

  const wanted = opts.users ? new Set(opts.users) : null;
  if (wanted) for (const u of wanted) if (!ctx.byName.has(u)) ctx.warnings.push(`user ${u} is not in /etc/passwd`);
  const homes: { account: Account; home: string }[] = [];
  const seenHomes = new Set<string>();
  for (const a of ctx.accounts) {
    if (wanted && !wanted.has(a.name)) continue;
    if (NO_HOME.has(a.home) || seenHomes.has(a.home)) continue;
    if (!isDirectory(ctx, a.home)) continue;
    seenHomes.add(a.home);
    const open = openableDir(ctx, a.home);
    if (open !== true) {
      // One line for the home instead of one per start-up file, key file and unit directory in it.
      noteRefusedDir(ctx, a.home, open);
      continue;
    }
    homes.push({ account: a, home: a.home });
  }

  const entries: PersistenceEntry[] = [];
  const steps: [string, () => PersistenceEntry[]][] = [
    ['user crontabs', () => collectUserCrontabs(ctx, wanted)],
    ['system crontabs', () => collectSystemCrontabs(ctx)],
    ['cron scripts', () => collectCronScripts(ctx)],
    ['anacrontab', () => collectAnacrontab(ctx)],
    ['at jobs', () => collectAtJobs(ctx, wanted)],
    ['systemd', () => collectSystemd(ctx, homes)],
    ['rc.local', () => collectRcLocal(ctx)],
    ['init scripts', () => collectInitScripts(ctx)],
    ['shell start-up files', () => collectShellStartup(ctx, homes)],
    ['authorized keys', () => collectAuthorizedKeys(ctx, homes)],
    ['ld.so.preload', () => collectLdPreload(ctx)],
    ['udev rules', () => collectUdevRules(ctx)],
    ['PAM', () => collectPam(ctx)],
    ['XDG autostart', () => collectXdgAutostart(ctx, homes)],
    ['systemd generators', () => collectGenerators(ctx)],
    ['kernel modules at boot', () => collectBootModules(ctx)],
    ['modprobe install commands', () => collectModprobeInstall(ctx)],
    ['/etc/environment', () => collectEnvironment(ctx)],
  ];
  for (const [name, step] of steps) {
    try {
      entries.push(...step());
    } catch (err) {
      // A reader bug must not hide every other location.
      ctx.warnings.push(`${name}: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  return { entries: sortEntries(entries), locations: ctx.locations, warnings: ctx.warnings };
}
