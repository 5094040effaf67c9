// The corpus as a regression test: every case keeps the verdict a responder signed (or one it documents
// as acceptable), and nothing lands on the wrong side of "high". `npm run eval` prints the same as a table.
import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/index';
import { hostKnowledge } from '../../src/host/knowledge';
import { ProcReader } from '../../src/procfs/reader';
import { CASES } from './cases';
import { runCase } from './evaluate';
import { buildHost } from './host';

describe('detection corpus', () => {
  it('has at least 30 malicious and 30 benign cases, each with a reason and a source', () => {
    expect(CASES.filter((c) => c.kind === 'malicious').length).toBeGreaterThanOrEqual(30);
    expect(CASES.filter((c) => c.kind === 'benign').length).toBeGreaterThanOrEqual(30);
    for (const c of CASES) {
      expect(c.why.length, c.name).toBeGreaterThan(10);
      expect(c.source.length, c.name).toBeGreaterThan(3);
      const high = ['high', 'critical'];
      for (const s of [c.expect, ...(c.accepts ?? [])]) expect(high.includes(s), `${c.name}: ${s}`).toBe(c.kind === 'malicious');
    }
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it('the host every case runs on flags nothing by itself', () => {
    const tree = buildHost();
    try {
      const reader = new ProcReader({ procRoot: tree.proc, root: tree.root });
      reader.sample();
      const assessments = new Detector(hostKnowledge(tree.root)).assess(reader.sample());
      expect([...assessments.values()].map((a) => `${a.pid}: ${a.findings.map((f) => f.id)}`)).toEqual([]);
    } finally {
      tree.cleanup();
    }
  });

  for (const c of CASES) {
    it(`${c.kind} · ${c.name} → ${c.expect}`, async () => {
      const r = await runCase(c);
      const got = `${r.got} (${r.findings.map((f) => `${f.id}:${f.weight}`).join(' ')})`;
      expect(r.wrongSide, got).toBe(false);
      expect([c.expect, ...(c.accepts ?? [])], got).toContain(r.got);
    });
  }
});
