// The one model of "what was launched", and the three consumers that must agree on it: detection's
// launch path, evidence capture's script, persistence linking's scripts.
import { describe, expect, it } from 'vitest';
import { launchPath } from '../../src/detect/paths';
import { parseLaunch, type Launch } from '../../src/model/launch';
import { processScripts } from '../../src/persistence/link';
import { scriptArgument } from '../../src/respond/evidence';
import { proc } from '../helpers/snapshot';

interface Row {
  argv: string[];
  exe: string | null;
  cwd?: string;
  want: Partial<Launch>;
}

const CWD = '/home/abc/work';

const TABLE: Row[] = [
  { argv: ['python3', '-W', 'ignore', 'x.py'], exe: '/usr/bin/python3.11',
    want: { family: 'python', mode: 'script', asGiven: 'x.py', path: `${CWD}/x.py`, resolvedAgainst: CWD } },
  { argv: ['python3', '-W', 'ignore', '/tmp/.x/miner.py'], exe: '/usr/bin/python3.11',
    want: { family: 'python', mode: 'script', path: '/tmp/.x/miner.py', resolvedAgainst: null } },
  { argv: ['python3', '-Wignore', '-u', 'x.py', '--flag'], exe: '/usr/bin/python3',
    want: { mode: 'script', path: `${CWD}/x.py` } },
  { argv: ['python3', '-m', 'mod', 'arg'], exe: '/usr/bin/python3', want: { mode: 'module', module: 'mod', path: null } },
  { argv: ['python3', '-uc', 'print(1)'], exe: '/usr/bin/python3', want: { mode: 'inline', inline: 'print(1)', path: null } },
  { argv: ['python3', '-'], exe: '/usr/bin/python3', want: { mode: 'stdin', path: null } },
  { argv: ['perl', '-e', 'print 1', 'x.pl'], exe: '/usr/bin/perl', want: { family: 'perl', mode: 'inline', inline: 'print 1', path: null } },
  { argv: ['perl', '-MIO::Socket', '-l', 'x.pl'], exe: '/usr/bin/perl', want: { mode: 'script', path: `${CWD}/x.pl` } },
  { argv: ['bash', '-c', 'cd /tmp && ./x'], exe: '/usr/bin/bash', want: { family: 'shell', mode: 'inline', inline: 'cd /tmp && ./x', path: null } },
  { argv: ['bash', '-lc', './x'], exe: '/usr/bin/bash', want: { mode: 'inline', inline: './x' } },
  { argv: ['sh', './x'], exe: '/usr/bin/dash', want: { family: 'shell', interpreter: 'dash', mode: 'script', asGiven: './x', path: `${CWD}/x` } },
  { argv: ['/bin/sh', '-e', './x'], exe: '/usr/bin/dash', want: { mode: 'script', path: `${CWD}/x` } },
  { argv: ['sshd', './x'], exe: '/usr/bin/dash', want: { mode: 'script', path: `${CWD}/x` } }, // exec -a sshd sh ./x
  { argv: ['-bash'], exe: '/usr/bin/bash', want: { mode: 'interactive', path: null } },
  { argv: ['env', 'VAR=1', './x'], exe: '/usr/bin/env', want: { wrappers: ['env'], mode: 'program', asGiven: './x', path: `${CWD}/x` } },
  { argv: ['env', '-C', '/srv', 'VAR=1', './x'], exe: '/usr/bin/env', want: { mode: 'program', path: '/srv/x', resolvedAgainst: '/srv' } },
  { argv: ['nohup', './x'], exe: '/usr/bin/nohup', want: { wrappers: ['nohup'], mode: 'program', path: `${CWD}/x` } },
  { argv: ['nohup', 'python3', 'x.py'], exe: '/usr/bin/nohup', want: { wrappers: ['nohup'], family: 'python', path: `${CWD}/x.py` } },
  { argv: ['timeout', '100', 'sh', 'x'], exe: '/usr/bin/timeout', want: { wrappers: ['timeout'], family: 'shell', path: `${CWD}/x` } },
  { argv: ['busybox', 'sh', 'x'], exe: '/bin/busybox', want: { family: 'shell', interpreter: 'sh', mode: 'script', path: `${CWD}/x` } },
  { argv: ['sh', 'x'], exe: '/bin/busybox', want: { family: 'shell', interpreter: 'sh', mode: 'script', path: `${CWD}/x` } },
  { argv: ['busybox', 'wget', 'http://x'], exe: '/bin/busybox', want: { family: null, mode: 'program', path: '/bin/busybox' } },
  { argv: ['node', '--inspect', 'x.js'], exe: '/usr/bin/node', want: { family: 'node', mode: 'script', path: `${CWD}/x.js` } },
  { argv: ['node', '--inspect=0.0.0.0:9229', '-r', 'ts-node/register', 'x.ts'], exe: '/usr/bin/node', want: { mode: 'script', path: `${CWD}/x.ts` } },
  { argv: ['node', '-e', 'require("x")'], exe: '/usr/bin/node', want: { mode: 'inline', path: null } },
  { argv: ['deno', 'run', '--allow-net', 'x.ts'], exe: '/home/abc/.deno/bin/deno', want: { mode: 'script', path: `${CWD}/x.ts` } },
  { argv: ['java', '-jar', 'x.jar'], exe: '/usr/lib/jvm/java-17/bin/java', want: { family: 'java', mode: 'script', asGiven: 'x.jar', path: `${CWD}/x.jar` } },
  { argv: ['java', '-Xmx1g', '-cp', 'lib/*', 'org.Main'], exe: '/usr/bin/java', want: { mode: 'module', module: 'org.Main', path: null } },
  { argv: ['ruby', '-C', '/srv/app', 'x.rb'], exe: '/usr/bin/ruby3.1', want: { family: 'ruby', path: '/srv/app/x.rb', resolvedAgainst: '/srv/app' } },
  { argv: ['php', '-d', 'memory_limit=1G', '-f', 'x.php'], exe: '/usr/bin/php8.2', want: { family: 'php', mode: 'script', path: `${CWD}/x.php` } },
  { argv: ['php', '-r', 'echo 1;'], exe: '/usr/bin/php8.2', want: { mode: 'inline', path: null } },
  { argv: ['Rscript', '--vanilla', 'fit.R'], exe: '/usr/lib/R/bin/Rscript', want: { family: 'r', path: `${CWD}/fit.R` } },
  { argv: ['julia', '-t', '8', 'sim.jl'], exe: '/opt/julia/bin/julia', want: { family: 'julia', path: `${CWD}/sim.jl` } },
  { argv: ['./sim', '--steps', '10'], exe: '/home/abc/work/sim', want: { family: null, mode: 'program', path: '/home/abc/work/sim' } },
  { argv: ['rcu-sched'], exe: '/home/abc/.x/rcu-sched', want: { family: null, mode: 'program', path: '/home/abc/.x/rcu-sched' } },
];

describe('parseLaunch', () => {
  for (const row of TABLE) {
    it(`${row.argv.join(' ')}  (exe ${row.exe})`, () => {
      const l = parseLaunch({ argv: row.argv, exe: row.exe, cwd: row.cwd ?? CWD });
      expect(l).toMatchObject(row.want);
    });
  }

  it('an unknown cwd leaves a relative script unresolved, never resolved against /', () => {
    const l = parseLaunch({ argv: ['sh', './x'], exe: '/usr/bin/dash', cwd: null });
    expect(l).toMatchObject({ mode: 'script', asGiven: './x', path: null });
  });

  it('with no exe (not root), argv[0] names the interpreter', () => {
    expect(parseLaunch({ argv: ['python3', '-W', 'ignore', 'x.py'], cwd: CWD }).path).toBe(`${CWD}/x.py`);
  });
});

describe('detection, evidence and persistence linking read the same launch', () => {
  for (const row of TABLE) {
    it(`${row.argv.join(' ')}`, () => {
      const want = parseLaunch({ argv: row.argv, exe: row.exe, cwd: CWD });
      const p = proc({ pid: 10, name: 'x', cmdline: row.argv, exe: row.exe, cwd: CWD });
      const script = want.mode === 'script' || (want.mode === 'program' && want.wrappers.length > 0) ? want.path : null;
      // detection: the file that runs is the script when there is one, else the executable
      expect(launchPath(p)?.path ?? null).toBe(script ?? row.exe);
      // evidence: the script it copies, resolved the same way
      const ev = scriptArgument(row.exe, row.argv, CWD);
      expect(ev?.path ?? null).toBe(script);
      // persistence linking: the scripts a process is matched by
      const linked = processScripts(p);
      if (script) expect(linked).toContain(script);
      else if (want.mode !== 'inline') expect(linked).toEqual([]);
    });
  }
});
