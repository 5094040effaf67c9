// Pool connections of processes in other network namespaces (containers): their /proc/PID/net/tcp is read
// once per namespace and attributed like the host's; loopback proxies count on strong ports; a socket no
// process holds is reported.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { POOL_PORTS, STRONG_POOL_PORTS } from '../../src/detect/poolPorts';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
function line(local: string, remote: string, inode: number): string {
  return `   0: ${local} ${remote} 01 00000000:00000000 00:00000000 00000000  1001        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
}
function ns(t: ProcTree, pid: number, inode: number): void {
  mkdirSync(join(t.proc, String(pid), 'ns'), { recursive: true });
  symlinkSync(`net:[${inode}]`, join(t.proc, String(pid), 'ns', 'net'));
}
function socket(t: ProcTree, pid: number, inode: number): void {
  mkdirSync(join(t.proc, String(pid), 'fd'), { recursive: true });
  symlinkSync(`socket:[${inode}]`, join(t.proc, String(pid), 'fd', '7'));
}

/**
 * A fixture host: this process in the host's network namespace, and `pid` in namespace `netns` holding
 * socket `inode`, which its own table shows connected to 203.0.113.9:3333 (a pool port).
 */
function containerWorker(pid: number, netns: number, inode: number, extra: { utime?: number } = {}) {
  tree = new ProcTree().withBaseSystem();
  tree.add({ pid: process.pid, comm: 'node', uid: 0, cmdline: ['node'], exe: '/usr/bin/node' });
  ns(tree, process.pid, 4026531840);
  const worker = { pid, comm: 'worker', uid: 1001, cmdline: ['./worker'], exe: '/srv/worker', ...extra };
  tree.add(worker);
  ns(tree, pid, netns);
  socket(tree, pid, inode);
  tree.procFile('net/tcp', HEADER);
  tree.procFile('net/sockstat', 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
  tree.procFile(`${pid}/net/tcp`, HEADER + line('020011AC:9C40', '097100CB:0D05', inode));
  return worker;
}

describe('connections beyond the host table', () => {
  it('reads another network namespace through one of its processes and attributes its pool connection', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: process.pid, comm: 'node', uid: 0, cmdline: ['node'], exe: '/usr/bin/node' });
    ns(tree, process.pid, 4026531840);
    tree.add({ pid: 700, comm: 'worker', uid: 1001, cmdline: ['./worker'], exe: '/srv/worker' });
    tree.add({ pid: 701, comm: 'sh', uid: 1001, cmdline: ['sh'], exe: '/bin/sh' });
    ns(tree, 700, 4026532999);
    ns(tree, 701, 4026532999);
    socket(tree, 700, 555);
    tree.procFile('net/tcp', HEADER);
    tree.procFile('net/sockstat', 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
    // 172.17.0.2:40000 -> 203.0.113.9:3333, in the container's own table (read through PID 700 or 701)
    tree.procFile('700/net/tcp', HEADER + line('020011AC:9C40', '097100CB:0D05', 555));
    tree.procFile('701/net/tcp', HEADER + line('020011AC:9C40', '097100CB:0D05', 555));
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS });
    const s = r.sample();
    expect(s.connections.get(700)?.map((c) => `${c.remoteAddress}:${c.remotePort}`)).toEqual(['203.0.113.9:3333']);
  });

  it('a loopback connection counts on a miner-only port, not on an everyday one; an ownerless one is a warning', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 710, comm: 'worker', uid: 1001, cmdline: ['./worker'], exe: '/srv/worker' });
    socket(tree, 710, 600);
    tree.procFile('net/tcp', HEADER
      + line('0100007F:9C40', '0100007F:0D05', 600)    // 127.0.0.1 -> 127.0.0.1:3333 (stratum proxy)
      + line('0100007F:9C41', '0100007F:1F90', 601)    // -> 127.0.0.1:8080: everyday
      + line('0100007F:9C42', '0100007F:3840', 602));  // -> 127.0.0.1:14400... no owner
    tree.procFile('net/sockstat', 'TCP: inuse 3 orphan 0 tw 0 alloc 3 mem 0\n');
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: new Set([...POOL_PORTS, 14400]), loopbackPorts: new Set([...STRONG_POOL_PORTS, 14400]) });
    const s = r.sample();
    expect(s.connections.get(710)?.map((c) => c.remotePort)).toEqual([3333]);
    expect(s.warnings.join('\n')).toMatch(/127\.0\.0\.1:14400 .*belongs to no process/);
  });

  it('looks a namespace up again only for a process that ran since the last lookup', () => {
    const worker = containerWorker(720, 4026531840, 777, { utime: 5 }); // in the host's namespace at first
    let now = 1_000_000;
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, now: () => now });
    expect(r.sample().connections.get(720)).toBeUndefined();
    // it enters another namespace (as a fixture tree allows without running): a process that has not
    // run cannot have done that, so its namespace is not looked up again
    rmSync(join(tree.proc, '720', 'ns', 'net'));
    symlinkSync('net:[4026532999]', join(tree.proc, '720', 'ns', 'net'));
    now += 40_000;
    expect(r.sample().connections.get(720)).toBeUndefined();
    // once it ran, the next refresh looks again and finds the connection in its namespace
    tree.setCpu(worker, 50);
    now += 40_000;
    expect(r.sample().connections.get(720)?.map((c) => c.remotePort)).toEqual([3333]);
  });

  it('a scan looks every namespace up inside its CPU window: the sample that closes it looks up none again', () => {
    containerWorker(730, 4026532999, 888);
    let now = 1_000_000;
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, now: () => now });
    const first = r.sample({ statOnly: true });
    r.readIdentities();
    r.prefetchNamespaces(first);
    // a lookup from now on would find no namespace at all: the closing sample uses the window's
    rmSync(join(tree.proc, '730', 'ns'), { recursive: true });
    now += 1_000;
    expect(r.sample().connections.get(730)?.map((c) => `${c.remoteAddress}:${c.remotePort}`)).toEqual(['203.0.113.9:3333']);
  });
});

describe('when the TCP tables are read again (each read walks the kernel\'s whole connection hash)', () => {
  function host(): { r: ProcReader; advance: (ms: number) => void } {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 740, comm: 'worker', uid: 1001, cmdline: ['./worker'], exe: '/srv/worker' });
    socket(tree, 740, 901);
    tree.procFile('net/tcp', HEADER);
    tree.procFile('net/sockstat', 'TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0\n');
    let now = 1_000_000;
    const r = new ProcReader({ procRoot: tree.proc, root: tree.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS, now: () => now });
    expect(r.sample().connections.get(740)).toBeUndefined();
    return { r, advance: (ms) => { now += ms; } };
  }
  const pool = HEADER + line('020011AC:9C40', '097100CB:0D05', 901);

  it('moved socket counts: at most every 5 s', () => {
    const { r, advance } = host();
    tree.procFile('net/tcp', pool);
    tree.procFile('net/sockstat', 'TCP: inuse 2 orphan 0 tw 0 alloc 2 mem 0\n');
    advance(1_000);
    expect(r.sample().connections.get(740)).toBeUndefined();
    advance(4_000);
    expect(r.sample().connections.get(740)?.map((c) => c.remotePort)).toEqual([3333]);
  });

  it('unchanged counts (a connection that replaced another): every 30 s', () => {
    const { r, advance } = host();
    tree.procFile('net/tcp', pool);
    advance(29_000);
    expect(r.sample().connections.get(740)).toBeUndefined();
    advance(1_000);
    expect(r.sample().connections.get(740)?.map((c) => c.remotePort)).toEqual([3333]);
  });
});
