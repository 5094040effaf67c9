import { describe, expect, it } from 'vitest';
import { heading, line, lineText, toText, wrapContent } from '../../src/text/content';

describe('typed content lines', () => {
  it('spells a line out with its indentation and its label in a fixed column', () => {
    expect(lineText(line('3  user-crontab x', { severity: 'high', label: 'HIGH' }))).toBe('HIGH     3  user-crontab x');
    expect(lineText(line('user  abc', { indent: 2 }))).toBe('  user  abc');
    expect(toText([heading('Identity'), line('')])).toEqual(['Identity', '']);
  });

  it('wraps to the width: continuation lines indent two more, keep severity and tone, drop the label', () => {
    const l = line('one two three four five six seven eight', { indent: 2, severity: 'critical', label: 'CRITICAL', tone: 'warn' });
    const out = wrapContent([l], 30);
    expect(out.length).toBeGreaterThan(1);
    expect(out[0]).toMatchObject({ label: 'CRITICAL', severity: 'critical', indent: 2 });
    expect(out[1]).toMatchObject({ severity: 'critical', tone: 'warn', indent: 4 });
    expect(out[1].label).toBeUndefined();
    for (const x of out) expect(lineText(x).length).toBeLessThanOrEqual(30);
    expect(out.map((x) => x.text).join(' ')).toBe(l.text);
  });

  it('leaves lines that fit as they are (same object)', () => {
    const l = line('short');
    expect(wrapContent([l], 20)[0]).toBe(l);
  });
});
