// H52: GPU work with a miner's command line or configuration.
import type { Finding, ProcessInfo } from '../../model';
import { argv0Name, basename } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';
import { describeGpu, gpuEvidence, gpuUse } from './gpuShared';

/** GPU miners' program names (lower case, without extension). */
const GPU_MINERS = /^(t-rex|trex|lolminer|nbminer|gminer|phoenixminer|teamredminer|ethminer|nanominer|srbminer(-multi)?|bzminer|rigel|onezerominer|wildrig(-multi)?|miniz|excavator|xmrig(-cuda|-nvidia|-amd)?|ccminer|cpuminer|kawpowminer|nsfminer|cgminer|bfgminer)$/i;
/** GPU mining algorithms as -a/--algo values. */
const GPU_ALGOS = /^(ethash|etchash|kawpow|autolykos2?|kheavyhash|octopus|beamhash\w*|equihash\w*|zhash|cuckatoo\d*|cuckoo\w*|firopow|karlsenhash|nexapow|blake3|sha512256d|dynexsolve|progpow\w*|ergo|ironfish|alephium|kaspa|x16r\w*|rx\/0|cn\/\w+)$/i;
/** Options GPU miners take and training jobs do not. */
const MINER_FLAGS = new Set(['--cuda', '--opencl', '--no-cpu', '--cuda-devices', '--opencl-devices', '--pool', '--wallet', '--worker', '--coin',
  '--dual-mode', '--dualmode', '--mport', '--api-bind-http', '--kernel', '--intensity', '--donate-level', '--fee']);
const CONFIG = /(^|\/)(config|pools?|miner|xmrig|trex|lolminer)[\w.-]*\.(json|conf|cfg|ini)$/i;

function minerSigns(p: ProcessInfo): string[] {
  const signs: string[] = [];
  const names = [p.name, argv0Name(p), p.exe ? basename(p.exe) : null].filter((n): n is string => !!n);
  const named = names.find((n) => GPU_MINERS.test(n.replace(/\.(exe|bin)$/i, '')));
  if (named) signs.push(`program ${named}`);
  const args = p.cmdline.slice(1);
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2);
    const value = inline ?? args[i + 1] ?? '';
    if ((flag === '-a' || flag === '--algo' || flag === '--algorithm') && GPU_ALGOS.test(value)) signs.push(`${flag} ${value}`);
    else if (MINER_FLAGS.has(flag)) signs.push(flag);
    else if ((flag === '-c' || flag === '--config') && CONFIG.test(value)) signs.push(`${flag} ${value}`);
    else if (/^(stratum\d?\+|ethproxy\+|nicehash\+)/i.test(args[i])) signs.push(args[i].split('@').pop()!);
  }
  return [...new Set(signs)];
}

export const H52: Rule = {
  id: 'H52',
  title: 'GPU work with a miner\'s command line',
  attack: ['T1496.001'],
  describes: 'A process holding a GPU is a known GPU miner (t-rex, lolMiner, NBMiner, xmrig-cuda...) or takes miner options: a mining algorithm (-a kawpow, etchash, autolykos2...), --cuda/--opencl, --pool, --wallet, a pool URL or a miner config file; or an earlier rule already found a pool URL or miner options.',
  check(p: ProcessInfo, ctx: RuleContext, prior: readonly Finding[]): Hit | null {
    if (p.kernelThread) return null;
    const g = gpuUse(p, ctx);
    if (!g) return null;
    const signs = minerSigns(p);
    const earlier = prior.filter((f) => f.id === 'H30' || f.id === 'H31').map((f) => f.id);
    if (signs.length === 0 && earlier.length === 0) return null;
    const what = signs.length ? signs.slice(0, 4).join(', ') : `the miner signs of ${earlier.join(' and ')}`;
    return {
      weight: signs.length >= 2 || earlier.length ? 9 : 6,
      explanation: `it holds the GPU ${describeGpu(g)} with ${what} on its command line`,
      evidence: { signs, earlier, ...gpuEvidence(g) },
    };
  },
};
