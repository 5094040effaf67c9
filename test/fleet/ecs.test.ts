// `minewatch scan --format ecs`: checked against Elastic's own ECS 9.4.0 field table (@elastic/ecs) on
// the incident fixture host and on the live host, plus --output's append and refusal rules.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, lstatSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECS_VERSION, ecsEvents } from '../../src/export/ecs';
import { TECHNIQUES } from '../../src/export/attack';
import { RULES as PROCESS_RULES } from '../../src/detect/index';
import { RULES as PERSISTENCE_RULES } from '../../src/persistence/rules';
import { DEEP_RULES } from '../../src/deep/index';
import { runCli } from '../helpers/cli';
import { spawnFakeMiner, type Spawned } from '../helpers/masquerade';
import { EcsVersion, ecsProblems, flatten } from './ecsSchema';
import { incidentHost, LAUNCHER_PID, MACHINE_ID, MINER_PID, type IncidentHost } from './fixtureHost';

type Ev = Record<string, unknown>;
const parse = (stdout: string): Ev[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Ev);
const flat = (e: Ev) => flatten(e);

/** Every field the issue lists for a process alert (hash and network ones checked where they apply). */
const PROCESS_FIELDS = [
  '@timestamp', 'message', 'ecs.version', 'event.kind', 'event.category', 'event.type', 'event.module', 'event.dataset',
  'event.severity', 'event.risk_score', 'event.reason', 'event.created', 'event.id', 'rule.id', 'rule.name',
  'rule.description', 'rule.ruleset', 'rule.version', 'host.name', 'host.hostname', 'host.id', 'process.pid',
  'process.name', 'process.executable', 'process.command_line', 'process.args', 'process.args_count',
  'process.working_directory', 'process.start', 'process.entity_id', 'process.parent.pid', 'process.parent.name',
  'process.parent.executable', 'process.user.id', 'process.user.name', 'user.id', 'user.name', 'related.user',
];
const PERSISTENCE_FIELDS = [
  '@timestamp', 'message', 'ecs.version', 'event.kind', 'event.category', 'event.type', 'event.module', 'event.dataset',
  'event.severity', 'event.risk_score', 'event.reason', 'event.created', 'event.id', 'rule.id', 'rule.name',
  'rule.description', 'rule.ruleset', 'rule.version', 'host.name', 'host.hostname', 'host.id', 'file.path', 'user.name', 'related.user',
];

describe('ECS field table', () => {
  it('is the 9.4.0 table, the version minewatch writes', () => {
    expect(EcsVersion).toBe('9.4.0');
    expect(ECS_VERSION).toBe(EcsVersion);
  });

  it('the schema check catches what it must (unknown key, wrong type, scalar for an array, bad allowed value)', () => {
    expect(ecsProblems({ process: { pid: 1, args: ['a'] }, minewatch: { anything: { goes: 1 } } })).toEqual([]);
    expect(ecsProblems({ process: { pidd: 1 } })).toEqual([expect.stringMatching(/process\.pidd: not an ECS/)]);
    expect(ecsProblems({ process: { pid: '1' } })).toEqual([expect.stringMatching(/not an integer/)]);
    expect(ecsProblems({ process: { name: 7 } })).toEqual([expect.stringMatching(/not a string/)]);
    expect(ecsProblems({ process: { args: 'a b' } })).toEqual([expect.stringMatching(/must be an array/)]);
    expect(ecsProblems({ event: { kind: 'alertt' } })).toEqual([expect.stringMatching(/not an allowed value/)]);
    expect(ecsProblems({ event: { category: ['malware'], type: ['start'] } })).toEqual([expect.stringMatching(/not expected with event.category malware/)]);
    expect(ecsProblems({ destination: { ip: 'pool.example' } })).toEqual([expect.stringMatching(/not an IP address/)]);
  });

  it('every ATT&CK technique a rule cites has its name', () => {
    const cited = [...PROCESS_RULES, ...Object.values(DEEP_RULES), ...Object.values(PERSISTENCE_RULES)].flatMap((r) => r.attack);
    for (const id of cited) {
      expect(TECHNIQUES[id], id).toBeTruthy();
      expect(TECHNIQUES[id.split('.')[0]!], id).toBeTruthy();
    }
  });
});

describe('scan --format ecs on the incident fixture host', () => {
  let host: IncidentHost;
  let events: Ev[];
  let code: number | null;
  beforeAll(async () => {
    host = incidentHost();
    const r = await runCli(['scan', '--format', 'ecs', ...host.scanArgs]);
    expect(r.stderr).toBe('');
    code = r.code;
    events = parse(r.stdout);
  });
  afterAll(() => host?.remove());

  it('exits 1 (the incident is critical) and writes only ECS 9.4.0 events', () => {
    expect(code).toBe(1);
    expect(events.length).toBeGreaterThan(5);
    for (const e of events) expect(ecsProblems(e), JSON.stringify(e)).toEqual([]);
  });

  it('the miner, its launcher and the crontab line come out as alerts with every listed field', () => {
    const miner = events.filter((e) => flat(e)['process.pid'] === MINER_PID);
    const launcher = events.filter((e) => flat(e)['process.pid'] === LAUNCHER_PID);
    const cron = events.filter((e) => flat(e)['file.path'] === '/var/spool/cron/crontabs/abc');
    for (const [set, fields] of [[miner, PROCESS_FIELDS], [launcher, PROCESS_FIELDS], [cron, PERSISTENCE_FIELDS]] as const) {
      expect(set.length).toBeGreaterThan(0);
      for (const e of set) {
        const f = flat(e);
        for (const k of fields) expect(f[k], `${k} in ${f['rule.id']}`).toBeDefined();
        expect(f['event.kind']).toBe('alert');
        expect(f['ecs.version']).toBe('9.4.0');
        expect(f['rule.ruleset']).toBe('minewatch');
        expect(f['event.module']).toBe('minewatch');
        expect(f['host.id']).toBe(MACHINE_ID);
        expect(f['host.name']).toBe('web-01');
        expect(f['event.severity']).toBe(4); // critical
      }
    }
    expect(miner.map((e) => flat(e)['rule.id'])).toEqual(expect.arrayContaining(['H01', 'H11', 'H12', 'H30', 'H31']));
    expect(launcher.map((e) => flat(e)['rule.id'])).toEqual(expect.arrayContaining(['H02', 'H11', 'H12']));
    expect(cron.map((e) => flat(e)['rule.id'])).toEqual(expect.arrayContaining(['C1', 'C9']));
    const m = flat(miner[0]!);
    expect(m['process.name']).toBe('rcu-sched');
    expect(m['process.args']).toEqual(['./rcu-sched', '-o', 'stratum+tcp://pool.minexmr.example:3333', '--donate-level=1', '-a', 'rx/0']);
    expect(m['process.args_count']).toBe(6);
    expect(m['process.parent.pid']).toBe(LAUNCHER_PID);
    expect(m['process.parent.name']).toBe('sshd');
    expect(m['process.user.name']).toBe('abc');
    expect(m['user.id']).toBe('1001');
    expect(m['event.dataset']).toBe('minewatch.process');
    expect(flat(cron[0]!)['event.dataset']).toBe('minewatch.persistence');
    expect(flat(cron[0]!)['event.category']).toEqual(['configuration']);
    expect(flat(cron[0]!)['minewatch.persistence.raw']).toContain('./sshd');
  });

  it('each message reads well alone: who, where, what, why and how bad, in one plain sentence or two', () => {
    for (const e of events) {
      const msg = e.message as string;
      expect(msg).toMatch(/^minewatch on web-01: /);
      expect(msg).toMatch(/\.$/);
      expect(msg).not.toMatch(/[{}[\]]|\x1b|undefined|(?<!\/dev\/)null|\[object/);
      expect(msg).toContain(flat(e)['rule.name'] as string);
      expect(msg).toMatch(/ is (low|medium|high|critical) \(score \d+/);
    }
    const h30 = events.find((e) => flat(e)['process.pid'] === MINER_PID && flat(e)['rule.id'] === 'H30')!;
    expect(h30.message).toBe('minewatch on web-01: process rcu-sched (PID 48213, user abc), running /home/abc/.x/rcu-sched: '
      + 'Mining-pool URL on the command line - its command line names a mining pool: stratum+tcp://pool.minexmr.example:3333. '
      + 'The process is critical (score 37, 6 findings: H30, H31, H01, H11, H12, H14). Started by crontab of abc, line 2.');
    const c1 = events.find((e) => flat(e)['rule.id'] === 'C1')!;
    expect(c1.message).toMatch(/^minewatch on web-01: crontab of abc, line 2 \(runs as abc\) runs `cd \/home\/abc\/\.x && \.\/sshd >\/dev\/null 2>&1`: Runs a program from a temporary or hidden directory - /);
    expect(c1.message).toMatch(/It starts PIDs 48213 and 48197, running now\.$/);
  });

  it('miner rules add the malware category, ATT&CK sub-techniques go where they belong', () => {
    const byRule = (pid: number, id: string) => flat(events.find((e) => flat(e)['process.pid'] === pid && flat(e)['rule.id'] === id)!);
    expect(byRule(MINER_PID, 'H30')['event.category']).toEqual(['process', 'malware']);
    expect(byRule(MINER_PID, 'H11')['event.category']).toEqual(['process']);
    const h01 = byRule(MINER_PID, 'H01');
    expect(h01['threat.framework']).toBe('MITRE ATT&CK');
    expect(h01['threat.technique.id']).toEqual(['T1036']);
    expect(h01['threat.technique.name']).toEqual(['Masquerading']);
    expect(h01['threat.technique.subtechnique.id']).toEqual(['T1036.004']);
    const h12 = byRule(MINER_PID, 'H12'); // T1036, no sub-technique
    expect(h12['threat.technique.id']).toEqual(['T1036']);
    expect(h12['threat.technique.subtechnique.id']).toBeUndefined();
  });

  it('event.id is unique per (process, rule) and the same on the next scan; entity_id is per process', async () => {
    const ids = events.map((e) => flat(e)['event.id']);
    expect(new Set(ids).size).toBe(ids.length);
    const again = parse((await runCli(['scan', '--format', 'ecs', ...host.scanArgs])).stdout);
    expect(again.map((e) => flat(e)['event.id']).sort()).toEqual([...ids].sort());
    const minerEntities = new Set(events.filter((e) => flat(e)['process.pid'] === MINER_PID).map((e) => flat(e)['process.entity_id']));
    expect(minerEntities.size).toBe(1);
    const launcherEntity = flat(events.find((e) => flat(e)['process.pid'] === LAUNCHER_PID)!)['process.entity_id'];
    expect(flat(events.find((e) => flat(e)['process.pid'] === MINER_PID)!)['process.parent.entity_id']).toBe(launcherEntity);
  });

  it('hashes the flagged executable through /proc/PID/exe, and names it in related.hash', async () => {
    // The fixture's exe link names /home/abc/.x/rcu-sched, absent on this machine: point it at the fixture's copy.
    const link = join(host.proc, String(MINER_PID), 'exe');
    const file = join(host.root, 'home/abc/.x/rcu-sched');
    const before = readlinkSync(link);
    unlinkSync(link);
    symlinkSync(file, link);
    try {
      const evs = parse((await runCli(['scan', '--format', 'ecs', ...host.scanArgs])).stdout);
      const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
      const m = evs.filter((e) => flat(e)['process.pid'] === MINER_PID);
      expect(m.length).toBeGreaterThan(0);
      for (const e of m) {
        expect(flat(e)['process.hash.sha256']).toBe(sha);
        expect(flat(e)['related.hash']).toEqual([sha]);
        expect(ecsProblems(e)).toEqual([]);
      }
    } finally {
      unlinkSync(link);
      symlinkSync(before, link);
    }
  });

  it('--output appends whole lines, one event per line, scan after scan', async () => {
    const out = join(host.dir, 'alerts.ndjson');
    const r1 = await runCli(['scan', '--format', 'ecs', '--output', out, ...host.scanArgs]);
    expect(r1.stdout).toBe('');
    expect(r1.code).toBe(1);
    const once = readFileSync(out, 'utf8');
    await runCli(['scan', '--format', 'ecs', '--output', out, ...host.scanArgs]);
    const twice = readFileSync(out, 'utf8');
    expect(twice.startsWith(once)).toBe(true);
    expect(twice.endsWith('\n')).toBe(true);
    const lines = twice.trimEnd().split('\n');
    expect(lines.length).toBe(2 * events.length);
    for (const l of lines) expect(ecsProblems(JSON.parse(l))).toEqual([]);
    expect((lstatSync(out).mode & 0o777)).toBe(0o640);
  });

  it('--output refuses a symbolic link, a hard link and a FIFO, and writes nothing through them', async () => {
    const victim = join(host.dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const sym = join(host.dir, 'sym.ndjson');
    symlinkSync(victim, sym);
    const r = await runCli(['scan', '--format', 'ecs', '--output', sym, ...host.scanArgs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to write: \S*sym\.ndjson is a symbolic link/);
    const hard = join(host.dir, 'hard.ndjson');
    linkSync(victim, hard);
    const h = await runCli(['scan', '--format', 'ecs', '--output', hard, ...host.scanArgs]);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/refusing to write: \S*hard\.ndjson has 2 hard links/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    const fifo = join(host.dir, 'fifo.ndjson');
    execFileSync('mkfifo', [fifo]);
    const f = await runCli(['scan', '--format', 'ecs', '--output', fifo, ...host.scanArgs]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/refusing to write: \S*fifo\.ndjson is not a regular file/);
    expect(f.stderr).not.toMatch(/\n\s+at /);
    // A directory on the way that anyone may write (no sticky bit): another user could swap the file.
    const open = join(host.dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const o = await runCli(['scan', '--format', 'ecs', '--output', join(open, 'alerts.ndjson'), ...host.scanArgs]);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/refusing to write: .*open/);
    expect(existsSync(join(open, 'alerts.ndjson'))).toBe(false);
    for (const p of [sym, hard, fifo]) rmSync(p);
  });

  it('rejects an unknown format and a contradiction with --json', async () => {
    const bad = await runCli(['scan', '--format', 'xml', ...host.scanArgs]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of text, json, ecs, prometheus/);
    const both = await runCli(['scan', '--json', '--format', 'ecs', ...host.scanArgs]);
    expect(both.code).toBe(2);
  });
});

describe('scan --format ecs on the live host', () => {
  let miner: Spawned;
  beforeAll(async () => { miner = await spawnFakeMiner({ lifetimeSec: 60 }); });
  afterAll(async () => { await miner?.kill(); });

  it('every event of the live host conforms, and our fake miner is among them, hashed when readable', async () => {
    const r = await runCli(['scan', '--format', 'ecs', '--sample', '0']);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    const events = parse(r.stdout);
    for (const e of events) expect(ecsProblems(e), JSON.stringify(e)).toEqual([]);
    const ours = events.filter((e) => flat(e)['process.pid'] === miner.pid);
    expect(ours.map((e) => flat(e)['rule.id'])).toEqual(expect.arrayContaining(['H01', 'H30']));
    const exe = `/proc/${miner.pid}/exe`;
    if (existsSync(exe)) {
      const sha = createHash('sha256').update(readFileSync(exe)).digest('hex');
      for (const e of ours) expect(flat(e)['process.hash.sha256']).toBe(sha);
    }
    const hostname = readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
    for (const e of ours) expect(flat(e)['host.hostname']).toBe(hostname);
  });
});

describe('--deep findings as ECS alerts', () => {
  it('a hidden process and a kernel module become conforming process and host alerts', () => {
    const report = { version: 1 as const, scannedAt: '2026-11-27T09:00:00.000Z', host: { hostname: 'web-01', kernel: '6.1.0' }, processes: [], persistence: [], warnings: [] };
    const deep = [
      { id: 'H40', weight: 10, severity: 'critical' as const, title: DEEP_RULES.hidden.title, explanation: 'PID 4242 runs /tmp/.x/kworker but is missing from the /proc listing', attack: DEEP_RULES.hidden.attack, evidence: { pid: 4242, exe: '/tmp/.x/kworker', name: 'kworker' }, pid: 4242 },
      { id: 'H47', weight: 8, severity: 'high' as const, title: DEEP_RULES.noFile.title, explanation: 'module diamorphine is loaded but no file for it exists', attack: DEEP_RULES.noFile.attack, evidence: { module: 'diamorphine' }, pid: null },
    ];
    const events = ecsEvents({
      report: report as unknown as Parameters<typeof ecsEvents>[0]['report'], processes: new Map(), connections: new Map(), hostId: MACHINE_ID,
      hashes: new Map(), version: '0.1.0', now: new Date(), deep,
    });
    expect(events).toHaveLength(2);
    for (const e of events) expect(ecsProblems(e)).toEqual([]);
    const [h40, h47] = events.map(flat);
    expect(h40!['event.category']).toEqual(['process']);
    expect(h40!['process.pid']).toBe(4242);
    expect(h40!['event.dataset']).toBe('minewatch.deep');
    expect(h47!['event.category']).toEqual(['host']);
    expect(h47!['threat.technique.subtechnique.name']).toEqual(['Kernel Modules and Extensions']);
    expect(events[1]!.message).toBe('minewatch on web-01: deep scan: Loaded kernel module that no package ships - module diamorphine is loaded but no file for it exists. This finding is high (weight 8).');
  });
});
