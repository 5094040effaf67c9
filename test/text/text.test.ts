import { describe, expect, it } from 'vitest';
import { clip, formatCmdline, sanitize } from '../../src/text/sanitize';
import { wrap, wrapLines } from '../../src/text/wrap';

describe('sanitize', () => {
  it('makes every control character visible', () => {
    expect(sanitize('x\x1b[31mRED\x1b[2J')).toBe('x\\x1b[31mRED\\x1b[2J');
    expect(sanitize('a\nb\rc\td\x00e\x7f\u009b')).toBe('a\\nb\\rc\\td\\x00e\\x7f\\x9b');
    expect(sanitize('\x1b]8;;http://evil\x07link')).toBe('\\x1b]8;;http://evil\\x07link');
    expect(sanitize('abc\u202edcba')).toBe('abc\\u202edcba'); // bidi override
    expect(sanitize('plain ünïcode ✓')).toBe('plain ünïcode ✓');
  });

  it('clips after sanitizing, so an escape cannot be cut in half into a live one', () => {
    const c = clip('\x1b[2J\x1b[2J', 6);
    expect(c).not.toContain('\x1b');
    expect(c).toBe('\\x1b[…');
    expect(clip('short', 10)).toBe('short');
  });

  it('quotes arguments with spaces and escapes each one', () => {
    expect(formatCmdline(['sh', '-c', 'echo hi\nrm x'])).toBe('sh -c "echo hi\\nrm x"');
    expect(formatCmdline(['./rcu-sched', ''])).toBe('./rcu-sched ""');
  });
});

describe('wrap', () => {
  it('breaks at spaces, keeps inner spacing, splits long words', () => {
    expect(wrap('C6  +2  Very frequent schedule', 12)).toEqual(['C6  +2  Very', 'frequent', 'schedule']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('', 10)).toEqual([]);
  });

  it('keeps indentation on continuation lines', () => {
    expect(wrapLines(['    one two three four'], 20)).toEqual(['    one two three', '      four']);
    expect(wrapLines(['short'], 14)).toEqual(['short']);
  });
});
