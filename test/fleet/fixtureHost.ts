// The incident fixture host of scripts/screenshot-fixture.ts (user abc's `./sshd` launcher, its
// `rcu-sched` miner, abc's crontab line) in a fresh temp directory per test file, with a machine-id.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixture, CRON_LINE, LAUNCHER_PID, MINER_PID, type FixtureHost } from '../../scripts/screenshot-fixture';

export { CRON_LINE, LAUNCHER_PID, MINER_PID };
export const MACHINE_ID = '4f1c2e7a9b8d4c3e8f7a6b5c4d3e2f10';

export interface IncidentHost extends FixtureHost { dir: string; scanArgs: string[]; remove(): void }

export function incidentHost(): IncidentHost {
  const dir = mkdtempSync(join(tmpdir(), 'mw-fleet-'));
  const f = createFixture(join(dir, 'host'));
  writeFileSync(join(f.root, 'etc/machine-id'), MACHINE_ID + '\n');
  return Object.assign(f, {
    dir,
    scanArgs: ['--proc', f.proc, '--root', f.root, '--sample', '0'],
    remove() { f.cleanup(); rmSync(dir, { recursive: true, force: true }); },
  });
}
