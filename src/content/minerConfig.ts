// What a miner's configuration looks like: XMRig-style JSON ("pools": [{"url", "user"}], "donate-level",
// "randomx", "cpu", "algo"). Pure: parses text handed to it (read, bounded, through the safe opener).

const MINER_KEYS = ['pools', 'donate-level', 'donate-over-proxy', 'randomx', 'algo', 'coin', 'rig-id', 'cpu', 'opencl', 'cuda',
  'huge-pages', 'max-threads-hint', 'nicehash', 'keepalive', 'url', 'user', 'pass', 'wallet', 'worker'];
/** Keys only a miner's configuration has; `url`/`user`/`pass` alone are any client's. */
const STRONG_KEYS = new Set(['pools', 'donate-level', 'donate-over-proxy', 'randomx', 'rig-id', 'max-threads-hint', 'nicehash']);

export interface MinerConfig {
  keys: string[];
  /** Pool URLs (user names elided past 12 characters: a wallet address identifies the attacker, it is kept short). */
  pools: string[];
  /** Why it counts: the strong keys found. */
  strong: string[];
}

function walk(v: unknown, depth: number, keys: Set<string>, pools: string[]): void {
  if (depth > 4 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) { for (const x of v.slice(0, 32)) walk(x, depth + 1, keys, pools); return; }
  for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 200)) {
    const key = k.toLowerCase();
    if (MINER_KEYS.includes(key)) keys.add(key);
    if (key === 'url' && typeof x === 'string' && pools.length < 8) pools.push(x.slice(0, 200));
    walk(x, depth + 1, keys, pools);
  }
}

/** A miner configuration, or null when the text is not JSON or not a miner's. */
export function parseMinerConfig(text: string): MinerConfig | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const keys = new Set<string>();
  const pools: string[] = [];
  walk(json, 0, keys, pools);
  const strong = [...keys].filter((k) => STRONG_KEYS.has(k));
  const stratum = pools.some((u) => /^stratum\d?\+(tcp|ssl|tls):\/\//i.test(u) || /:(3333|4444|5555|7777|14433|14444|45560|45700)\b/.test(u));
  if (strong.length === 0 && !(stratum && keys.has('user'))) return null;
  return { keys: [...keys].sort(), pools, strong };
}
