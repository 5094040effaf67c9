// Remote ports of mining pools (Falco's miner_ports). The "strong" ones are rarely used by anything else;
// the rest are everyday ports and count for little.
export const STRONG_POOL_PORTS = new Set([3333, 3334, 3335, 3336, 3357, 5555, 7777, 14433, 14444, 45560, 45700]);
export const WEAK_POOL_PORTS = new Set([25, 4444, 5556, 5588, 5730, 6099, 6666, 7778, 8000, 8001, 8008, 8080, 8118,
  8333, 8888, 8899, 9332, 9999]);
export const POOL_PORTS: ReadonlySet<number> = new Set([...STRONG_POOL_PORTS, ...WEAK_POOL_PORTS]);
