// A scan of a fixture host starts no child process, whatever the format and outputs: checked from
// inside the real binary (every child_process entry point counted) and, where strace can trace here,
// from outside (no execve but the binary's own, no fork/vfork).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli';
import { incidentHost, type IncidentHost } from './fixtureHost';

const PRELOAD = join(__dirname, 'countSpawns.mjs');
let host: IncidentHost;
beforeAll(() => { host = incidentHost(); mkdirSync(join(host.dir, 'tf')); });
afterAll(() => host?.remove());

function counted(args: string[], script = [BIN, ...args]): { status: number | null; calls: string[]; stderr: string } {
  const log = join(host.dir, `spawns-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, ['--import', PRELOAD, ...script], { env: { ...process.env, MW_SPAWN_LOG: log }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, calls: JSON.parse(readFileSync(log, 'utf8')), stderr: r.stderr };
}

const straceWorks = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true'], { stdio: 'ignore' }).status === 0;

/** Under strace: execve calls, and processes created (fork, vfork, clone without CLONE_THREAD). */
function traced(script: string[], expectStatus: number): { execs: number; children: number } {
  const out = join(host.dir, `strace-${Math.random().toString(36).slice(2)}`);
  const s = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve,execveat,fork,vfork,clone,clone3', '-o', out, process.execPath, ...script], { encoding: 'utf8', timeout: 60_000 });
  expect(s.status).toBe(expectStatus);
  const lines = readFileSync(out, 'utf8').split('\n');
  return {
    // a child's PATH search makes several execve attempts: count the processes that exec'd
    execs: new Set(lines.filter((l) => /\bexecve(at)?\(/.test(l)).map((l) => l.split(' ')[0])).size,
    children: lines.filter((l) => /\b(fork|vfork)\(/.test(l) || (/\bclone3?\(/.test(l) && !l.includes('CLONE_THREAD'))).length,
  };
}

const FORMATS: [string, string[]][] = [
  ['text', []],
  ['json', ['--json', '--all']],
  ['ecs', ['--format', 'ecs']],
  ['prometheus', ['--format', 'prometheus']],
  ['ecs to a file and a textfile', ['--format', 'ecs', '--output', 'OUT', '--textfile-dir', 'TF']],
];

describe('a fixture scan spawns nothing', () => {
  it('the counter does count (control: a script that runs `true`)', () => {
    const r = counted([], ['-e', "require('node:child_process').execFileSync('true'); import('node:child_process').then((m) => m.spawnSync('true'))"]);
    expect(r.calls).toEqual(['execFileSync true', 'spawnSync true']);
  });

  it.runIf(straceWorks)('strace sees children (control: the same script)', () => {
    expect(traced(['-e', "require('node:child_process').execFileSync('true')"], 0)).toEqual({ execs: 2, children: 1 });
  });

  for (const [name, flags] of FORMATS) {
    it(`--format ${name}`, () => {
      const args = ['scan', ...flags.map((f) => f === 'OUT' ? join(host.dir, 'out.ndjson') : f === 'TF' ? join(host.dir, 'tf') : f), ...host.scanArgs];
      const r = counted(args);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      expect(r.calls).toEqual([]);
      if (straceWorks) expect(traced([BIN, ...args], 1)).toEqual({ execs: 1, children: 0 }); // its own execve only
    });
  }
});
