// npm run profile's analysis: self time by module through the bundle's source map, Node's and native
// time charged to the caller of ours, idle left out.
import { SourceMap } from 'node:module';
import { describe, expect, it } from 'vitest';
import { breakdown, categoryOfSource, formatBreakdown, type CpuProfile } from '../../scripts/profileReport';

const URL = 'file:///opt/minewatch/dist/minewatch.js';
// generated line 0 -> sources[0], line 1 -> sources[1] (one segment each)
const MAP = new SourceMap({ version: 3, file: 'minewatch.js', sources: ['../src/procfs/reader.ts', '../node_modules/react-reconciler/cjs/react-reconciler.production.js'], names: [], mappings: 'AAAA;ACAA', sourcesContent: [], sourceRoot: '' });

function profile(): CpuProfile {
  const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0 });
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 6, 7] },
    { id: 2, callFrame: frame('(program)') },
    { id: 3, callFrame: frame('sample', URL, 0), children: [5] },
    { id: 4, callFrame: frame('commitRoot', URL, 1) },
    { id: 5, callFrame: frame('read') },
    { id: 6, callFrame: frame('(garbage collector)') },
    { id: 7, callFrame: frame('(idle)') },
  ];
  const samples = [...Array(10).fill(3), ...Array(30).fill(5), ...Array(20).fill(4), ...Array(5).fill(6), ...Array(100).fill(7), 2];
  return { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map(() => 1000) };
}

describe('profile report', () => {
  it('names modules by source path', () => {
    expect(categoryOfSource('src/procfs/pid.ts')).toBe('/proc reader');
    expect(categoryOfSource('node_modules/ink/build/output.js')).toBe('Ink output');
    expect(categoryOfSource('node_modules/string-width/index.js')).toBe('string width/wrapping/ANSI');
    expect(categoryOfSource('src/detect/rules/respawn.ts')).toBe('detection');
    expect(categoryOfSource('components/ProcessTable.tsx')).toBe('views');
  });

  it('charges native time to the caller of ours, leaves idle out, and divides per tick', () => {
    const b = breakdown(profile(), URL, MAP);
    expect(b.busyMs).toBeCloseTo(66, 0); // 10 + 30 + 20 + 5 + (program) 1
    const cat = (c: string) => b.byCategory.find((x) => x.category === c);
    expect(cat('/proc reader')).toMatchObject({ ms: 40, nativeMs: 30 });
    expect(cat('React')!.ms).toBe(20);
    expect(cat('GC')!.ms).toBe(5);
    expect(cat('(idle)')).toBeUndefined();
    expect(b.byFunction[0]).toMatchObject({ name: 'read (native) <- sample', category: '/proc reader', ms: 30 });
    expect(b.byFunction.find((f) => f.name.startsWith('commitRoot'))!.name).toBe('commitRoot (node_modules/react-reconciler/cjs/react-reconciler.production.js:1)');
    expect(formatBreakdown(b, 10)).toMatch(/\/proc reader\s+40 ms\s+60\.6 %\s+4\.00 ms\/tick\s+native\s+75 %/);
  });

  it('keeps to the window asked for', () => {
    const b = breakdown(profile(), URL, MAP, 40, 60); // samples 40..59: the last of the reads, then React
    expect(b.byCategory.map((c) => c.category).sort()).toEqual(['/proc reader', 'React']);
  });
});
