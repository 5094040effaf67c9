// Start-up patches of the libraries under Ink (scripts/ink/patches.mjs) that are not about text: the
// bundle must keep each library's behaviour while loading less.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe("signal-exit as the build bundles it", () => {
  it("does not load Node's assert module, and still refuses a handler that is not a function", async () => {
    const { build } = await import('esbuild');
    // @ts-expect-error: a plain .mjs build module without types
    const { inkPatches } = await import('../../scripts/ink/patches.mjs');
    const out = await build({
      stdin: { contents: "module.exports = require('signal-exit');", resolveDir: process.cwd(), loader: 'js' },
      bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node20', plugins: [inkPatches],
    });
    const code = out.outputFiles[0].text;
    expect(code).not.toMatch(/require\(["'](node:)?assert["']\)/);
    const dir = mkdtempSync(join(tmpdir(), 'mw-sigexit-'));
    try {
      writeFileSync(join(dir, 'signal-exit.cjs'), code);
      const onExit = createRequire(import.meta.url)(join(dir, 'signal-exit.cjs')) as (cb: unknown) => () => void;
      expect(() => onExit(42)).toThrow(/a callback must be provided for exit handler/);
      const remove = onExit(() => undefined);
      expect(typeof remove).toBe('function');
      remove();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
