// A dashboard whose main thread is stuck still gives the terminal back: the watchdog thread leaves
// the alternate screen and ends the process. Run in a child (it is killed by design).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WATCHDOG = path.join(import.meta.dirname, '..', '..', 'src', 'cli', 'watchdog.ts');

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

describe('dashboard watchdog', { timeout: 40_000 }, () => {
  it('restores the terminal and ends a process whose main thread is stuck', async () => {
    const r = await run(
      `import { startWatchdog } from ${JSON.stringify(WATCHDOG)};
       const w = startWatchdog({ stallMs: 600 });
       setInterval(() => {}, 1000); // the watchdog thread is unref'd: keep this loop alive as the dashboard does
       await w.ready;
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
    const r = await run(
      `import { startWatchdog } from ${JSON.stringify(WATCHDOG)};
       const w = startWatchdog({ stallMs: 600 });
       setTimeout(() => { w.stop(); process.stdout.write('DONE'); }, 1500);`,
      18_000,
    );
    expect(r.stdout).toBe('DONE');
    expect(r.code).toBe(0);
  });
});
