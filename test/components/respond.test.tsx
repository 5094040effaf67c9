// The inspect and persistence panes and the signal dialog, on a fixture /proc, with real services and an
// INJECTED signal function: no real process is ever signalled here.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { SignalFn } from '../../src/respond/index';
import { App } from '../../components/App';
import { StoreProvider } from '../../components/StoreContext';
import { ThemeProvider } from '../../components/theme';
import { createServices } from '../../src/app/services';
import { Detector } from '../../src/detect/index';
import { ProcReader } from '../../src/procfs/reader';
import { createAppStore } from '../../src/store/appStore';
import { PF_KTHREAD, ProcTree, type FakeProc } from '../../src/procfs/fake';
import { KEY, strip, tick } from './render';

let tree: ProcTree;
let evidence: string;
let ui: ReturnType<typeof render> | null = null;

const launcher: FakeProc = { pid: 3001, comm: 'sshd', ppid: 1, uid: 1001, session: 3001, cmdline: ['/bin/sh', './sshd'], exe: '/usr/bin/dash', cwd: '/home/abc/.x' };
const miner: FakeProc = { pid: 3002, comm: 'rcu-sched', ppid: 3001, uid: 1001, session: 3001, cmdline: ['./rcu-sched'], exe: '/home/abc/.x/rcu-sched', cwd: '/home/abc/.x', startTicks: 500 };
const self: FakeProc = { pid: 4000, comm: 'minewatch', ppid: 1, uid: 0, cmdline: ['node', 'minewatch'], exe: '/usr/bin/node', ttyNr: 34816 };

beforeEach(() => {
  tree = new ProcTree().withBaseSystem().add(launcher).add(miner).add(self);
  tree.file('var/spool/cron/crontabs/abc', '*/5 * * * * cd /home/abc/.x && ./sshd >/dev/null 2>&1\n');
  evidence = mkdtempSync(join(tmpdir(), 'mw-evidence-'));
});
afterEach(() => {
  ui?.unmount();
  ui = null;
  tree.cleanup();
  rmSync(evidence, { recursive: true, force: true });
});

function setup(opts: { readonly?: boolean; kill?: Mock<SignalFn>; live?: boolean } = {}) {
  const kill = opts.kill ?? vi.fn<SignalFn>();
  const services = createServices({ procRoot: tree.proc, root: tree.root, evidenceDir: evidence, readonly: opts.readonly ?? false, kill, selfPid: self.pid, assumeLiveProc: opts.live ?? true });
  const store = createAppStore({ services });
  const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
  store.getState().actions.ingest(snap, new Detector().assess(snap));
  ui = render(
    <ThemeProvider theme={{ color: true }}>
      <StoreProvider store={store}><App cols={100} rows={34} /></StoreProvider>
    </ThemeProvider>,
  );
  const press = async (...keys: string[]) => { for (const k of keys) { ui!.stdin.write(k); await tick(); } };
  const frame = () => strip(ui!.lastFrame());
  const waitFor = (re: RegExp) => vi.waitFor(() => expect(frame()).toMatch(re), { timeout: 3000 });
  return { store, kill, press, frame, waitFor, select: (pid: number) => store.getState().actions.select(pid) };
}

describe('signal dialog', () => {
  it('names the target and opens on Cancel: Enter right away sends nothing', async () => {
    const t = setup();
    t.select(3002);
    await t.press('K');
    const f = t.frame();
    expect(f).toMatch(/Signal process 3002/);
    expect(f).toMatch(/PID 3002 rcu-sched · user abc \(1001\)/);
    expect(f).toMatch(/exe \/home\/abc\/\.x\/rcu-sched/);
    expect(f).toMatch(/flagged critical \(\d+\): H01/);
    expect(f).toMatch(/› Cancel/);
    await t.press(KEY.enter);
    expect(t.frame()).not.toMatch(/Signal process/);
    await t.press('K', KEY.down, KEY.esc);
    await tick();
    expect(t.frame()).not.toMatch(/Signal process/);
    await t.press('K', KEY.down, 'n');
    expect(t.kill).not.toHaveBeenCalled();
  });

  it('sends SIGTERM only after choosing it and confirming, keeps evidence and writes the audit log', async () => {
    const t = setup();
    t.select(3002);
    await t.press('K', KEY.down);
    expect(t.frame()).toMatch(/› SIGTERM/);
    await t.press('y');
    await t.waitFor(/audit log: /);
    const calls = t.kill.mock.calls.map(([pid, sig]) => `${pid}:${sig}`);
    expect(calls).toContain('3002:SIGTERM');
    expect(calls.indexOf('3002:SIGSTOP')).toBeLessThan(calls.indexOf('3002:SIGTERM'));
    expect(calls[calls.length - 1]).toBe('3002:SIGCONT'); // a stopped process acts on SIGTERM once continued
    expect(t.frame()).toMatch(/evidence kept in /);
    const audit = readFileSync(join(evidence, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.some((r) => r.action === 'signal' && r.target.pid === 3002 && /SIGTERM/.test(JSON.stringify(r)))).toBe(true);
    expect(audit.some((r) => r.action === 'evidence')).toBe(true);
  });

  it('sends nothing when the PID changed hands between the dialog and the confirm', async () => {
    const t = setup();
    t.select(3002);
    await t.press('K', KEY.down, KEY.down); // SIGKILL
    tree.add({ ...miner, startTicks: 9999 }); // the miner exited and the PID was reused
    await t.press(KEY.enter);
    await t.waitFor(/nothing was sent/);
    expect(t.frame()).toMatch(/start time changed|now belongs to another process/);
    expect(t.kill).not.toHaveBeenCalled();
    expect(existsSync(join(evidence, 'audit.jsonl'))).toBe(true);
  });

  for (const [what, pid, re] of [
    ['PID 1', 1, /PID 1/],
    ['a kernel thread', 15, /kernel thread/],
    ['minewatch itself', 4000, /minewatch itself/],
  ] as const) {
    it(`refuses ${what}`, async () => {
      const t = setup();
      t.select(pid);
      await t.press('K');
      expect(t.frame()).toMatch(re);
      expect(t.frame()).not.toMatch(/› Cancel/); // no signal to choose
      await t.press(KEY.down, KEY.enter, 'y');
      expect(t.kill).not.toHaveBeenCalled();
    });
  }

  it('shows EPERM in plain words', async () => {
    const kill = vi.fn<SignalFn>((_pid, sig) => {
      if (sig !== 'SIGSTOP') throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    const t = setup({ kill });
    t.select(3002);
    await t.press('K', KEY.down, KEY.down, KEY.enter);
    await t.waitFor(/not permitted/);
  });

  it('kills the whole family: every process frozen before any is killed', async () => {
    const t = setup();
    t.select(3002);
    await t.press('K');
    expect(t.frame()).toMatch(/family \(1\)/);
    expect(t.frame()).toMatch(/launcher PID 3001 sshd/);
    await t.press('a', KEY.down, KEY.down, KEY.enter);
    await t.waitFor(/audit log: /);
    const calls = t.kill.mock.calls.map(([pid, sig]) => `${pid}:${sig}`);
    const lastStop = Math.max(calls.lastIndexOf('3001:SIGSTOP'), calls.lastIndexOf('3002:SIGSTOP'));
    const firstKill = Math.min(calls.indexOf('3001:SIGKILL'), calls.indexOf('3002:SIGKILL'));
    expect(firstKill).toBeGreaterThan(-1);
    expect(calls.indexOf('3001:SIGSTOP')).toBeLessThan(firstKill);
    expect(lastStop).toBeLessThan(firstKill);
  });

  it('treats a fixture /proc as read-only and says so: no signal, no edit', async () => {
    const t = setup({ live: false });
    t.select(3002);
    await t.press('K');
    expect(t.frame()).toMatch(/is not the live \/proc of this system/);
    expect(t.frame()).not.toMatch(/Signal process/);
    const tab = join(tree.root, 'var/spool/cron/crontabs/abc');
    const before = readFileSync(tab, 'utf8');
    await t.press('c', 'd', 'y');
    expect(t.frame()).toMatch(/not the live \/proc/);
    expect(readFileSync(tab, 'utf8')).toBe(before);
    expect(t.kill).not.toHaveBeenCalled();
  });

  it('does nothing in read-only mode but say so', async () => {
    const t = setup({ readonly: true });
    t.select(3002);
    await t.press('K');
    expect(t.frame()).toMatch(/read-only mode \(--readonly\): signals are disabled/);
    expect(t.frame()).not.toMatch(/Signal process/);
    expect(t.kill).not.toHaveBeenCalled();
  });
});

describe('panes', () => {
  it('i opens the inspector with the identity at once, Esc closes it', async () => {
    const t = setup();
    t.select(3002);
    await t.press('i');
    await t.waitFor(/Inspect PID 3002/);
    expect(t.frame()).toMatch(/user +abc \(uid 1001\)/);
    await t.press(KEY.esc);
    await tick();
    expect(t.frame()).not.toMatch(/Inspect PID/);
  });

  it('c shows the crontab line that starts the process, and scrolls', async () => {
    // Enough other entries of abc that the pane is always longer than its height.
    const more = Array.from({ length: 40 }, (_, i) => `${i} 3 * * * /usr/bin/true job-${i}\n`).join('');
    tree.file('var/spool/cron/crontabs/abc', '*/5 * * * * cd /home/abc/.x && ./sshd >/dev/null 2>&1\n' + more);
    const t = setup();
    t.select(3001);
    await t.press('c');
    const f = t.frame();
    expect(f).toMatch(/Persistence for PID 3001 \(sshd, user abc\)/);
    expect(f).toMatch(/Started by/);
    expect(f).toMatch(/crontab of abc, line 1 \(matched by (script|cwd)\): \*\/5 \* \* \* \* cd \/home\/abc\/\.x && \.\/sshd/);
    const before = t.store.getState().pane!.scroll;
    expect(t.store.getState().pane!.lines.length).toBeGreaterThan(t.store.getState().paneRows);
    await t.press(KEY.pageDown);
    expect(t.store.getState().pane!.scroll).toBeGreaterThan(before);
    expect(t.frame()).not.toMatch(/Started by:/); // the top scrolled out of view
    await t.press('q');
    expect(t.frame()).not.toMatch(/Persistence for PID/);
  });
});

describe('disabling persistence from the pane', () => {
  it('comments out the cron line after y, keeps a backup and audits; n changes nothing', async () => {
    const t = setup();
    const tab = join(tree.root, 'var/spool/cron/crontabs/abc');
    const before = readFileSync(tab, 'utf8');
    t.select(3001);
    await t.press('c');
    expect(t.frame()).toMatch(/d disables crontab of abc, line 1/);
    await t.press('d');
    expect(t.frame()).toMatch(/Disable crontab of abc, line 1 \(comment the line out\)\? backup kept · y yes · n no/);
    await t.press('n');
    expect(t.frame()).toMatch(/nothing was changed/);
    expect(readFileSync(tab, 'utf8')).toBe(before);
    await t.press('d', 'y');
    const after = readFileSync(tab, 'utf8');
    expect(after).toMatch(/^# disabled by minewatch .*\*\/5 \* \* \* \* cd \/home\/abc\/\.x && \.\/sshd/m);
    const backups = readdirSync(join(evidence, 'persistence-backups'));
    expect(backups.some((b) => readFileSync(join(evidence, 'persistence-backups', b), 'utf8') === before)).toBe(true);
    const audit = readFileSync(join(evidence, 'audit.jsonl'), 'utf8');
    expect(audit).toMatch(/"action":"persistence-change"/);
    expect(t.kill).not.toHaveBeenCalled();
  });

  it('changes nothing in read-only mode', async () => {
    const t = setup({ readonly: true });
    const tab = join(tree.root, 'var/spool/cron/crontabs/abc');
    const before = readFileSync(tab, 'utf8');
    t.select(3001);
    await t.press('c', 'd', 'y');
    expect(t.frame()).toMatch(/read-only mode/);
    expect(readFileSync(tab, 'utf8')).toBe(before);
  });
});

it('kernel threads in the fixture really carry PF_KTHREAD (guards the refusal test above)', () => {
  expect(readFileSync(join(tree.proc, '15', 'stat'), 'utf8').split(' ')[8]).toBe(String(PF_KTHREAD));
});
