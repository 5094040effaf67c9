// The allow-list on the live process table: a program of our own, copied into a hidden directory under
// /tmp (where H10/H11 flag it), is set aside by `scan` only while the allow file names its exact hash
// and path; with another hash for that path it is flagged again, with A1.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';

const work = mkdtempSync(join(tmpdir(), 'mw-allow-e2e-'));
const hidden = join(work, '.tools');
const root = join(work, 'root');
const bin = join(hidden, 'solver');
let child: ChildProcess;

beforeAll(() => {
  chmodSync(work, 0o755);
  mkdirSync(hidden);
  copyFileSync('/bin/sleep', bin);
  chmodSync(bin, 0o755);
  mkdirSync(join(root, 'etc/minewatch'), { recursive: true });
  copyFileSync('/etc/passwd', join(root, 'etc/passwd'));
  child = spawn(bin, ['60'], { cwd: hidden, stdio: 'ignore' });
});
afterAll(() => {
  child?.kill('SIGKILL'); // our own child, by its handle
  rmSync(work, { recursive: true, force: true });
});

async function scanFor(pid: number) {
  const r = await runCli(['scan', '--json', '--sample', '0', '--root', root]);
  const report = JSON.parse(r.stdout) as { processes: { pid: number; findings: { id: string }[] }[]; warnings: string[] };
  return { listed: report.processes.find((p) => p.pid === pid), warnings: report.warnings };
}

it('sets a process aside only for the exact hash and path, and flags it again when the hash differs', async () => {
  const pid = child.pid!;
  const before = await scanFor(pid);
  expect(before.listed?.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['H10']));

  const sha = createHash('sha256').update(readFileSync(bin)).digest('hex');
  writeFileSync(join(root, 'etc/minewatch/allow'), `# lab tools\n${sha}  ${bin}  # the solver\n`, { mode: 0o644 });
  expect((await scanFor(pid)).listed).toBeUndefined();

  writeFileSync(join(root, 'etc/minewatch/allow'), `${'0'.repeat(64)}  ${bin}\n`, { mode: 0o644 });
  const changed = await scanFor(pid);
  expect(changed.listed?.findings[0].id).toBe('A1');

  chmodSync(join(root, 'etc/minewatch/allow'), 0o666);
  writeFileSync(join(root, 'etc/minewatch/allow'), `${sha}  ${bin}\n`);
  const loose = await scanFor(pid);
  expect(loose.listed).toBeDefined(); // a file others could write is not trusted
  expect(loose.warnings.join('\n')).toMatch(/allow-list not used: .*writable by group or others/);
}, 60_000);
