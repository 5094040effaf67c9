// The whole triage story, end to end, on harmless processes of our own:
// simulate → the dashboard flags both with reasons → inspect shows hash and cwd → the persistence view
// links the cron line to the running process → family kill after confirmation → evidence and audit
// written → simulate --stop leaves nothing behind.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProcReader } from '../../src/procfs/reader';
import { findCronDaemon } from '../../src/simulate/simulate';
import { runCli, startMinewatch } from '../helpers/cli';
import { stepUntil, typeFilter, waitUntil, type PtySession } from '../helpers/pty';

const isRoot = process.getuid?.() === 0;
// As root the story runs as nobody, and the line goes into nobody's own crontab (as an attacker's would).
const user = isRoot ? 'nobody' : (process.env.USER ?? 'root');
let work: string;
let root: string;
let spool: string;
let env: Record<string, string>;
let session: PtySession | null = null;
let pids: { launcher: number; miner: number };
let simDir: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function running(pid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s[s.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mw-story-'));
  chmodSync(work, 0o755);
  root = join(work, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  copyFileSync('/etc/passwd', join(root, 'etc/passwd'));
  mkdirSync(join(root, 'var/spool/cron/crontabs'), { recursive: true });
  const spoolDir = join(root, 'var/spool/cron/crontabs');
  spool = join(spoolDir, user);
  // A fake crontab program that edits the fixture root's spool files (`-u USER` picks USER's, as the
  // real one does): the real crontabs are never touched.
  const fake = join(work, 'crontab');
  const invoker = isRoot ? 'root' : user;
  writeFileSync(fake, `#!/bin/sh\nu=${invoker}\nif [ "$1" = -u ]; then u=$2; shift 2; fi\nf=${JSON.stringify(spoolDir)}/$u\ncase "$1" in\n  -l) [ -f "$f" ] || { echo "no crontab for $u" >&2; exit 1; }; cat "$f" ;;\n  -) cat > "$f" ;;\n  *) exit 2 ;;\nesac\n`, { mode: 0o755 });
  env = { ...process.env as Record<string, string>, MINEWATCH_CRONTAB: fake };
  const args = ['simulate', '--duration', '3m', '--persistence', '--state-dir', join(work, 'state'), ...(isRoot ? ['--as-nobody'] : [])];
  const r = await runCli(args, { env });
  // The only thing simulate may say on stderr: that no cron daemon runs here to act on the line.
  const cronUp = findCronDaemon(new ProcReader().sample().processes.values()) !== null;
  if (cronUp) expect(r.stderr).toBe('');
  else expect(r.stderr).toMatch(/^minewatch simulate: warning: no cron daemon \(cron, crond\) is running[^\n]*\n$/);
  expect(r.code).toBe(0);
  const launcher = Number(/PID (\d+)\s+sshd/.exec(r.stdout)![1]);
  const miner = Number(/PID (\d+)\s+rcu-sched/.exec(r.stdout)![1]);
  pids = { launcher, miner };
  simDir = /directory: (\S+)/.exec(r.stdout)![1];
  expect(readFileSync(spool, 'utf8')).toContain('# minewatch-simulate');
  if (isRoot) expect(existsSync(join(spoolDir, 'root'))).toBe(false); // root's own crontab untouched
}, 30_000);

afterAll(async () => {
  session?.kill('SIGKILL');
  if (work) {
    await runCli(['simulate', '--stop', '--state-dir', join(work, 'state')], { env });
    rmSync(work, { recursive: true, force: true });
  }
});

it('from simulate to a clean host', async () => {
  const evidence = join(work, 'evidence');
  const s = startMinewatch(['--interval', '500', '--root', root, '--evidence-dir', evidence], { cols: 120, rows: 40 });
  session = s;
  await s.waitForText('minewatch ·', 15_000);
  await typeFilter(s, String(pids.miner), new RegExp(`\\s${pids.miner} `));

  // 1. both flagged, each with its reasons
  await s.waitForText(/└ why: CRITICAL \d+: H30/, 5000);
  const screen = s.screen();
  expect(screen).toMatch(new RegExp(`‼\\s+${pids.launcher} .*sshd /bin/sh \\./sshd`));
  expect(screen).toMatch(new RegExp(`‼\\s+${pids.miner} .*rcu-sched \\./rcu-sched`));
  expect(screen).toMatch(/why: CRITICAL \d+: H02 daemon-name impostor/);

  // 2. inspect the miner: hash and cwd
  await stepUntil(s, 'n', (sc) => sc.includes(`PID ${pids.miner} rcu-sched ·`));
  s.write('i');
  await s.waitForText(/sha256\s+[0-9a-f]{64}/, 10_000);
  const sha = createHash('sha256').update(readFileSync(join(simDir, 'rcu-sched'))).digest('hex');
  expect(s.screen()).toContain(sha);
  expect(s.screen()).toMatch(new RegExp(`Working directory\\s+${simDir.replace(/[.]/g, '\\.')}`));
  // Wait for Esc to take effect before the next key: a lone Esc and a key that reach minewatch in one
  // read (it was busy, e.g. on a loaded machine) are one Alt+key, as in every terminal program.
  s.write('\x1b');
  await waitUntil(s, (x) => !x.includes(`Inspect PID ${pids.miner}`), 10_000, 'the inspector to close');

  // 3. persistence of the launcher: the cron line, linked to the running process
  await stepUntil(s, 'N', (sc) => sc.includes(`PID ${pids.launcher} sshd ·`));
  s.write('c');
  await s.waitForText('Started by', 5000);
  expect(s.screen()).toMatch(new RegExp(`crontab of ${user}, line \\d+ \\(matched by (script|cwd|exe)\\)`));
  expect(s.screen()).toContain('minewatch-simulate');
  s.write('\x1b');
  await waitUntil(s, (x) => !x.includes(`Persistence for PID ${pids.launcher}`), 10_000, 'the persistence pane to close');

  // 4. family kill from the miner, after confirmation
  await stepUntil(s, 'n', (sc) => sc.includes(`PID ${pids.miner} rcu-sched ·`));
  s.write('K');
  await s.waitForText(`Signal process ${pids.miner}`, 5000);
  await s.waitForText(`launcher PID ${pids.launcher} sshd`, 5000); // the dialog may be drawn over two frames
  s.write('a');
  await s.waitForText('[x] included', 5000);
  s.write('jj'); // keys are never lost: one chunk is two presses
  await s.waitForText('› SIGKILL', 5000);
  s.write('y');
  await s.waitForText('audit log:', 10_000);
  for (let i = 0; i < 30 && (running(pids.miner) || running(pids.launcher)); i++) await sleep(100);
  expect(running(pids.miner)).toBe(false);
  expect(running(pids.launcher)).toBe(false);

  // 5. evidence and audit
  const dir = readdirSync(evidence).find((d) => d.includes(`pid${pids.miner}`))!;
  expect(createHash('sha256').update(readFileSync(join(evidence, dir, `exe-${pids.miner}.bin`))).digest('hex')).toBe(sha);
  const audit = readFileSync(join(evidence, 'audit.jsonl'), 'utf8');
  expect(audit).toMatch(new RegExp(`"pid":${pids.miner}[^\\n]*SIGKILL|SIGKILL[^\\n]*"pid":${pids.miner}`));
  s.write('\r'); // close the result
  await waitUntil(s, (x) => !x.includes('audit log:'), 10_000, 'the result to close');
  s.write('q');
  expect(await s.waitForExit(5000)).toBe(0);
  session = null;

  // 6. simulate --stop leaves nothing behind
  const stop = await runCli(['simulate', '--stop', '--state-dir', join(work, 'state')], { env });
  expect(stop.code).toBe(0);
  expect(stop.stdout).toMatch(/Simulation stopped/);
  expect(existsSync(simDir)).toBe(false);
  expect(readFileSync(spool, 'utf8')).not.toContain('minewatch-simulate');
  expect(running(pids.miner) || running(pids.launcher)).toBe(false);
}, 90_000);
