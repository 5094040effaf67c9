// A sample taken in slices (the dashboard's, with turns of the event loop between them) reads what one
// taken in one go reads: the same processes, CPU figures and connections, with turns handed out while it runs.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { POOL_PORTS, STRONG_POOL_PORTS } from '../../src/detect/poolPorts';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';
import { Slicer } from '../../src/slicer';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const POOL_LINE = '   0: 020011AC:9C40 097100CB:0D05 01 00000000:00000000 00:00000000 00000000  1001        0 555 1 0000000000000000 20 4 30 10 -1\n';
function link(t: ProcTree, pid: number, rel: string, target: string): void {
  mkdirSync(join(t.proc, String(pid), rel, '..'), { recursive: true });
  symlinkSync(target, join(t.proc, String(pid), rel));
}

describe('ProcReader.sampleSliced', () => {
  it('reads the same table as sample(), turning the event loop between slices', async () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: process.pid, comm: 'node', uid: 0, cmdline: ['node'], exe: '/usr/bin/node' });
    link(tree, process.pid, 'ns/net', 'net:[4026531840]');
    const workers = [];
    for (let i = 0; i < 150; i++) {
      const w = { pid: 3000 + i, comm: `w${i}`, ppid: 1, uid: 1001, cmdline: [`./w${i}`], exe: `/srv/w${i}`, startTicks: 50 + i, utime: i };
      tree.add(w);
      workers.push(w);
    }
    // a container's process holding a pool connection in its own network namespace
    link(tree, 3007, 'ns/net', 'net:[4026532999]');
    link(tree, 3007, 'fd/7', 'socket:[555]');
    tree.procFile('net/tcp', HEADER);
    tree.procFile('net/sockstat', 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
    tree.procFile('3007/net/tcp', HEADER + POOL_LINE);
    let now = 1_000_000;
    const opts = { procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, now: () => now };
    const whole = new ProcReader(opts);
    const sliced = new ProcReader(opts);
    let turns = 0;
    const turn = () => { turns++; return new Promise<void>((r) => setImmediate(r)); };
    const a1 = whole.sample();
    const b1 = await sliced.sampleSliced(turn, 0);
    expect(turns).toBeGreaterThan(150);
    // a second sample a second later, after some of them ran: CPU % against the first
    now += 1000;
    for (const w of workers.slice(0, 20)) tree.setCpu(w, w.utime + 50);
    const a2 = whole.sample();
    const b2 = await sliced.sampleSliced(turn, 0);
    for (const [a, b] of [[a1, b1], [a2, b2]]) {
      expect([...b.processes.entries()]).toEqual([...a.processes.entries()]);
      expect([...b.connections.entries()]).toEqual([...a.connections.entries()]);
      expect(b.warnings).toEqual(a.warnings);
    }
    expect(b2.processes.get(3000)!.cpuPercent).toBeGreaterThan(0);
    expect(b2.connections.get(3007)?.map((c) => c.remotePort)).toEqual([3333]);
  });
});

describe('Slicer', () => {
  it('says a slice is over once its time has run, reading the clock every 16th check', async () => {
    const s = new Slicer(5);
    let checks = 0;
    const start = performance.now();
    while (!s.due()) checks++;
    expect(performance.now() - start).toBeGreaterThanOrEqual(5);
    expect((checks + 1) % 16).toBe(0);
    s.restart();
    expect(s.due()).toBe(false);
    expect(new Slicer(0).due()).toBe(true);
    expect(new Slicer(Infinity).due()).toBe(false);
  });
});
