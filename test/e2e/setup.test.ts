// The dashboard refuses a broken set-up before it takes the screen: exit status 2 and the reason, as
// `scan` does. A unit test per case, and the real binary in a pty for the exit path.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupProblem } from '../../src/cli/setupCheck';
import { startMinewatch } from '../helpers/cli';

let dir: string;
let proc: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mw-setup-'));
  proc = join(dir, 'proc');
  mkdirSync(join(proc, '1'), { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ok = () => ({ procRoot: proc, root: dir, evidenceDir: join(dir, 'evidence'), readonly: false });

describe('setupProblem', () => {
  it('accepts a proc tree with processes, a root directory and an evidence dir that can be created', () => {
    expect(setupProblem(ok())).toBeNull();
  });

  it('refuses a missing --proc, a --proc without processes, and a --root that is not a directory', () => {
    expect(setupProblem({ ...ok(), procRoot: '/nonexistent-proc' })).toMatch(/cannot list \/nonexistent-proc \(--proc\): ENOENT/);
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(setupProblem({ ...ok(), procRoot: empty })).toMatch(/lists no process/);
    expect(setupProblem({ ...ok(), root: join(dir, 'nope') })).toMatch(/\(--root\) is not a directory/);
  });

  it('refuses an evidence dir that is shared (not 0700) or on /proc; read-only needs none', () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared, { recursive: true });
    chmodSync(shared, 0o755);
    expect(setupProblem({ ...ok(), evidenceDir: shared })).toMatch(/evidence directory .* cannot be used: .*0700/);
    expect(setupProblem({ ...ok(), evidenceDir: '/proc/self/evidence' })).toMatch(/evidence directory .* cannot be (used|created)/);
    expect(setupProblem({ ...ok(), evidenceDir: shared, readonly: true })).toBeNull();
  });

  it.runIf(process.getuid?.() !== 0)('refuses an evidence dir under a parent it cannot write (not root)', () => {
    expect(setupProblem({ ...ok(), evidenceDir: '/etc/minewatch-evidence' })).toMatch(/is not writable/);
  });
});

describe('the dashboard in a pty', () => {
  for (const [what, args, message] of [
    ['a missing --proc', ['--proc', '/nonexistent-proc'], /cannot list \/nonexistent-proc \(--proc\)/],
    ['a --root that does not exist', ['--proc', '/proc', '--root', '/nonexistent-root'], /\/nonexistent-root \(--root\) is not a directory/],
    ['an evidence dir on /proc', ['--evidence-dir', '/proc/self/x'], /evidence directory \/proc\/self\/x cannot be/],
  ] as const) {
    it(`exits 2 with the reason on ${what}, without taking the screen`, async () => {
      const s = startMinewatch([...args], { cols: 100, rows: 30 });
      expect(await s.waitForExit(10_000)).toBe(2);
      await s.flush();
      expect(s.raw()).toMatch(message);
      expect(s.raw()).not.toContain('\x1b[?1049h'); // the alternate screen was never entered
    }, 20_000);
  }
});
