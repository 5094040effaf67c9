// Reading one evidence directory for the report, entirely through the safe opener: the audit log,
// and in each capture directory its context.json, process-PID.json files and SHA256SUMS. Nothing is
// followed through a symlink; a refused or malformed file becomes a note in the report, never an error.
import { describeRefusal, listDir, readFile, SafeTree } from '../fsafe/index';
import type { AuditRecord } from '../respond/audit';
import type { CaptureInput, RunInput } from './build';

const MiB = 1024 * 1024;
const CAPTURE = /-pid\d+(-\d+)?$/;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is AuditRecord {
  const r = v as AuditRecord;
  return !!r && typeof r === 'object' && typeof r.time === 'string' && typeof r.action === 'string' && typeof r.message === 'string';
}

export function loadRun(evidenceDir: string): RunInput {
  const tree = new SafeTree('/');
  const problems: string[] = [];
  const input: RunInput = { evidenceDir, audit: [], captures: [], backups: [], problems };
  try {
    const listed = listDir(tree, evidenceDir);
    if (!listed.ok) {
      problems.push(`evidence directory not read: ${describeRefusal(listed)}`);
      return input;
    }
    const audit = readFile(tree, `${evidenceDir}/audit.jsonl`, { maxBytes: 64 * MiB, over: 'tail' });
    if (audit.ok) {
      if (audit.truncated) problems.push('audit.jsonl is larger than 64 MiB: only its last 64 MiB were read');
      audit.data.toString('utf8').split('\n').forEach((line, i) => {
        if (!line.trim()) return;
        const v = parseJson(line);
        if (isRecord(v)) input.audit.push(v);
        else if (!(audit.truncated && i === 0)) problems.push(`audit.jsonl line ${i + 1}: not an audit record (ignored)`);
      });
    } else if (audit.reason !== 'missing') {
      problems.push(`audit log not read: ${describeRefusal(audit)}`);
    }
    for (const e of listed.entries) {
      if (e.name === 'persistence-backups' && e.type === 'dir') {
        const b = listDir(tree, e.path);
        if (b.ok) input.backups.push(...b.entries.map((x) => x.name));
        continue;
      }
      if (!CAPTURE.test(e.name)) continue;
      if (e.type !== 'dir') { problems.push(`${e.name}: not a directory (ignored)`); continue; }
      input.captures.push(loadCapture(tree, e.path, e.name));
    }
  } finally {
    tree.close();
  }
  return input;
}

function loadCapture(tree: SafeTree, dir: string, name: string): CaptureInput {
  const c: CaptureInput = { name, context: null, processes: [], sums: new Map(), problems: [] };
  const listed = listDir(tree, dir);
  if (!listed.ok) { c.problems.push(`${name}: ${describeRefusal(listed)}`); return c; }
  const json = (file: string): Record<string, unknown> | null => {
    const r = readFile(tree, `${dir}/${file}`, { maxBytes: 32 * MiB });
    if (!r.ok) { c.problems.push(`${name}/${file}: ${describeRefusal(r)}`); return null; }
    const v = parseJson(r.data.toString('utf8'));
    if (!v || typeof v !== 'object') { c.problems.push(`${name}/${file}: not JSON`); return null; }
    return v as Record<string, unknown>;
  };
  for (const e of listed.entries) {
    if (e.name === 'context.json') c.context = json(e.name);
    else if (/^process-\d+\.json$/.test(e.name)) { const p = json(e.name); if (p) c.processes.push(p); }
    else if (e.name === 'SHA256SUMS') {
      const r = readFile(tree, `${dir}/${e.name}`, { maxBytes: MiB });
      if (!r.ok) { c.problems.push(`${name}/SHA256SUMS: ${describeRefusal(r)}`); continue; }
      for (const line of r.data.toString('utf8').split('\n')) {
        const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
        if (m) c.sums.set(m[2], m[1]);
      }
    }
  }
  c.processes.sort((a, b) => Number((a.pinned as { pid?: number } | undefined)?.pid ?? 0) - Number((b.pinned as { pid?: number } | undefined)?.pid ?? 0));
  return c;
}
