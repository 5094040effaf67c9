// A --proc tree is whatever a user made: a symlink planted as /proc/N/cmdline (or status, environ,
// cgroup, stat) must not show another file's bytes as that process's facts. Every /proc read opens with
// O_NOFOLLOW (src/procfs/files.ts); the exe/cwd links are read as links, never followed for content.
import { symlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectQuick, formatInspect } from '../../src/inspect/index';
import { ProcTree } from '../../src/procfs/fake';
import { readCmdline, readEnviron, readStatus } from '../../src/procfs/pid';
import { ProcReader } from '../../src/procfs/reader';

const SECRET = 'root:$6$SECRETHASH$abcdefghijklmnop:19000:0:99999:7:::';
let tree: ProcTree;
afterEach(() => tree?.cleanup());

function plant(t: ProcTree, pid: number, name: string, target: string): void {
  const p = join(t.proc, String(pid), name);
  rmSync(p, { force: true });
  symlinkSync(target, p);
}

describe('symlinks planted in a --proc tree', () => {
  it('are refused, never read through', () => {
    tree = new ProcTree().withBaseSystem();
    const secret = join(tree.base, 'shadow');
    writeFileSync(secret, `${SECRET}\n`);
    tree.add({ pid: 600, comm: 'victim', uid: 1001, cmdline: ['./victim'], exe: '/home/abc/victim' });
    for (const f of ['cmdline', 'status', 'environ', 'cgroup', 'maps']) plant(tree, 600, f, secret);
    expect(() => readCmdline(tree.proc, 600)).toThrow(/ELOOP/);
    expect(() => readStatus(tree.proc, 600)).toThrow(/ELOOP/);
    expect(() => readEnviron(tree.proc, 600)).toThrow(/ELOOP/);

    const p = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample().processes.get(600)!;
    expect(JSON.stringify(p)).not.toContain('SECRETHASH');
    expect(p).toMatchObject({ cmdline: [], uid: null, cgroup: null, preloadEnv: null });

    const out = formatInspect(inspectQuick(600, { procRoot: tree.proc, root: tree.root })).join('\n');
    expect(out).toMatch(/Process 600/);
    expect(out).not.toContain('SECRETHASH');
  });

  it('a symlinked stat leaves the process out instead of parsing another file', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 601, comm: 'real', uid: 1001 });
    tree.add({ pid: 602, comm: 'fake', uid: 1001 });
    plant(tree, 602, 'stat', join(tree.proc, '601', 'stat'));
    const s = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    expect(s.processes.has(601)).toBe(true);
    expect(s.processes.has(602)).toBe(false);
  });
});
