// The build-time patches to Yoga and Ink (scripts/build.mjs) that start-up and the single executable
// depend on: Yoga's WebAssembly is instantiated synchronously from the bundle, never through fetch() of
// its own data: URI (which would load undici at start-up), and nothing in the bundle awaits at its top
// level, so it can also be built as CommonJS for the Node single-executable application.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCRIPT } from '../helpers/cli';
import { startPty, type PtySession } from '../helpers/pty';

let session: PtySession | null = null;
afterEach(() => { session?.kill('SIGKILL'); session = null; });

describe('the bundle (dist/minewatch.js)', () => {
  const bundle = readFileSync(SCRIPT, 'utf8');

  it('carries Yoga\'s WebAssembly as base64 for a synchronous instance, with no data: URI to fetch', () => {
    expect(bundle).toContain('YOGA_WASM_BASE64');
    expect(bundle).toContain('new WebAssembly.Instance(');
    expect(bundle).not.toMatch(/data:application\/octet-stream;base64,[A-Za-z0-9+/]{100}/);
  });

  it('draws the dashboard\'s first frame with fetch() poisoned', async () => {
    const poison = join(__dirname, '..', 'fixtures', 'poison-fetch.mjs');
    session = startPty(process.execPath, ['--import', poison, SCRIPT, '--interval', '500'], { cols: 100, rows: 30 });
    await session.waitForText('minewatch ·', 15_000);
    session.write('q');
    expect(await session.waitForExit(10_000)).toBe(0);
    expect(session.raw()).not.toContain('fetch() was called');
  }, 30_000);
});
