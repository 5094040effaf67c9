import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useOwnChildren } from '../helpers/children';
import { AuditLog } from '../../src/respond/audit';
import { captureEvidence, defaultEvidenceDir, scriptArgument } from '../../src/respond/evidence';
import { pinTarget, PinnedTarget } from '../../src/respond/target';
import { FakeProcRoot, tempDir } from './fixture';

const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

// Signal only the children this file spawned, by the PID spawn returned.
const { children, dirs } = useOwnChildren();

function temp(prefix: string): string {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

async function started(child: ChildProcess, exePath: string): Promise<number> {
  children.push(child);
  const pid = child.pid!;
  // Wait until the kernel shows the exec'd program (spawn returns before exec completes).
  for (let i = 0; i < 200; i++) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/exe`).startsWith(exePath)) return pid;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`child ${pid} did not start ${exePath}`);
}

describe('defaultEvidenceDir', () => {
  it('uses /var/lib for root, XDG_STATE_HOME or ~/.local/state otherwise', () => {
    expect(defaultEvidenceDir({ uid: 0, env: {} })).toBe('/var/lib/minewatch/evidence');
    expect(defaultEvidenceDir({ uid: 1000, env: { XDG_STATE_HOME: '/s', HOME: '/home/u' } })).toBe('/s/minewatch/evidence');
    expect(defaultEvidenceDir({ uid: 1000, env: { HOME: '/home/u' } })).toBe('/home/u/.local/state/minewatch/evidence');
    expect(defaultEvidenceDir({ uid: 1000, env: { XDG_STATE_HOME: 'relative', HOME: '/home/u' } })).toBe('/home/u/.local/state/minewatch/evidence');
  });
});

describe('scriptArgument', () => {
  it('finds the script of an interpreter-run process', () => {
    expect(scriptArgument('/usr/bin/dash', ['/bin/sh', './sshd'], '/home/u/.x')).toEqual({ asGiven: './sshd', path: '/home/u/.x/sshd', resolvedAgainst: '/home/u/.x' });
    expect(scriptArgument('/usr/bin/python3.11', ['python3', '-u', '/tmp/.x/m.py', '--pool'])?.path).toBe('/tmp/.x/m.py');
    expect(scriptArgument('/usr/bin/python3.11', ['python3', '-W', 'ignore', '/tmp/.x/m.py'])?.path).toBe('/tmp/.x/m.py');
  });
  it('returns null for inline code and non-interpreters', () => {
    expect(scriptArgument('/usr/bin/dash', ['sh', '-c', 'curl x | sh'])).toBeNull();
    expect(scriptArgument('/home/u/.x/xmrig', ['xmrig', 'config.json'])).toBeNull();
    expect(scriptArgument('/usr/bin/bash', ['bash'])).toBeNull();
  });
});

describe('captureEvidence on a live child', () => {
  it('recovers a deleted executable through /proc/PID/exe with the original hash', async () => {
    const work = temp('mw-ev-');
    const exe = path.join(work, 'kworker-fake');
    fs.copyFileSync('/bin/sleep', exe);
    fs.chmodSync(exe, 0o755);
    const original = fs.readFileSync(exe);
    const pid = await started(spawn(exe, ['300'], { stdio: 'ignore', cwd: work }), exe);
    fs.rmSync(exe);
    expect(fs.existsSync(exe)).toBe(false);

    const t = pinTarget(pid) as PinnedTarget;
    expect(t.exeDeleted).toBe(true);
    const evidenceRoot = path.join(work, 'state', 'minewatch', 'evidence');
    const audit = new AuditLog(path.join(evidenceRoot, 'audit.jsonl'));
    const res = await captureEvidence([t], { dir: evidenceRoot, extra: { inspector: 'yes' }, audit });

    expect(path.basename(res.dir)).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z-pid${pid}$`));
    const copy = fs.readFileSync(path.join(res.dir, `exe-${pid}.bin`));
    expect(sha(copy)).toBe(sha(original));
    expect(res.files.find((f) => f.name === `exe-${pid}.bin`)).toEqual({ name: `exe-${pid}.bin`, bytes: original.length, sha256: sha(original) });
    expect(res.notes.some((n) => n.includes('had been deleted'))).toBe(true);

    // Private directories, created parents included.
    for (const d of [res.dir, evidenceRoot, path.dirname(evidenceRoot), path.join(work, 'state')]) {
      expect(fs.statSync(d).mode & 0o777).toBe(0o700);
    }
    expect(fs.statSync(path.join(res.dir, `exe-${pid}.bin`)).mode & 0o777).toBe(0o600);

    const info = JSON.parse(fs.readFileSync(path.join(res.dir, `process-${pid}.json`), 'utf8'));
    expect(info.pinned).toMatchObject({ pid, startTicks: t.startTicks });
    expect(info.proc.stat.data.startsWith(`${pid} (`)).toBe(true);
    expect(info.proc.cmdline.data).toBe(`${exe}\u0000300\u0000`);
    expect(info.links.exe).toEqual({ target: exe, deleted: true });
    expect(typeof info.fd).toBe('object');
    const context = JSON.parse(fs.readFileSync(path.join(res.dir, 'context.json'), 'utf8'));
    expect(context.extra).toEqual({ inspector: 'yes' });

    // SHA256SUMS lists every other file with its real hash.
    const sums = fs.readFileSync(path.join(res.dir, 'SHA256SUMS'), 'utf8').trimEnd().split('\n');
    const listed = new Map(sums.map((l) => [l.slice(66), l.slice(0, 64)]));
    expect([...listed.keys()].sort()).toEqual(['context.json', `exe-${pid}.bin`, `process-${pid}.json`]);
    // The live child's network table was copied: its header line, not an error in its place.
    expect(info.proc['net/tcp'].error).toBeUndefined();
    expect(info.proc['net/tcp'].data).toMatch(/^\s*sl\s+local_address\s+rem_address/);
    for (const [name, h] of listed) expect(sha(fs.readFileSync(path.join(res.dir, name)))).toBe(h);

    const lines = fs.readFileSync(audit.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ action: 'evidence', result: 'ok', target: { pid } });
  });

  it('copies the script of `sh ./script` from the process cwd, even after it was deleted', async () => {
    const work = temp('mw-ev-');
    const script = path.join(work, 'sshd');
    const body = '#!/bin/sh\n# fake sshd\nread line\n';
    fs.writeFileSync(script, body, { mode: 0o755 });
    const child = spawn('/bin/sh', ['./sshd'], { cwd: work, stdio: ['pipe', 'ignore', 'ignore'] });
    const pid = await started(child, '/usr/bin/');
    const t = pinTarget(pid) as PinnedTarget;
    expect(t.cmdline).toEqual(['/bin/sh', './sshd']);

    fs.writeFileSync(path.join(work, 'config.json'), '{"pool":"pool.example:3333"}');
    const present = await captureEvidence([t], { dir: path.join(work, 'ev') });
    expect(fs.readFileSync(path.join(present.dir, `script-${pid}-sshd`), 'utf8')).toBe(body);
    // config.json in the working directory (wallet / pool) is kept too.
    expect(fs.readFileSync(path.join(present.dir, `config-${pid}-1.json`), 'utf8')).toContain('pool.example:3333');

    fs.rmSync(script);
    const gone = await captureEvidence([t], { dir: path.join(work, 'ev') });
    expect(gone.dir).not.toBe(present.dir);
    // dash and bash both keep the script open while running it: recovered through /proc/PID/fd.
    const recovered = gone.files.find((f) => f.name === `script-${pid}-sshd`);
    expect(recovered?.sha256).toBe(sha(body));
    expect(gone.notes.some((n) => n.includes('open file descriptor'))).toBe(true);
  });
});

describe('captureEvidence size bound (fixture tree)', () => {
  it('skips the executable with a note (and its hash) when it exceeds the budget', async () => {
    const proc = new FakeProcRoot();
    const work = temp('mw-ev-');
    const big = path.join(work, 'big');
    const bytes = crypto.randomBytes(200_000);
    fs.writeFileSync(big, bytes);
    proc.add({ pid: 4242, comm: 'xmrig', exe: big, cmdline: ['xmrig'] });
    const t = pinTarget(4242, { procRoot: proc.root }) as PinnedTarget;
    const small = await captureEvidence([t], { procRoot: proc.root, dir: path.join(work, 'ev'), maxBytes: 50_000 });
    expect(fs.existsSync(path.join(small.dir, 'exe-4242.bin'))).toBe(false);
    expect(small.notes.find((n) => n.startsWith('exe-4242.bin not copied'))).toContain(sha(bytes));
    expect(small.files.reduce((a, f) => a + (f.name === 'SHA256SUMS' ? 0 : f.bytes), 0)).toBeLessThanOrEqual(50_000);

    const roomy = await captureEvidence([t], { procRoot: proc.root, dir: path.join(work, 'ev') });
    expect(sha(fs.readFileSync(path.join(roomy.dir, 'exe-4242.bin')))).toBe(sha(bytes));
    proc.cleanup();
  });
});
