// Runs the corpus: every case on its own fixture host, through the real reader, the package index, the
// detector and (for persistence cases) the persistence judge and its links, as `minewatch scan` does.
// Shared by the regression test (test/corpus/corpus.test.ts) and `npm run eval` (scripts/eval.ts).
import { copyFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ContentCollector } from '../../src/content/collector';
import { Detector } from '../../src/detect/index';
import { POOL_PORTS, STRONG_POOL_PORTS } from '../../src/detect/poolPorts';
import { hostKnowledge } from '../../src/host/knowledge';
import { SEVERITIES, severityRank, type Finding, type Severity } from '../../src/model';
import { collectPersistence } from '../../src/persistence/index';
import type { FakeProc, ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';
import { correlate } from '../../src/scan/correlate';
import { CASES, type CorpusCase } from './cases';
import { buildHost } from './host';

export interface CaseResult {
  c: CorpusCase;
  got: Severity;
  findings: Finding[];
  /** The verdict is on the wrong side of "high": a benign case at high+, or a malicious one below. */
  wrongSide: boolean;
  /** Differs from the responder's verdict (and the difference is not a documented one). */
  mismatch: boolean;
}

/**
 * A /proc for the content collector whose links lead into the fixture root: cwd, root, exe (and maps)
 * of each process, as the kernel's magic links would on a live host. The reader keeps the fixture's own
 * links (paths as the process sees them); only the collector reads through these.
 */
function contentProc(tree: ProcTree, procs: FakeProc[]): string {
  const dir = join(tree.base, 'content-proc');
  for (const p of procs) {
    const d = join(dir, String(p.pid));
    mkdirSync(d, { recursive: true });
    symlinkSync(tree.root, join(d, 'root'));
    if (p.cwd) symlinkSync(join(tree.root, p.cwd), join(d, 'cwd'));
    if (p.exe && p.exe.startsWith('/') && !p.exe.endsWith(' (deleted)')) symlinkSync(join(tree.root, p.exe), join(d, 'exe'));
    const maps = join(tree.proc, String(p.pid), 'maps');
    if (existsSync(maps)) copyFileSync(maps, join(d, 'maps'));
  }
  return dir;
}

export async function runCase(c: CorpusCase): Promise<CaseResult> {
  const tree = buildHost();
  try {
    for (const p of c.procs) tree.add(p);
    for (const [path, content] of Object.entries(c.files ?? {})) tree.file(path, content);
    for (const [path, content] of Object.entries(c.procFiles ?? {})) tree.procFile(path, content);
    for (const [pkg, files] of Object.entries(c.packages ?? {})) tree.dpkg(pkg, files);
    c.setup?.(tree);
    let now = Date.parse('2026-11-27T03:00:00Z');
    const reader = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, now: () => now });
    const knowledge = hostKnowledge(tree.root, { now: () => now });
    const detector = new Detector(knowledge);
    reader.sample();
    for (const [pid, pct] of Object.entries(c.cpu ?? {})) {
      const p = c.procs.find((x) => x.pid === Number(pid))!;
      tree.setCpu(p, (p.utime ?? 0) + Math.round((pct / 100) * reader.clockTicks));
    }
    now += 1000;
    const snapshot = reader.sample();
    let assessments = detector.assess(snapshot);
    const collector = new ContentCollector({ procRoot: contentProc(tree, c.procs), root: tree.root, packaged: (exe) => knowledge.packages.digest(exe) !== null });
    await collector.update(snapshot, assessments);
    const content = collector.facts(snapshot);
    if (content.size > 0) {
      snapshot.content = content;
      assessments = detector.assess(snapshot);
    }
    let got: Severity;
    let findings: Finding[];
    if (typeof c.target === 'number') {
      const a = assessments.get(c.target);
      got = a?.severity ?? 'none';
      findings = a?.findings ?? [];
    } else {
      const report = collectPersistence({ root: tree.root, now });
      const corr = correlate(report.entries, snapshot.processes.values(), assessments);
      const e = corr.entries.find((x) => `${x.path}:${x.line ?? ''}` === (c.target as { entry: string }).entry
        || x.id === (c.target as { entry: string }).entry);
      got = e?.severity ?? 'none';
      findings = e?.findings ?? [];
    }
    const high = severityRank('high');
    const wrongSide = c.kind === 'benign' ? severityRank(got) >= high : severityRank(got) < high;
    return { c, got, findings, wrongSide, mismatch: got !== c.expect && !(c.accepts ?? []).includes(got) };
  } finally {
    tree.cleanup();
  }
}

export async function runCorpus(filter?: (c: CorpusCase) => boolean): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of CASES.filter(filter ?? (() => true))) out.push(await runCase(c));
  return out;
}

/** The confusion table (rows: the responder's verdict, columns: minewatch's) and every miss, as text. */
export function formatResults(results: CaseResult[]): string {
  const cols = SEVERITIES;
  const lines: string[] = [];
  const count = (k: string) => results.filter((r) => r.c.kind === k).length;
  lines.push(`corpus: ${results.length} cases (${count('malicious')} malicious, ${count('benign')} benign)`, '');
  lines.push(`expected \\ got  ${cols.map((s) => s.padStart(8)).join(' ')}`);
  for (const row of cols) {
    const inRow = results.filter((r) => r.c.expect === row);
    if (inRow.length === 0) continue;
    lines.push(`${row.padEnd(15)} ${cols.map((col) => String(inRow.filter((r) => r.got === col).length).padStart(8)).join(' ')}`);
  }
  const mal = results.filter((r) => r.c.kind === 'malicious');
  const ben = results.filter((r) => r.c.kind === 'benign');
  const high = severityRank('high');
  lines.push('');
  lines.push(`malicious at high or above: ${mal.filter((r) => severityRank(r.got) >= high).length}/${mal.length}; below high: ${mal.filter((r) => severityRank(r.got) < high).length}`);
  lines.push(`benign below high:          ${ben.filter((r) => severityRank(r.got) < high).length}/${ben.length}; at high or above: ${ben.filter((r) => severityRank(r.got) >= high).length}`);
  lines.push(`exact verdict:              ${results.filter((r) => r.got === r.c.expect).length}/${results.length}`);
  const misses = results.filter((r) => r.got !== r.c.expect);
  lines.push('', misses.length === 0 ? 'no misses' : `misses (${misses.length}):`);
  for (const r of misses) {
    const tag = r.wrongSide ? 'WRONG SIDE' : r.mismatch ? 'regression' : 'documented';
    lines.push(`  [${tag}] ${r.c.kind} ${r.c.name}: expected ${r.c.expect}, got ${r.got} (${r.findings.map((f) => `${f.id}:${f.weight}`).join(' ') || 'no findings'})`);
    if (r.c.note) lines.push(`      note: ${r.c.note}`);
  }
  return lines.join('\n');
}
