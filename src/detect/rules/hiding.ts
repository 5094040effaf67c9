// Hiding rules: something over /proc/PID, or a preloaded library that can hide processes.
import type { ProcessInfo } from '../../model';
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

export const H44: Rule = {
  id: 'H44',
  title: 'LD_PRELOAD in its environment',
  attack: ['T1574.006'],
  describes: 'LD_PRELOAD (or LD_AUDIT) makes every program load an extra library first: how user-land rootkits hide processes. Some profilers and tools use it legitimately. A non-empty /etc/ld.so.preload is reported as a host warning.',
  check(p: ProcessInfo): Hit | null {
    const env = p.preloadEnv;
    const value = env?.LD_PRELOAD ?? env?.LD_AUDIT;
    if (!value) return null;
    const name = env?.LD_PRELOAD ? 'LD_PRELOAD' : 'LD_AUDIT';
    return { weight: 4, explanation: `it runs with ${name}=${value}`, evidence: { [name]: value } };
  },
};
