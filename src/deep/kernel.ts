// The kernel itself: its taint mask, and loaded modules no package ships. A kernel rootkit is a module
// (Diamorphine, Reptile): loaded with insmod from wherever it was dropped, out of tree, unsigned, so it
// taints the kernel (O, E) and has no file under /lib/modules/$(uname -r). Many rootkits also remove
// themselves from /proc/modules; some leave their /sys/module entry behind, which is checked too.
// Honest hosts are tainted too (NVIDIA's driver: P, O; ZFS: P/O; DKMS builds): taint is context, a
// module with no file on disk is the finding.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readModules, readOsRelease, readTainted, type LoadedModule } from '../procfs/kernel';

/** Documentation/admin-guide/tainted-kernels.rst: bit, letter, meaning. */
export const TAINT_BITS: { bit: number; letter: string; meaning: string }[] = [
  { bit: 0, letter: 'P', meaning: 'a proprietary module was loaded' },
  { bit: 1, letter: 'F', meaning: 'a module was force-loaded' },
  { bit: 2, letter: 'S', meaning: 'the kernel runs on an out-of-spec system' },
  { bit: 3, letter: 'R', meaning: 'a module was force-unloaded' },
  { bit: 4, letter: 'M', meaning: 'a machine check exception occurred' },
  { bit: 5, letter: 'B', meaning: 'a bad page was referenced' },
  { bit: 6, letter: 'U', meaning: 'a user asked for the taint' },
  { bit: 7, letter: 'D', meaning: 'the kernel died recently (oops or BUG)' },
  { bit: 8, letter: 'A', meaning: 'an ACPI table was overridden' },
  { bit: 9, letter: 'W', meaning: 'the kernel issued a warning' },
  { bit: 10, letter: 'C', meaning: 'a staging driver was loaded' },
  { bit: 11, letter: 'I', meaning: 'a platform firmware bug workaround is active' },
  { bit: 12, letter: 'O', meaning: 'an out-of-tree module was loaded' },
  { bit: 13, letter: 'E', meaning: 'an unsigned module was loaded' },
  { bit: 14, letter: 'L', meaning: 'a soft lockup occurred' },
  { bit: 15, letter: 'K', meaning: 'the kernel was live-patched' },
  { bit: 16, letter: 'X', meaning: 'auxiliary taint (distribution-defined)' },
  { bit: 17, letter: 'T', meaning: 'the kernel was built with the struct randomization plugin' },
  { bit: 18, letter: 'N', meaning: 'an in-kernel test was run' },
];

export function decodeTaint(mask: number): { bit: number; letter: string; meaning: string }[] {
  return TAINT_BITS.filter((t) => Math.floor(mask / 2 ** t.bit) % 2 === 1);
}

/** Module names are written with '-' or '_' interchangeably: compare them folded. */
export const foldModuleName = (s: string) => s.replace(/-/g, '_');

/** Names (folded, without .ko*) of every module file under <root>/lib/modules/<release>; null when the directory is missing. */
export function moduleFilesOnDisk(root: string, release: string, maxEntries = 200_000): Set<string> | null {
  const bases = [join(root, 'lib/modules', release), join(root, 'usr/lib/modules', release)];
  let found = false;
  const names = new Set<string>();
  let seen = 0;
  for (const base of bases) {
    const stack = [base];
    while (stack.length && seen < maxEntries) {
      const dir = stack.pop()!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      if (dir === base) found = true;
      for (const e of entries) {
        if (++seen > maxEntries) break;
        if (e.isDirectory()) { if (e.name !== 'build' && e.name !== 'source') stack.push(join(dir, e.name)); continue; }
        const m = /^(.+)\.ko(\.(xz|zst|gz))?$/.exec(e.name);
        if (m && (e.isFile() || e.isSymbolicLink())) names.add(foldModuleName(m[1]));
      }
    }
  }
  return found ? names : null;
}

/** Loadable modules /sys/module knows of (they have an initstate file): folded names. */
export function sysModules(sysRoot: string): Set<string> | null {
  let entries: string[];
  try {
    entries = readdirSync(join(sysRoot, 'module'));
  } catch {
    return null;
  }
  const out = new Set<string>();
  for (const name of entries) {
    try {
      readdirSync(join(sysRoot, 'module', name)).includes('initstate') && out.add(foldModuleName(name));
    } catch {
      // vanished or unreadable
    }
  }
  return out;
}

export interface KernelCheck {
  release: string | null;
  tainted: number | null;
  taints: { bit: number; letter: string; meaning: string }[];
  /** null: /proc/modules missing (a kernel without loadable modules). */
  modules: LoadedModule[] | null;
  /** null: no /lib/modules/<release> to compare with. */
  onDisk: number | null;
  /** Loaded modules with no file under /lib/modules/<release>. */
  withoutFile: LoadedModule[];
  /** In /sys/module as loadable but missing from /proc/modules. */
  hiddenFromList: string[];
}

export function checkKernel(opts: { procRoot?: string; root?: string; sysRoot?: string } = {}): KernelCheck {
  const procRoot = opts.procRoot ?? '/proc';
  const root = opts.root ?? '/';
  const release = readOsRelease(procRoot);
  const tainted = readTainted(procRoot);
  const modules = readModules(procRoot);
  const files = release && modules ? moduleFilesOnDisk(root, release) : null;
  const withoutFile = files && modules ? modules.filter((m) => !files.has(foldModuleName(m.name))) : [];
  const listed = new Set((modules ?? []).map((m) => foldModuleName(m.name)));
  const sys = modules ? sysModules(opts.sysRoot ?? join(root, 'sys')) : null;
  const hiddenFromList = sys ? [...sys].filter((n) => !listed.has(n)).sort() : [];
  return {
    release, tainted, taints: tainted ? decodeTaint(tainted) : [], modules,
    onDisk: files ? files.size : null, withoutFile, hiddenFromList,
  };
}
