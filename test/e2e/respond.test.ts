// End to end: the real dashboard in a pty kills our own masquerading pair (launcher `sshd` + `rcu-sched`
// child) after a cancel, keeps the deleted executable as evidence, and writes the audit log.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMinewatch } from '../helpers/cli';
import { spawnFamily, type Family } from '../helpers/masquerade';
import { stepUntil, typeFilter, waitUntil, type PtySession } from '../helpers/pty';

let fam: Family;
let evidence: string;
let session: PtySession | null = null;
let sha: string;

function running(pid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  fam = await spawnFamily({ asNobody: true, lifetimeSec: 120 });
  sha = createHash('sha256').update(readFileSync(fam.child.path)).digest('hex');
  unlinkSync(fam.child.path); // the miner deletes itself after starting
  evidence = mkdtempSync(join(tmpdir(), 'mw-evidence-'));
}, 30_000);

afterAll(async () => {
  session?.kill('SIGKILL');
  await fam?.kill();
  if (evidence) rmSync(evidence, { recursive: true, force: true });
});

describe('respond from the dashboard', () => {
  it('cancel sends nothing; a confirmed family kill stops both, keeps the deleted exe and audits', async () => {
    const s = startMinewatch(['--interval', '500', '--evidence-dir', evidence], { cols: 120, rows: 36 });
    session = s;
    await s.waitForText('minewatch ·', 15_000);
    // the first assessed frame (the quick pass's says "checking…"): the dialog below names the family
    await waitUntil(s, (sc) => sc.includes('processes · flagged:'), 20_000, 'the first assessed frame');
    await typeFilter(s, String(fam.child.pid), new RegExp(`\\s${fam.child.pid} `));
    await stepUntil(s, 'n', (sc) => sc.includes(`PID ${fam.child.pid} rcu-sched`));
    expect(s.screen()).toContain(`PID ${fam.child.pid} rcu-sched`);

    s.write('K');
    await s.waitForText(`Signal process ${fam.child.pid}`, 5000);
    await s.waitForText(/› Cancel/, 5000); // the dialog may be drawn over two frames: wait for the state
    await s.waitForText(`launcher PID ${fam.launcher.pid} sshd`, 5000); // the dialog may be drawn over two frames
    s.write('\x1b');
    await waitUntil(s, (x) => !x.includes('Signal process'), 5000, 'the dialog to close');
    expect(running(fam.child.pid)).toBe(true);
    expect(running(fam.launcher.pid)).toBe(true);

    s.write('K');
    await s.waitForText(`Signal process ${fam.child.pid}`, 5000);
    s.write('a');
    await s.waitForText('[x] included', 3000);
    s.write('jj'); // two presses in one chunk: SIGKILL
    await s.waitForText(/› SIGKILL/, 3000);
    s.write('\r');
    await s.waitForText('audit log:', 10_000);
    for (let i = 0; i < 30 && (running(fam.child.pid) || running(fam.launcher.pid)); i++) await sleep(100);
    expect(running(fam.child.pid)).toBe(false);
    expect(running(fam.launcher.pid)).toBe(false);

    const dirs = readdirSync(evidence).filter((d) => d.includes(`pid${fam.child.pid}`));
    expect(dirs).toHaveLength(1);
    const copy = join(evidence, dirs[0], `exe-${fam.child.pid}.bin`);
    expect(existsSync(copy)).toBe(true);
    expect(createHash('sha256').update(readFileSync(copy)).digest('hex')).toBe(sha);
    expect(readFileSync(join(evidence, dirs[0], 'SHA256SUMS'), 'utf8')).toContain(sha);
    const audit = readFileSync(join(evidence, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const sent = audit.filter((r) => r.action === 'signal' && r.result === 'sent');
    expect(sent.some((r) => r.target.pid === fam.child.pid && JSON.stringify(r).includes('SIGKILL'))).toBe(true);
    expect(sent.some((r) => r.target.pid === fam.launcher.pid && JSON.stringify(r).includes('SIGKILL'))).toBe(true);
    expect(audit.some((r) => r.action === 'evidence')).toBe(true);

    s.write('\r'); // close the result
    await waitUntil(s, (x) => !x.includes('audit log:'), 10_000, 'the result to close');
    s.write('q');
    expect(await s.waitForExit(5000)).toBe(0);
  }, 60_000);
});
