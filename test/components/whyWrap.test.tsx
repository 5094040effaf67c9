// Why lines under flagged rows wrap into the rows the table does not fill, instead of being cut; when
// the table is full they keep one line each, cut with …, and the frame keeps its height.
import { describe, expect, it } from 'vitest';
import { incidentProcs } from '../helpers/snapshot';
import { renderApp, tick } from './render';

/** The why block of a PID: its "└ why:" line and the continuation lines below it. */
function whyBlock(frame: string, pid: number): string[] {
  const lines = frame.split('\n');
  const row = lines.findIndex((l) => new RegExp(`^.\\s+${pid} `).test(l));
  const start = lines.findIndex((l, i) => i > row && l.includes('└ why: '));
  const col = lines[start].indexOf('└ why: ') + '└ why: '.length;
  const out = [lines[start].slice(col)];
  // continuation lines are blank up to the text's column
  for (let i = start + 1; i < lines.length && lines[i].length > col && lines[i].slice(0, col).trim().replace(/[│ ]/g, '') === '' && lines[i][col] !== ' '; i++) {
    out.push(lines[i].slice(col));
  }
  return out;
}

describe('why lines', () => {
  for (const [cols, rows] of [[120, 40], [80, 34]] as const) {
    it(`wrap into the table's spare rows at ${cols}x${rows}: every rule and title of the reason shows, nothing cut`, async () => {
      const app = renderApp(incidentProcs(), { cols, rows });
      await tick();
      const f = app.frame();
      const a = app.store.getState().assessments.get(3002)!;
      const block = whyBlock(f, 3002);
      expect(block.length).toBeGreaterThan(1); // it did not fit on one line at this width
      const text = block.map((l) => l.trim()).join(' ');
      expect(text).not.toContain('…');
      expect(text.startsWith(`CRITICAL ${a.score}: `)).toBe(true);
      for (const finding of a.findings) expect(text).toContain(`${finding.id} ${finding.title.toLowerCase()}`.split(' ').slice(0, 3).join(' '));
      expect(f.split('\n').length).toBeLessThanOrEqual(rows - 1);
      expect(f.split('\n').every((l) => l.length <= cols)).toBe(true);
      // the detail panel below is unchanged: the selected process with its first finding
      expect(f).toContain(`PID 3002 rcu-sched · ‼ CRITICAL score ${a.score}`);
    });
  }

  it('give the spare rows to the selected process first, then the worst', async () => {
    const app = renderApp(incidentProcs(), { cols: 80, rows: 34 });
    await tick();
    app.store.getState().actions.select(3001);
    await tick();
    let f = app.frame();
    const launcher = whyBlock(f, 3001);
    expect(launcher.length).toBeGreaterThan(1);
    expect(launcher.join(' ')).not.toContain('…');
    app.store.getState().actions.select(3002);
    await tick();
    f = app.frame();
    expect(whyBlock(f, 3002).join(' ')).not.toContain('…');
    expect(whyBlock(f, 3002).length).toBeGreaterThan(1);
  });

  it('keep one line each, cut with …, when the table has no row to spare (80x24)', async () => {
    const app = renderApp(incidentProcs(), { cols: 80, rows: 24 });
    await tick();
    const f = app.frame();
    expect(whyBlock(f, 3002)).toHaveLength(1);
    expect(whyBlock(f, 3002)[0]).toMatch(/…$/);
    expect(f.split('\n').length).toBeLessThanOrEqual(23);
    for (const pid of [3001, 3002]) expect(f).toMatch(new RegExp(`^.\\s+${pid} `, 'm'));
  });
});
