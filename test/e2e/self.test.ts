// minewatch never flags itself: run from a checkout in a hidden directory under /tmp (where H10/H11
// would flag any other program), its own process is set aside by PID and executable, while another
// node process running a script from the same directory is still flagged.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { BIN, TARGET } from '../helpers/cli';

const work = mkdtempSync(join(tmpdir(), 'mw-self-'));
const checkout = join(work, '.checkout');
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('scan run from a hidden checkout under /tmp does not flag itself, and still flags a look-alike', async () => {
  mkdirSync(checkout);
  const bin = join(checkout, basename(BIN)); // minewatch.js, or the single executable
  copyFileSync(BIN, bin);
  chmodSync(bin, 0o755);
  const idle = join(checkout, 'idle.js');
  writeFileSync(idle, 'setTimeout(() => {}, 30000);\n');
  const lookalike = spawn(process.execPath, [idle], { cwd: checkout, stdio: 'ignore' });
  try {
    const copy = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const args = ['scan', '--json', '--sample', '0'];
      const c = TARGET === 'binary'
        ? spawn(bin, args, { cwd: checkout, stdio: ['ignore', 'pipe', 'inherit'] })
        : spawn(process.execPath, [bin, ...args], { cwd: checkout, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout!.on('data', (d) => { out += d; });
      c.on('error', reject);
      c.on('close', (code) => resolve({ code, stdout: out }));
    });
    expect(copy.code).toBe(1); // the look-alike is flagged
    const report = JSON.parse(copy.stdout) as { processes: { pid: number; cmdline: string[]; findings: { id: string }[] }[] };
    const listed = (needle: string) => report.processes.filter((p) => p.cmdline.some((a) => a.includes(needle)));
    expect(listed(bin)).toEqual([]);
    const other = listed(idle);
    expect(other.map((p) => p.pid)).toEqual([lookalike.pid]);
    expect(other[0].findings.map((f) => f.id)).toContain('H10');
  } finally {
    lookalike.kill('SIGKILL'); // our own child
  }
}, 30_000);
