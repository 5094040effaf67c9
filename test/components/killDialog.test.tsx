// The signal dialog's layout: with a family of 40 at 80x24, the member list scrolls inside the rows
// left over, and the choices, the key hint and (once done) the outcome always stay inside the box.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KILL_LABELS } from '../../components/KillDialog';
import type { Outcome } from '../../src/store/types';
import { fakePrep, fakeServices } from '../store/fakeServices';
import { KEY, renderApp } from './render';
import { assess, incidentProcs, snapshot } from '../helpers/snapshot';

let app: ReturnType<typeof renderApp> | null = null;
afterEach(() => { app?.ui.unmount(); app = null; });

function open(members: number, result: Outcome[] = [{ text: 'sent', status: 'ok' }], size = { cols: 80, rows: 24 }) {
  const services = fakeServices({ prepareKill: vi.fn(() => fakePrep(members)), act: vi.fn(async () => result) });
  app = renderApp(incidentProcs(), { services, ...size });
  return app;
}

/** The box: from its top border to its bottom border. */
function box(frame: string): string[] {
  const lines = frame.split('\n');
  const top = lines.findIndex((l) => l.startsWith('╭'));
  const bottom = lines.findIndex((l, i) => i > top && l.startsWith('╰'));
  expect(top).toBeGreaterThanOrEqual(0);
  expect(bottom).toBeGreaterThan(top);
  return lines.slice(top, bottom + 1);
}

describe('signal dialog layout', () => {
  it('at 80x24 with 40 members: every choice, the hint and a scroll note are inside the box', async () => {
    const a = open(40);
    await a.press('K');
    await vi.waitFor(() => expect(a.frame()).toMatch(/Signal process 3002/));
    const inside = box(a.frame()).join('\n');
    for (const label of Object.values(KILL_LABELS)) expect(inside).toContain(label.slice(0, 20));
    expect(inside).toMatch(/↑↓ choose · Enter or y does it · Esc or n cancels/);
    expect(inside).toMatch(/family \(40\)/);
    expect(inside).toMatch(/launcher PID 4000 p4000/);
    expect(inside).toMatch(/… 1-\d+ of 40 \(PgUp PgDn scroll\)/);
    expect(a.frame().split('\n').length).toBeLessThanOrEqual(23);
    expect(a.frame().split('\n').every((l) => l.length <= 80)).toBe(true);
  });

  it('the member list scrolls without moving the choices', async () => {
    const a = open(40);
    await a.press('K');
    await vi.waitFor(() => expect(a.frame()).toMatch(/family \(40\)/));
    const choicesAt = (f: string) => f.split('\n').findIndex((l) => l.includes('› Cancel'));
    const before = choicesAt(a.frame());
    a.store.getState().actions.killScrollMembers(10);
    await vi.waitFor(() => expect(a.frame()).toMatch(/… 11-\d+ of 40/));
    expect(a.frame()).toMatch(/descendant PID 4010 p4010/);
    expect(choicesAt(a.frame())).toBe(before);
  });

  it('once done, a summary and the failures show first, and the close hint stays in the box', async () => {
    const result: Outcome[] = [
      { text: 'evidence kept in /var/lib/minewatch/evidence/x (12 files)', status: 'info' },
      ...Array.from({ length: 40 }, (_, i) => ({ text: `PID ${4000 + i}: killed it (SIGKILL)`, status: 'ok' as const })),
      { text: 'PID 3002: not permitted (EPERM)', status: 'failed' },
      { text: 'audit log: /var/lib/minewatch/evidence/audit.jsonl', status: 'info' },
    ];
    const a = open(40, result);
    await a.press('K', 'a', KEY.down, KEY.down, 'y');
    await vi.waitFor(() => expect(a.frame()).toMatch(/result: 40 done, 1 failed/));
    const inside = box(a.frame()).join('\n');
    expect(inside).toMatch(/not permitted \(EPERM\)/);
    expect(inside).toMatch(/audit log: \/var\/lib\/minewatch\/evidence\/audit\.jsonl/);
    expect(inside).toMatch(/evidence kept in/);
    expect(inside).toMatch(/Enter or Esc closes/);
    expect(inside).toMatch(/of 43 \(PgUp PgDn scroll\)/);
  });

  it('a refused target shows why and how to close, with no choice to make', async () => {
    const services = fakeServices({ prepareKill: vi.fn(() => fakePrep(40, { refusal: 'PID 1 (init) is never signalled' })) });
    app = renderApp(incidentProcs(), { services, cols: 80, rows: 24 });
    await app.press('K');
    await vi.waitFor(() => expect(app!.frame()).toMatch(/never signalled/));
    const inside = box(app.frame()).join('\n');
    expect(inside).toMatch(/Enter or Esc closes/);
    expect(inside).not.toMatch(/› Cancel/);
  });

  it('opened before the first full check: says so, then shows the verdict and family once it is done', async () => {
    const prepareKill = vi.fn()
      .mockReturnValueOnce(fakePrep(0, { info: { ...fakePrep().info, severity: null, score: null, findings: [] } }))
      .mockReturnValue(fakePrep(1));
    app = renderApp(incidentProcs(), { services: fakeServices({ prepareKill }), cols: 100, rows: 30 });
    const a = app;
    a.store.getState().actions.ingest({ ...snapshot(incidentProcs()), partial: true }, new Map());
    a.store.getState().actions.select(3002);
    await a.press('K');
    await vi.waitFor(() => expect(a.frame()).toMatch(/not checked yet: the first full check is running/));
    expect(a.frame()).not.toMatch(/not flagged/);
    const full = snapshot(incidentProcs());
    a.store.getState().actions.ingest(full, assess(full));
    await vi.waitFor(() => expect(a.frame()).toMatch(/flagged critical \(14\): H01/));
    expect(a.frame()).toMatch(/launcher PID 4000 p4000/);
    expect(a.frame()).not.toMatch(/not checked yet/);
  });
});
