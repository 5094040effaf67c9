// `npm run screenshots` waits for states, not for a layout: its patterns must match the dashboard as it
// is drawn now (a pattern that stopped matching made every shot time out). Checked on the same frame
// the component tests render, at both screenshot sizes.
import { describe, expect, it } from 'vitest';
import { LAUNCHER_SELECTED, MINER_SELECTED, readyState, SIZES } from '../../scripts/screenshots';
import { incidentProcs } from '../helpers/snapshot';
import { renderApp, tick } from './render';

describe('screenshot states', () => {
  for (const { cols, rows } of SIZES) {
    it(`the ready state and the selections match the dashboard at ${cols}x${rows}`, async () => {
      const app = renderApp(incidentProcs(), { cols, rows });
      await tick();
      // the miner (180 % CPU in this fixture) is flagged and the detail panel shows it
      expect(app.frame()).toMatch(readyState(true));
      expect(app.frame()).toMatch(readyState(false));
      expect(app.frame()).toMatch(MINER_SELECTED);
      expect(app.frame()).not.toMatch(LAUNCHER_SELECTED);
      app.store.getState().actions.select(3001);
      await tick();
      expect(app.frame()).toMatch(LAUNCHER_SELECTED);
      expect(app.frame()).not.toMatch(MINER_SELECTED);
    });
  }

  it('the ready state is not met before the miner is flagged and drawn in detail', async () => {
    const app = renderApp(incidentProcs().map((p) => (p.pid === 3002 ? { ...p, cpuPercent: 0.5 } : p)), { cols: 120, rows: 40 });
    await tick();
    expect(app.frame()).not.toMatch(readyState(true)); // its CPU is not up yet
  });
});
