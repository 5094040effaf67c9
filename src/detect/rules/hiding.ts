// Hiding rules: something over /proc/PID, or a preloaded library that can hide processes.
import type { ProcessInfo } from '../../model';
import { basename, hiddenComponents, inSystemDir, ownershipOf, WRITABLE_DIRS } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';

export const H42: Rule = {
  id: 'H42',
  title: 'Something is mounted over its /proc entry',
  attack: ['T1036.004', 'T1564'],
  describes: 'A file system is mounted over /proc/PID, so tools that read /proc see another process (often a kernel thread) in its place.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const m = ctx.host.procMismatches.find((x) => x.pid === p.pid && x.reason.startsWith('something is mounted'));
    return m ? { weight: 10, explanation: m.reason, evidence: { pid: p.pid } } : null;
  },
};

export const H43: Rule = {
  id: 'H43',
  title: 'Its /proc entry describes another process',
  attack: ['T1036.004', 'T1564'],
  describes: '/proc/N/stat must describe PID N. When it names another PID, the entry was covered (bind mount) to disguise the real process.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const m = ctx.host.procMismatches.find((x) => x.pid === p.pid && x.reason.includes('describes PID'));
    return m ? { weight: 10, explanation: m.reason, evidence: { pid: p.pid } } : null;
  },
};

/** Allocators and other libraries preloaded on purpose: packaged, they are at most low. */
const BENIGN_PRELOAD = /^lib(jemalloc|tcmalloc(_minimal)?|mimalloc|hoard|tbbmalloc(_proxy)?|faketime(MT)?|eatmydata|gtk3-nocsd|nss_wrapper|uid_wrapper|socket_wrapper|asan|tsan|ubsan|lsan|memusage|SegFault|pcprofile|vtune|ittnotify|nvtx|cuda_preload|gperftools|profiler|stdbuf)([.-][^/]*)?\.so[.\d]*$/;

interface PreloadJudgement { weight: number; why: string }

/** Weigh one preloaded library by where it lives and who installed it. */
export function judgePreload(lib: string, ctx: RuleContext): PreloadJudgement {
  const name = basename(lib);
  if (!lib.startsWith('/')) return { weight: 5, why: `${lib} is found through the library search path, not named by location` };
  const temp = WRITABLE_DIRS.find((d) => lib.startsWith(d.prefix));
  if (temp) return { weight: 7, why: `${lib} lives in ${temp.prefix.slice(0, -1)}, a directory anyone can write to` };
  const hidden = hiddenComponents(lib);
  if (hidden.length > 0) return { weight: 7, why: `${lib} lives in the hidden directory ${hidden.join('/')}` };
  const own = ownershipOf(ctx.packages, lib);
  if (own.state === 'owned') {
    return BENIGN_PRELOAD.test(name)
      ? { weight: 1, why: `${lib} is ${name.replace(/\.so.*$/, '')} from package ${own.package}` }
      : { weight: 2, why: `${lib} comes from package ${own.package}` };
  }
  if (own.state === 'unowned') {
    return { weight: BENIGN_PRELOAD.test(name) ? 3 : 5, why: `no package installed ${lib}` };
  }
  if (inSystemDir(lib) && BENIGN_PRELOAD.test(name)) return { weight: 1, why: `${lib} is an allocator or tool library in a system directory` };
  return { weight: 4, why: `${lib} (its package could not be checked: ${own.why})` };
}

export const H44: Rule = {
  id: 'H44',
  title: 'LD_PRELOAD in its environment',
  attack: ['T1574.006'],
  describes: 'LD_PRELOAD (or LD_AUDIT) makes a program load an extra library first: how user-land rootkits hide processes. Weighed by where the library lives and who installed it: one in /tmp, /dev/shm or a hidden directory is high, a packaged allocator (jemalloc, tcmalloc) at most low. A non-empty /etc/ld.so.preload is reported as a host warning.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const env = p.preloadEnv;
    const value = env?.LD_PRELOAD ?? env?.LD_AUDIT;
    if (!value) return null;
    const name = env?.LD_PRELOAD ? 'LD_PRELOAD' : 'LD_AUDIT';
    const libs = value.split(/[:\s]+/).filter(Boolean).slice(0, 16);
    if (libs.length === 0) return null;
    const judged = libs.map((l) => judgePreload(l, ctx)).sort((a, b) => b.weight - a.weight);
    const worst = judged[0];
    return { weight: worst.weight, explanation: `it runs with ${name}=${value}: ${worst.why}`, evidence: { [name]: value, libraries: libs } };
  },
};
