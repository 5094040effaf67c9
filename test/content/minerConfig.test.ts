// What counts as a miner's configuration, and what does not.
import { describe, expect, it } from 'vitest';
import { parseMinerConfig } from '../../src/content/minerConfig';

describe('parseMinerConfig', () => {
  it('an XMRig config.json: pools, donate-level, randomx', () => {
    const cfg = parseMinerConfig(JSON.stringify({ 'donate-level': 1, randomx: { mode: 'auto' }, pools: [{ url: 'pool.hashvault.pro:443', user: '4Abc' }] }));
    expect(cfg?.strong).toEqual(expect.arrayContaining(['pools', 'donate-level', 'randomx']));
    expect(cfg?.pools).toEqual(['pool.hashvault.pro:443']);
  });
  it('a stratum URL with a user, even without XMRig keys', () => {
    expect(parseMinerConfig(JSON.stringify({ url: 'stratum+tcp://p.example:3333', user: 'w' }))).not.toBeNull();
  });
  it('an application config with url and user is not a miner; neither is junk', () => {
    expect(parseMinerConfig(JSON.stringify({ db: { url: 'postgres://x', user: 'u' } }))).toBeNull();
    expect(parseMinerConfig('not json {')).toBeNull();
    expect(parseMinerConfig('[1,2,3]')).toBeNull();
  });
  it('bounded on deep or wide input', () => {
    let deep: unknown = { pools: [] };
    for (let i = 0; i < 1000; i++) deep = { a: deep };
    expect(() => parseMinerConfig(JSON.stringify(deep))).not.toThrow();
  });
});
