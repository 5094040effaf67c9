import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllowFile } from '../../src/allow/load';
import { describe, expect, it } from 'vitest';
import { formatAllowLine, parseAllowList, type AllowEntry } from '../../src/allow/list';
import { KnownGood } from '../../src/allow/known';
import { procExeHasher } from '../../src/allow/hash';
import { assess, incidentProcs, proc, snapshot } from '../helpers/snapshot';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('allow-list file', () => {
  it('reads sha256sum lines with notes, skips comments, reports junk, never accepts a bare name', () => {
    const text = [
      '# lab solvers',
      `${sha('solver').toUpperCase()}  /opt/lab/bin/solver   # the physics group's solver`,
      `${sha('rsync')} /usr/bin/rsync`,
      `${sha('x')}  rsync`,
      'xmrig',
      `${sha('y')}  /opt/../etc/x`,
      '',
    ].join('\n');
    const r = parseAllowList(text, '/etc/minewatch/allow');
    expect(r.entries).toEqual([
      { sha256: sha('solver'), path: '/opt/lab/bin/solver', note: "the physics group's solver", source: '/etc/minewatch/allow:2' },
      { sha256: sha('rsync'), path: '/usr/bin/rsync', note: '', source: '/etc/minewatch/allow:3' },
    ]);
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toMatch(/allow:4: not "SHA256  \/absolute\/path"/);
    expect(r.problems[2]).toMatch(/allow:6: the path must be absolute and plain/);
  });

  it('writes the line it reads back', () => {
    const line = formatAllowLine({ sha256: sha('a'), path: '/usr/local/bin/a b', note: 'two\nlines' });
    expect(line).toBe(`${sha('a')}  /usr/local/bin/a b  # two lines`);
    expect(parseAllowList(line, 'f').entries[0]).toMatchObject({ sha256: sha('a'), path: '/usr/local/bin/a b', note: 'two lines' });
  });
});

describe('known-good processes', () => {
  // The incident host plus a busy lab solver that H10/H34 flag: it runs from /tmp.
  const solver = proc({ pid: 900, name: 'solver', uid: 1001, user: 'abc', exe: '/tmp/lab/solver', cwd: '/tmp/lab', cmdline: ['./solver'], cpuPercent: 190, startTicks: 5000 });
  const snap = snapshot([...incidentProcs(), solver]);
  const verdicts = assess(snap);
  const entry: AllowEntry = { sha256: sha('solver-v1'), path: '/tmp/lab/solver', note: '', source: '/etc/minewatch/allow:1' };

  it('sets a process aside only once its hash matches the entry for its path', async () => {
    expect(verdicts.has(900)).toBe(true); // flagged without the allow-list
    let hashed = 0;
    const k = new KnownGood({ entries: [entry], hash: async (p) => (p.pid === 900 ? sha('solver-v1') : null), onHashed: () => { hashed++; } });
    const first = k.apply(snap, verdicts);
    expect(first.pending).toBe(1);
    expect(first.assessments.has(900)).toBe(true); // not hidden before the hash is known
    await k.prepare(snap);
    expect(hashed).toBe(1);
    const second = k.apply(snap, verdicts);
    expect(second.assessments.has(900)).toBe(false);
    expect(second.knownGood.get(900)).toMatchObject({ why: 'allow-listed (/etc/minewatch/allow:1)', entry });
    expect(second.knownGood.get(900)!.setAside).toBe(verdicts.get(900));
    // the incident's processes are untouched
    for (const [pid, a] of verdicts) if (pid !== 900) expect(second.assessments.get(pid)).toBe(a);
  });

  it('flags a process again, with A1, when the executable at the allowed path has another hash', async () => {
    const k = new KnownGood({ entries: [entry], hash: async () => sha('solver-trojaned') });
    await k.prepare(snap);
    const r = k.apply(snap, verdicts);
    expect(r.knownGood.has(900)).toBe(false);
    const a = r.assessments.get(900)!;
    expect(a.findings[0].id).toBe('A1');
    expect(a.findings[0].explanation).toContain('/tmp/lab/solver is allow-listed');
    expect(a.score).toBe(verdicts.get(900)!.score + 6);
  });

  it('never matches by name: the same name at another path, or the same path with another hash, stays flagged', async () => {
    const impostor = proc({ pid: 901, name: 'solver', uid: 1001, user: 'abc', exe: '/tmp/.x/solver', cwd: '/tmp/.x', cmdline: ['./solver'], cpuPercent: 190 });
    const s2 = snapshot([...incidentProcs(), impostor]);
    const v2 = assess(s2);
    const k = new KnownGood({ entries: [entry], hash: async () => sha('solver-v1') });
    await k.prepare(s2);
    const r = k.apply(s2, v2);
    expect(r.knownGood.size).toBe(0);
    expect(r.assessments.get(901)).toBe(v2.get(901));
  });

  it('a new process on a reused PID is hashed again', async () => {
    let calls = 0;
    const k = new KnownGood({ entries: [entry], hash: async () => { calls++; return sha('solver-v1'); } });
    await k.prepare(snap);
    await k.prepare(snap);
    expect(calls).toBe(1);
    const reborn = snapshot([...incidentProcs(), { ...solver, startTicks: 9999 }]);
    expect(k.apply(reborn, assess(reborn)).pending).toBe(1);
    await k.prepare(reborn);
    expect(calls).toBe(2);
  });

  it('minewatch never flags itself: its own PID running its own executable', () => {
    const self = proc({ pid: 4321, name: 'node', uid: 0, exe: '/usr/bin/node', cwd: '/tmp/checkout', cmdline: ['node', '/tmp/checkout/dist/minewatch.js'] });
    const other = proc({ pid: 4322, name: 'node', uid: 0, exe: '/usr/bin/node', cwd: '/tmp/checkout', cmdline: ['node', '/tmp/checkout/dist/minewatch.js'] });
    const s = snapshot([...incidentProcs(), self, other]);
    const fake = new Map(assess(s));
    for (const pid of [4321, 4322]) fake.set(pid, { pid, score: 6, severity: 'high', findings: [] });
    const k = new KnownGood({ self: { pid: 4321, exe: '/usr/bin/node' }, hash: async () => null });
    const r = k.apply(s, fake);
    expect(r.assessments.has(4321)).toBe(false);
    expect(r.knownGood.get(4321)!.why).toBe('minewatch itself');
    expect(r.assessments.has(4322)).toBe(true); // same executable, other PID: judged as usual
    // same PID, another executable (the PID is not ours any more): judged as usual
    const k2 = new KnownGood({ self: { pid: 4321, exe: '/usr/bin/other' }, hash: async () => null });
    expect(k2.apply(s, fake).assessments.has(4321)).toBe(true);
  });

  it('hashes the running image through /proc/PID/exe', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const exe = realpathSync(`/proc/${child.pid}/exe`);
      const p = proc({ pid: child.pid!, name: 'sleep', exe });
      expect(await procExeHasher('/proc')(p)).toBe(createHash('sha256').update(readFileSync(exe)).digest('hex'));
      expect(await procExeHasher('/proc')({ ...p, exe: null })).toBeNull();
    } finally {
      child.kill('SIGKILL'); // our own child, by its handle
    }
  });
});

describe('the allow file', () => {
  const root = () => {
    const r = mkdtempSync(join(tmpdir(), 'mw-allow-'));
    chmodSync(r, 0o755);
    mkdirSync(join(r, 'etc/minewatch'), { recursive: true, mode: 0o755 });
    return r;
  };
  const line = `${sha('solver')}  /opt/lab/bin/solver  # lab`;

  it('reads a root-owned file that only root can write', () => {
    const r = root();
    try {
      writeFileSync(join(r, 'etc/minewatch/allow'), `${line}\nbogus\n`, { mode: 0o644 });
      const got = loadAllowFile(r);
      expect(got.entries.map((e) => e.path)).toEqual(['/opt/lab/bin/solver']);
      expect(got.warnings).toHaveLength(1);
      expect(loadAllowFile(join(r, 'nowhere'))).toEqual({ entries: [], warnings: expect.any(Array) });
      rmSync(join(r, 'etc/minewatch/allow'));
      expect(loadAllowFile(r)).toEqual({ entries: [], warnings: [] }); // no file: nothing to say
    } finally { rmSync(r, { recursive: true, force: true }); }
  });

  it.runIf(process.getuid?.() === 0)('ignores a file others can write, another user\'s file, and a symlink', () => {
    const r = root();
    const f = join(r, 'etc/minewatch/allow');
    try {
      writeFileSync(f, line + '\n', { mode: 0o666 });
      chmodSync(f, 0o666);
      expect(loadAllowFile(r).entries).toEqual([]);
      expect(loadAllowFile(r).warnings[0]).toMatch(/writable by group or others/);
      chmodSync(f, 0o644);
      chownSync(f, 1001, 1001);
      expect(loadAllowFile(r).warnings[0]).toMatch(/owned by uid 1001, not root/);
      rmSync(f);
      writeFileSync(join(r, 'elsewhere'), line + '\n');
      symlinkSync('/elsewhere', f);
      const viaLink = loadAllowFile(r);
      expect(viaLink.entries).toEqual([]);
      expect(viaLink.warnings[0]).toMatch(/allow-list not used: .*symlink/);
    } finally { rmSync(r, { recursive: true, force: true }); }
  });
});

describe('a on a process', () => {
  it('hashes what it runs, and after yes marks it known-good for the session, audited, with the line to keep it', async () => {
    const { prepareAllow, confirmAllow } = await import('../../src/allow/session');
    const { AuditLog } = await import('../../src/respond/audit');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const dir = mkdtempSync(join(tmpdir(), 'mw-allow-a-'));
    try {
      const exe = realpathSync(`/proc/${child.pid}/exe`);
      const { ProcReader } = await import('../../src/procfs/reader');
      const p = new ProcReader().sample().processes.get(child.pid!)!;
      const ask = await prepareAllow(p, procExeHasher('/proc'), '/proc');
      if ('error' in ask) throw new Error(ask.error);
      expect(ask).toMatchObject({ pid: child.pid, path: exe, sha256: createHash('sha256').update(readFileSync(exe)).digest('hex') });
      const known = new KnownGood({ hash: async () => ask.sha256 });
      const audit = new AuditLog(join(dir, 'audit.jsonl'));
      const r = confirmAllow(ask, known, audit);
      expect(known.list).toHaveLength(1);
      expect(r.message).toContain(`to keep it, add to /etc/minewatch/allow: ${ask.sha256}  ${exe}`);
      expect(readFileSync(audit.path, 'utf8')).toContain(`marked known-good for this session: ${exe}`);
      // a process that is gone (or another one on its PID) is never marked
      expect(await prepareAllow({ ...p, startTicks: p.startTicks + 1 }, procExeHasher('/proc'), '/proc')).toEqual({ error: expect.stringMatching(/exited while its executable was hashed/) });
      expect(await prepareAllow({ ...p, exe: null, exeError: 'EACCES' }, procExeHasher('/proc'), '/proc')).toEqual({ error: expect.stringMatching(/cannot be read \(run as root\)/) });
    } finally {
      child.kill('SIGKILL'); // our own child
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
