// The parts of systeminformation the dashboard loads on their own are the package's own functions.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSiGraphics, loadSiMemory } from '../../src/host/systeminformation';

describe('systeminformation parts', () => {
  it('mem() from lib/memory.js reads this host\'s total memory', async () => {
    const si = await loadSiMemory();
    const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;
    expect((await si.mem()).total).toBe(total);
  });

  it('graphics() is lib/graphics.js\'s, the function the index exports', async () => {
    const [part, index] = await Promise.all([loadSiGraphics(), import('systeminformation')]);
    expect(part.graphics).toBe(index.graphics);
  });
});
