// The store sits below the app: it owns the types it needs and imports nothing from src/app/. Views
// select narrowly: no component subscribes to the whole state, so a tick redraws only what changed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const files = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => /\.tsx?$/.test(f)).map((f) => join(dir, f));

describe('store layering', () => {
  it('no module of src/store imports from src/app', () => {
    for (const f of files('src/store')) {
      const imports = [...readFileSync(join(ROOT, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(imports.filter((i) => /(^|\/)app\//.test(i)), f).toEqual([]);
    }
  });

  it('no component selects the whole state', () => {
    for (const f of files('components')) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      expect(text, f).not.toMatch(/useAppStore\(\s*\(?\s*(\w+)\s*\)?\s*=>\s*\1\s*\)/);
      expect(text, f).not.toMatch(/useStore\(\s*\w+\s*\)/);
    }
  });

  it('no view parses severity words back out of text', () => {
    for (const f of files('components')) expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/CRITICAL\|HIGH/);
  });
});
