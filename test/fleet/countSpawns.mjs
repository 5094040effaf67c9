// Preloaded with `node --import` into the real binary: records every child process it starts, through
// any child_process function (named ESM imports included: the builtin's exports are re-synced) or the
// ChildProcess class underneath them, and writes the list to $MW_SPAWN_LOG at exit.
import cp from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const calls = [];
for (const fn of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  const orig = cp[fn];
  cp[fn] = function (...args) { calls.push(`${fn} ${String(args[0])}`); return orig.apply(this, args); };
}
const protoSpawn = cp.ChildProcess.prototype.spawn;
cp.ChildProcess.prototype.spawn = function (opts) { calls.push(`ChildProcess#spawn ${opts?.file}`); return protoSpawn.call(this, opts); };
syncBuiltinESMExports();
process.on('exit', () => writeFileSync(process.env.MW_SPAWN_LOG, JSON.stringify(calls)));
