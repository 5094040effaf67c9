// The dashboard's own nice value: lowered to DASHBOARD_NICE when it is higher and permitted, never raised,
// and nothing else touched. (The live check, as root and with --no-renice, is in test/e2e/dashboard.test.ts.)
import { describe, expect, it } from 'vitest';
import { DASHBOARD_NICE, raisePriority, type PriorityApi } from '../../src/cli/priority';

function fake(start: number, permitted = true): PriorityApi & { sets: number[] } {
  let nice = start;
  const sets: number[] = [];
  return {
    sets,
    get: () => nice,
    set: (n) => {
      if (!permitted && n < nice) throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      sets.push(n);
      nice = n;
    },
  };
}

describe('raisePriority', () => {
  it('takes the dashboard nice value from the default', () => {
    const api = fake(0);
    expect(raisePriority(DASHBOARD_NICE, api)).toEqual({ from: 0, to: DASHBOARD_NICE });
    expect(api.sets).toEqual([DASHBOARD_NICE]);
    expect(DASHBOARD_NICE).toBeLessThan(0);
    expect(DASHBOARD_NICE).toBeGreaterThanOrEqual(-10); // a little ahead of the burners, not above the kernel's own work
  });

  it('never lowers a priority it was started with (nice -10 stays -10)', () => {
    const api = fake(-10);
    expect(raisePriority(DASHBOARD_NICE, api)).toBeNull();
    expect(api.sets).toEqual([]);
  });

  it('an ordinary user may not: nothing changes and nothing is thrown', () => {
    const api = fake(0, false);
    expect(raisePriority(DASHBOARD_NICE, api)).toBeNull();
    expect(api.get()).toBe(0);
  });
});
