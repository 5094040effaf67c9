// External tools the fleet tests check against (promtool, systemd-analyze, ansible-playbook). On a
// developer's machine a missing tool skips its test; CI (.ci/run sets MINEWATCH_REQUIRE_TOOLS=1 after
// installing them) fails instead, so a check can never silently stop running there.
import { spawnSync } from 'node:child_process';

export function haveTool(cmd: string, args: string[] = ['--version']): boolean {
  const ok = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
  if (!ok && process.env.MINEWATCH_REQUIRE_TOOLS === '1') {
    throw new Error(`${cmd} is required here (MINEWATCH_REQUIRE_TOOLS=1) but does not run: .ci/run should have installed it`);
  }
  return ok;
}
