import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_BINDINGS } from '../../src/app/keymap';
import { RULES } from '../../src/detect/index';
import { regenerate } from '../../src/docs/readmeSections';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists every key and every finding exactly as the code defines them (run npm run docs)', () => {
    expect(regenerate(readme)).toBe(readme);
  });

  it('names each binding and rule (guards the generator itself)', () => {
    for (const b of ALL_BINDINGS) expect(readme).toContain(b.help.replace(/\|/g, '\\|'));
    for (const r of RULES) expect(readme).toContain(`| ${r.id} | ${r.title}`);
  });

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
