// A dashboard whose main thread is stuck still gives the terminal back: the watchdog thread leaves
// the alternate screen and ends the process. Run in a child (it is killed by design).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WATCHDOG = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'watchdog.ts');
/** The one per-PID reader (the child below lists its own children with it). */
const PID_READERS = path.join(import.meta.dirname, '..', '..', 'src', 'procfs', 'pid.ts');

function run(code: string, timeoutMs: number): Promise<{ stdout: string; stderr: string; signal: NodeJS.Signals | null; code: number | null; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (c, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, signal, code: c, ms: Date.now() - started });
    });
  });
}

// Both watchers: the bash child the dashboard uses, and the worker thread it falls back to without bash.
describe.each(['process', 'thread'] as const)('dashboard watchdog (%s)', { timeout: 40_000 }, (kind) => {
  it('restores the terminal and ends a process whose main thread is stuck', async () => {
    const r = await run(
      `import { startWatchdog } from ${JSON.stringify(WATCHDOG)};
       const w = startWatchdog({ stallMs: 600, kind: ${JSON.stringify(kind)} });
       setInterval(() => {}, 1000); // the watcher is unref'd: keep this loop alive as the dashboard does
       if (!(await w.ready)) throw new Error('no watcher');
       (await import('node:fs')).writeSync(1, 'ENTERED\\n');
       for (;;) {}`,
      18_000,
    );
    expect(r.stdout).toContain('ENTERED');
    expect(r.stdout).toContain('\x1b[?25h\x1b[?1049l');
    expect(r.stderr).toMatch(/stopped responding .* the watchdog restored the terminal/);
    expect(r.signal).toBe('SIGKILL');
  });

  it('stays quiet while the main thread beats, and stop() ends it', async () => {
    // 5 s: a main thread that beats every 250 ms (thread) or 1 s (process) on a loaded host
    const r = await run(
      `import { startWatchdog } from ${JSON.stringify(WATCHDOG)};
       const w = startWatchdog({ stallMs: 5000, kind: ${JSON.stringify(kind)} });
       setTimeout(() => { w.stop(); process.stdout.write('DONE'); }, 6000);
       if (!(await w.ready)) throw new Error('no watcher');`,
      18_000,
    );
    expect(r.stdout).toBe('DONE');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

// A dashboard stopped by a signal (SIGSTOP, a debugger) beats no more but is not stuck: the thread
// stops with it; the bash child must wait too, and the dashboard goes on once continued.
describe.each(['process', 'thread'] as const)('dashboard watchdog (%s) and a stopped dashboard', { timeout: 40_000 }, (kind) => {
  it('leaves a dashboard stopped for longer than the stall time alone, and it goes on after SIGCONT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      `import { startWatchdog } from ${JSON.stringify(WATCHDOG)};
       const w = startWatchdog({ stallMs: 600, kind: ${JSON.stringify(kind)} });
       const alive = setInterval(() => {}, 1000);
       if (!(await w.ready)) throw new Error('no watcher');
       process.stdout.write('READY\\n');
       process.stdin.once('data', () => { w.stop(); clearInterval(alive); process.stdout.write('DONE'); process.stdin.destroy(); });`,
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      for (let i = 0; i < 300 && !stdout.includes('READY'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toContain('READY');
      process.kill(child.pid!, 'SIGSTOP'); // our own child, by its PID
      await new Promise((r) => setTimeout(r, 2500)); // four stall times
      process.kill(child.pid!, 'SIGCONT');
      await new Promise((r) => setTimeout(r, 300));
      child.stdin!.write('x');
      const end = await exited;
      expect(stderr).toBe('');
      expect(end).toEqual({ code: 0, signal: null });
      expect(stdout).toContain('DONE');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

describe('dashboard watchdog process', { timeout: 40_000 }, () => {
  it('is no thread of the dashboard, and leaves with it: a dashboard that ends without stop() leaves no watcher behind', async () => {
    const r = await run(
      `import { startWatchdog } from ${JSON.stringify(WATCHDOG)};
       import { attempt, listPids, readComm, readStat, readTaskIds } from ${JSON.stringify(PID_READERS)};
       const threads = () => readTaskIds('/proc', process.pid).length;
       const before = threads();
       const w = startWatchdog({ stallMs: 5000 });
       const alive = setInterval(() => {}, 1000);
       if (!(await w.ready)) throw new Error('no watcher');
       clearInterval(alive);
       // its child: the one process whose parent is this one and whose command is bash
       const kids = listPids('/proc').filter((pid) => attempt(() => readStat('/proc', pid))?.ppid === process.pid && attempt(() => readComm('/proc', pid)) === 'bash');
       process.stdout.write(JSON.stringify({ added: threads() - before, kids }));
       process.exit(0);`,
      18_000,
    );
    const { added, kids } = JSON.parse(r.stdout) as { added: number; kids: number[] };
    expect(added).toBe(0);
    expect(kids).toHaveLength(1);
    // the pipe closed with the dashboard: the watcher reads end of file and exits (no signal needed)
    const pid = Number(kids[0]);
    const gone = async () => { for (let i = 0; i < 100; i++) { try { process.kill(pid, 0); } catch { return true; } await new Promise((res) => setTimeout(res, 50)); } return false; };
    expect(await gone()).toBe(true);
  });
});
