// The executable hasher on a fixture /proc: one read per (dev, inode, size, mtime), a re-read when the
// file changes, nothing for a reused PID, a FIFO or an oversized file.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExeHasher } from '../../src/procfs/exeHash';
import { ProcTree } from '../../src/procfs/fake';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('ExeHasher', () => {
  it('reads each distinct executable once, and again once it changes', () => {
    tree = new ProcTree();
    const bin = join(tree.base, 'xmrig');
    writeFileSync(bin, Buffer.alloc(300_000, 7));
    for (const pid of [100, 101, 102]) tree.add({ pid, comm: 'xmrig', exe: bin, startTicks: 5000 + pid });
    const h = new ExeHasher(tree.proc);
    for (const pid of [100, 101, 102]) expect(h.hash(pid, 5000 + pid)).toMatchObject({ ok: true, sha256: sha(Buffer.alloc(300_000, 7)) });
    expect(h.reads).toBe(1);
    writeFileSync(bin, 'changed');
    utimesSync(bin, new Date(), new Date(Date.now() + 5000));
    expect(h.hash(100, 5100)).toMatchObject({ ok: true, sha256: sha('changed'), cached: false });
    expect(h.reads).toBe(2);
  });

  it('discards the hash when the PID now belongs to another process', () => {
    tree = new ProcTree();
    const bin = join(tree.base, 'a.out');
    writeFileSync(bin, 'x');
    tree.add({ pid: 200, comm: 'a.out', exe: bin, startTicks: 7000 });
    expect(new ExeHasher(tree.proc).hash(200, 6999)).toEqual({ ok: false, reason: 'process exited or PID reused' });
  });

  it('never blocks on a FIFO, refuses oversized files, reports a missing one', () => {
    tree = new ProcTree();
    mkdirSync(join(tree.base, 'd'));
    const fifo = join(tree.base, 'd', 'fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(tree.base, 'big');
    writeFileSync(big, Buffer.alloc(2048));
    tree.add({ pid: 300, comm: 'f', exe: fifo, startTicks: 1 });
    tree.add({ pid: 301, comm: 'b', exe: big, startTicks: 1 });
    tree.add({ pid: 302, comm: 'g', exe: join(tree.base, 'gone'), startTicks: 1 });
    const h = new ExeHasher(tree.proc, 1024);
    expect(h.hash(300, 1)).toEqual({ ok: false, reason: 'not a regular file' });
    expect(h.hash(301, 1)).toEqual({ ok: false, reason: 'larger than 1024 bytes' });
    expect(h.hash(302, 1)).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot open/) });
  });
});
