// Miner-specific rules: what xmrig and its kin look like on the command line, by name, on the wire, on the CPU.
import type { ProcessInfo } from '../../model';
import { argv0Name, basename } from '../paths';
import { STRONG_POOL_PORTS } from '../poolPorts';
import type { Hit, Rule, RuleContext } from '../rule';

const STRATUM = /stratum2?\+(tcp|ssl|tls|udp):\/\//i;
// base64 of "stratum+tcp://" at the three possible alignments, and of "stratum+ssl://"
const STRATUM_B64 = /c3RyYXR1bSt0Y3A6Ly|N0cmF0dW0rdGNwOi8v|zdHJhdHVtK3RjcDovL|c3RyYXR1bStzc2w6Ly|N0cmF0dW0rc3NsOi8v|zdHJhdHVtK3NzbDovL/;

export const H30: Rule = {
  id: 'H30',
  title: 'Mining-pool URL on the command line',
  attack: ['T1496.001'],
  describes: 'The command line holds a stratum+tcp:// (or ssl/udp, or base64-encoded) URL: the protocol miners speak to their pool.',
  check(p: ProcessInfo): Hit | null {
    const joined = p.cmdline.join(' ');
    const m = STRATUM.exec(joined);
    if (m) {
      const url = joined.slice(m.index).split(/\s/)[0];
      return { weight: 10, explanation: `its command line names a mining pool: ${url}`, evidence: { url } };
    }
    const b = STRATUM_B64.exec(joined);
    if (b) {
      return { weight: 10, explanation: 'its command line holds a base64-encoded stratum:// pool URL', evidence: { encoded: b[0] } };
    }
    return null;
  },
};

const XMRIG_SPECIFIC = ['--donate-level', '--cpu-max-threads-hint', '--randomx-init', '--randomx-no-numa', '--randomx-mode',
  '--randomx-1gb-pages', '--cpu-memory-pool', '--nicehash', '--rig-id', '--tls-fingerprint', '--coin', '--no-huge-pages', '--asm'];
const XMRIG_GENERIC = ['--cpu-priority', '-o', '--url', '-u', '--user', '-p', '--pass', '-B', '--background', '-t', '--threads', '--max-cpu-usage', '-k', '--keepalive'];
const MINER_ALGO = /^(rx\/|cn\/|cn-|cryptonight|randomx|argon2\/|ghostrider|kawpow|astrobwt)/i;

export const H31: Rule = {
  id: 'H31',
  title: 'XMRig-style miner options',
  attack: ['T1496.001'],
  describes: 'Command-line options only miners use (--donate-level, --cpu-max-threads-hint, --randomx-*, -a rx/0 ...). Two or more specific ones are a strong sign; generic ones (-o, -u, -p) count little.',
  check(p: ProcessInfo): Hit | null {
    const specific = new Set<string>();
    const generic = new Set<string>();
    const args = p.cmdline.slice(1);
    for (let i = 0; i < args.length; i++) {
      const [flag, inline] = args[i].split('=', 2);
      if (XMRIG_SPECIFIC.includes(flag)) specific.add(args[i]);
      else if ((flag === '-a' || flag === '--algo') && MINER_ALGO.test(inline ?? args[i + 1] ?? '')) specific.add(`${flag} ${inline ?? args[i + 1]}`);
      else if (XMRIG_GENERIC.includes(flag)) generic.add(flag);
    }
    if (specific.size === 0 && generic.size < 3) return null;
    const weight = specific.size >= 2 ? 9 : specific.size === 1 ? 6 : 2;
    const list = [...specific, ...[...generic].slice(0, 3)].join(', ');
    return {
      weight,
      explanation: specific.size > 0 ? `it takes options only crypto-miners use: ${list}` : `its options look like a miner's (${list})`,
      evidence: { specific: [...specific], generic: [...generic] },
    };
  },
};

const MINER_NAMES = new Set(['xmrig', 'xmrig-notls', 'xmrig-cuda', 'xmr-stak', 'xmr-stak-rx', 'minerd', 'minergate', 'minergate-cli',
  'cpuminer', 'cpuminer-multi', 'ccminer', 'ethminer', 'cgminer', 'bfgminer', 'sgminer', 'claymore', 'nbminer', 't-rex',
  'gminer', 'lolminer', 'phoenixminer', 'teamredminer', 'nanominer', 'bminer', 'wildrig', 'srbminer', 'srbminer-multi', 'xmrigdaemon']);
const KINSING = new Set(['kinsing', 'kdevtmpfsi']);

export const H32: Rule = {
  id: 'H32',
  title: 'Known miner name',
  attack: ['T1496.001'],
  describes: 'The process or its executable carries the name of a known miner (xmrig, minerd, cpuminer...) or of the Kinsing malware (kinsing, kdevtmpfsi).',
  check(p: ProcessInfo): Hit | null {
    const names = [p.name, p.exe ? basename(p.exe) : '', argv0Name(p) ?? ''].map((n) => n.toLowerCase()).filter(Boolean);
    const kin = names.find((n) => KINSING.has(n));
    if (kin) return { weight: 9, explanation: `${kin} is the name of the Kinsing miner malware`, evidence: { name: kin } };
    const miner = names.find((n) => MINER_NAMES.has(n));
    if (miner) return { weight: 8, explanation: `${miner} is the name of a crypto-miner`, evidence: { name: miner } };
    return null;
  },
};

export const H33: Rule = {
  id: 'H33',
  title: 'Connected to a mining-pool port',
  attack: ['T1496.001', 'T1071'],
  describes: 'An open TCP connection from this process to a public address on a port mining pools use (3333, 5555, 7777, 14444, 45700...), or to one of the miner-only ports on loopback (a local stratum proxy). Everyday ports in the same list (8080, 8888...) count for little.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const conns = ctx.connections.get(p.pid);
    if (!conns || conns.length === 0) return null;
    const strong = conns.find((c) => STRONG_POOL_PORTS.has(c.remotePort));
    const c = strong ?? conns[0];
    const local = /^127\.|^::1$|^::ffff:127\./i.test(c.remoteAddress);
    return {
      weight: strong ? 5 : 1,
      explanation: `connected to ${c.remoteAddress}:${c.remotePort} (${c.state}), a port mining pools ${strong ? 'use' : 'sometimes use'}`
        + (local ? ': on loopback, that is a local stratum proxy relaying to a pool' : ''),
      evidence: { connections: conns.map((x) => `${x.remoteAddress}:${x.remotePort} ${x.state}`) },
    };
  },
};

export const H34: Rule = {
  id: 'H34',
  amplifier: true,
  title: 'Burning CPU',
  attack: ['T1496.001'],
  describes: 'Uses at least half a core. Compiles, scientific jobs and a busy kswapd do too, so this only adds to other signs; near all cores for over five minutes counts more.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || p.cpuPercent < 50) return null;
    const ageMin = (ctx.now - p.startTime) / 60_000;
    const allCores = p.cpuPercent >= 90 * ctx.host.cpuCount && ageMin > 5;
    return {
      weight: allCores ? 4 : 2,
      explanation: `it uses ${Math.round(p.cpuPercent)}% CPU (${(p.cpuPercent / 100).toFixed(1)} of ${ctx.host.cpuCount} cores) with ${p.threads} thread${p.threads === 1 ? '' : 's'}`,
      evidence: { cpuPercent: Math.round(p.cpuPercent * 10) / 10, threads: p.threads, cores: ctx.host.cpuCount },
    };
  },
};
