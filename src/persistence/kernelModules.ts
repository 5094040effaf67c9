// Kernel modules at boot and modprobe's hooks: how kernel rootkits (Diamorphine, Reptile) come back
// after a reboot. modules-load.d(5) and Debian's /etc/modules name modules systemd loads at every boot;
// a name no installed kernel ships (in any /lib/modules/RELEASE/modules.dep or modules.builtin) was
// built and placed by hand (P18). modprobe.d(5) `install NAME COMMAND` runs a shell command instead of
// loading NAME, whenever anything asks for it (P19); `install NAME /bin/true` is how hardening guides
// disable a module, and is no program.
import * as path from 'node:path';
import { makeEntry } from './entry';
import { eachDir, listDir, readCapped, splitLines, type Ctx, type DirItem } from './fsread';
import { judgeCommand } from './judge';
import { finding, type RuleId } from './rules';
import type { PersistenceEntry } from './types';

export const MODULES_LOAD_DIRS = [
  { dir: '/etc/modules-load.d', local: true }, { dir: '/run/modules-load.d', local: true }, { dir: '/usr/local/lib/modules-load.d', local: true },
  { dir: '/usr/lib/modules-load.d', local: false }, { dir: '/lib/modules-load.d', local: false },
];
export const MODPROBE_DIRS = [
  { dir: '/etc/modprobe.d', local: true }, { dir: '/run/modprobe.d', local: true }, { dir: '/usr/local/lib/modprobe.d', local: true },
  { dir: '/usr/lib/modprobe.d', local: false }, { dir: '/lib/modprobe.d', local: false },
];
export const ETC_MODULES = '/etc/modules';
const MODULE_TREES = [{ dir: '/lib/modules', local: false }, { dir: '/usr/lib/modules', local: false }];
/** What makes a line in a distribution's file worth showing: the patterns no package ships. */
const SUSPICIOUS: RuleId[] = ['C1', 'C2', 'C4', 'P10'];

/** `install NAME /bin/true` (or false): the module disabled, nothing run. */
const DISABLED = /^(\/usr)?\/s?bin\/(true|false)\b|^(true|false)$|^\/(usr\/)?s?bin\/modprobe\s+--ignore-install\b/;

/** Module names normalise '-' to '_' (modprobe does). */
const norm = (name: string) => name.replace(/-/g, '_');

/**
 * Every module name the installed kernels ship, or null when that cannot be told: no kernel's module
 * list could be read in full (a container has none), so no name can be called foreign.
 */
function shippedModules(ctx: Ctx): Set<string> | null {
  const names = new Set<string>();
  let complete = 0;
  eachDir(ctx, MODULE_TREES, (tree) => {
    for (const release of listDir(ctx, tree, 'present') ?? []) {
      if (!release.isDir) continue;
      let whole = true;
      for (const list of ['modules.dep', 'modules.builtin']) {
        // modules.dep is 1-2 MB on Ubuntu: read whole, or the release does not count
        const read = readCapped(ctx, path.posix.join(release.hostPath, list), 'present', { maxBytes: 16 * 1024 * 1024 });
        if (!read || read.truncated) { if (list === 'modules.dep') whole = false; continue; }
        for (const line of splitLines(read.text)) {
          const file = line.split(':')[0];
          const m = /([^/]+)\.ko(\.(xz|gz|zst))?$/.exec(file);
          if (m) names.add(norm(m[1]));
        }
      }
      if (whole) complete++;
    }
  });
  return complete > 0 ? names : null;
}

const live = (it: DirItem) => !it.isDir && it.name.endsWith('.conf');

/** modules-load.d and /etc/modules: a module loaded at every boot that no installed kernel ships (P18). */
export function collectBootModules(ctx: Ctx): PersistenceEntry[] {
  const files: string[] = [];
  eachDir(ctx, MODULES_LOAD_DIRS, (dir) => {
    for (const it of listDir(ctx, dir) ?? []) if (live(it)) files.push(it.hostPath);
  });
  files.push(ETC_MODULES);
  const named: { file: string; line: number; raw: string; name: string; meta: NonNullable<ReturnType<typeof readCapped>>['meta'] }[] = [];
  for (const f of files) {
    const read = readCapped(ctx, f, 'present');
    if (!read) continue;
    splitLines(read.text).slice(0, 5000).forEach((raw, i) => {
      const name = raw.replace(/[#;].*/, '').trim().split(/\s+/)[0];
      if (name) named.push({ file: f, line: i + 1, raw, name, meta: read.meta });
    });
  }
  if (named.length === 0) return [];
  const shipped = shippedModules(ctx);
  if (!shipped) return []; // no module tree to compare with: nothing can be called foreign
  return named.filter((n) => !shipped.has(norm(n.name))).map((n) => makeEntry(ctx,
    { kind: 'kernel-module', path: n.file, line: n.line, runsAs: 'root', schedule: '@boot', command: n.name, raw: n.raw, file: n.meta },
    [finding('P18', `${n.name} is loaded into the kernel at every boot, and no installed kernel ships a module of that name: one built and placed by hand, as kernel rootkits are`, { module: n.name })],
    [n.name]));
}

/** modprobe.d: `install NAME COMMAND` runs COMMAND as root whenever NAME is asked for (P19). */
export function collectModprobeInstall(ctx: Ctx): PersistenceEntry[] {
  const out: PersistenceEntry[] = [];
  eachDir(ctx, MODPROBE_DIRS, (dir, local) => {
    for (const it of listDir(ctx, dir) ?? []) {
      if (!live(it)) continue;
      const read = readCapped(ctx, it.hostPath, 'present');
      if (!read) continue;
      splitLines(read.text).slice(0, 5000).forEach((raw, i) => {
        const m = /^\s*install\s+(\S+)\s+(.+)$/.exec(raw);
        if (!m) return;
        const command = m[2].trim();
        if (DISABLED.test(command) && !/[;&|`$<>()]/.test(command)) return; // and nothing chained after it
        const j = judgeCommand(command, { cwd: '/', home: '/root' });
        if (!local && !SUSPICIOUS.some((id) => j.matched.has(id))) return;
        const own = finding('P19', `modprobe runs ${command.split(/\s+/)[0]} as root instead of loading ${m[1]}, whenever anything asks for that module`, { module: m[1] });
        out.push(makeEntry(ctx, { kind: 'kernel-module', path: it.hostPath, line: i + 1, runsAs: 'root', schedule: '@module-load', command, raw, file: read.meta },
          [own, ...j.findings], j.references));
      });
    }
  });
  return out;
}
