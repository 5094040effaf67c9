// Content rules: what the files around a process say, gathered off the tick (src/content/) for
// processes that already show a sign or burn CPU. Each quotes the evidence it rests on.
import type { ProcessInfo } from '../../model';
import type { Hit, Rule, RuleContext } from '../rule';

export const H37: Rule = {
  id: 'H37',
  title: 'Miner configuration next to it',
  attack: ['T1496.001'],
  describes: 'An XMRig-style configuration (JSON with "pools", "donate-level", "randomx"...) in its working directory or next to its executable: how a miner keeps its pool and wallet off the command line. Read only for processes with another sign or burning CPU, bounded, through the safe opener.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const cfg = ctx.content.get(p.pid)?.minerConfig;
    if (!cfg) return null;
    return {
      weight: 9,
      explanation: `${cfg.file} is a miner's configuration (${cfg.keys.slice(0, 5).join(', ')})${cfg.pools[0] ? `: pool ${cfg.pools[0]}` : ''}`,
      evidence: { file: cfg.file, keys: cfg.keys, pools: cfg.pools, excerpt: cfg.excerpt },
    };
  },
};

export const H38: Rule = {
  id: 'H38',
  title: 'Miner strings in its executable',
  attack: ['T1496.001'],
  describes: 'Its executable contains what miners carry: stratum URLs, pool host names, XMRig or RandomX strings, wallet addresses (a bounded scan of the first 4 MiB, cached per file, done off the tick). A renamed xmrig keeps them whatever it calls itself.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const s = ctx.content.get(p.pid)?.exeStrings;
    if (!s || s.matches.length === 0) return null;
    const strong = s.matches.some((m) => m.startsWith('stratum:') || m.startsWith('miner:'));
    return {
      weight: strong ? 8 : 5,
      explanation: `its executable contains ${strong ? 'miner strings' : 'pool or wallet strings'}: ${s.matches.slice(0, 3).join('; ')}`,
      evidence: { matches: s.matches, bytesScanned: s.bytesScanned },
    };
  },
};

export const H22: Rule = {
  id: 'H22',
  title: 'Executable code mapped from a writable, hidden or deleted file',
  attack: ['T1574.006', 'T1055'],
  describes: 'Its memory maps (/proc/PID/maps) hold executable code from a library in /tmp, /dev/shm, a hidden directory, or a deleted file outside the system directories: code injected or preloaded from where no package installs it.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const maps = ctx.content.get(p.pid)?.execMaps;
    if (!maps || maps.length === 0) return null;
    return {
      weight: 7,
      explanation: `it runs code mapped from ${maps[0]}${maps.length > 1 ? ` and ${maps.length - 1} more` : ''}`,
      evidence: { mappings: maps },
    };
  },
};
