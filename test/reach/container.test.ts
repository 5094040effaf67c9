// Container labels from cgroup paths and PID namespaces, the filter, and rules inside and outside.
import { symlinkSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContainerIndex, containerFromCgroup, matchesContainer } from '../../src/procfs/container';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';
import { Detector } from '../../src/detect/index';

const ID = '3f2a9c1b7e0d' + 'a'.repeat(52);
const POD = '1a2b3c4d-1111-2222-3333-444455556666';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

describe('containers from cgroup paths', () => {
  const cases: [string, string, string][] = [
    [`/system.slice/docker-${ID}.scope`, 'docker', 'docker:3f2a9c1b7e0d'],
    [`/docker/${ID}`, 'docker', 'docker:3f2a9c1b7e0d'],
    [`/machine.slice/libpod-${ID}.scope/container`, 'podman', 'podman:3f2a9c1b7e0d'],
    [`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`, 'podman', 'podman:3f2a9c1b7e0d'],
    [`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope`, 'kubernetes', 'k8s:1a2b3c4d/3f2a9c1b'],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD.replace(/-/g, '_')}.slice/crio-${ID}.scope`, 'kubernetes', 'k8s:1a2b3c4d/3f2a9c1b'],
    [`/kubepods/burstable/pod${POD}/${ID}`, 'kubernetes', 'k8s:1a2b3c4d/3f2a9c1b'],
    [`/system.slice/crio-${ID}.scope`, 'cri-o', 'crio:3f2a9c1b7e0d'],
    [`/system.slice/containerd.service/default/${ID}`, 'containerd', 'ctrd:3f2a9c1b7e0d'],
    [`/default/${ID}`, 'containerd', 'ctrd:3f2a9c1b7e0d'],
    ['/machine.slice/systemd-nspawn@web.service/payload/system.slice/nginx.service', 'nspawn', 'nspawn:web'],
    ['/machine.slice/machine-db.scope/payload', 'nspawn', 'nspawn:db'],
    ['/lxc.payload.build01/system.slice/cron.service', 'lxc', 'lxc:build01'],
    ['/lxc/old1/init.scope', 'lxc', 'lxc:old1'],
  ];
  for (const [path, runtime, label] of cases) {
    it(`${runtime}: ${path.slice(0, 60)}`, () => {
      expect(containerFromCgroup(path)).toMatchObject({ runtime, label });
    });
  }

  it('host slices, conmon monitors and sessions are not containers', () => {
    for (const p of ['/init.scope', '/system.slice/ssh.service', '/user.slice/user-1001.slice/session-3.scope',
      `/machine.slice/libpod-conmon-${ID}.scope`, '/system.slice/docker.service', '/system.slice/containerd.service', null]) {
      expect(containerFromCgroup(p)).toBeNull();
    }
  });

  it('the filter matches a runtime, part of a label or id, a pod, or "host"', () => {
    const c = { ...containerFromCgroup(`/kubepods/burstable/pod${POD}/${ID}`)!, ownPidNamespace: true };
    expect(matchesContainer(c, 'k8s')).toBe(true);
    expect(matchesContainer(c, 'kubernetes')).toBe(true);
    expect(matchesContainer(c, '3f2a9c')).toBe(true);
    expect(matchesContainer(c, '1a2b3c4d')).toBe(true);
    expect(matchesContainer(c, 'docker')).toBe(false);
    expect(matchesContainer(c, 'host')).toBe(false);
    expect(matchesContainer(null, 'host')).toBe(true);
    expect(matchesContainer(null, 'docker')).toBe(false);
  });
});

describe('ContainerIndex on a fixture', () => {
  function ns(tree: ProcTree, pid: number, inode: number): void {
    const dir = join(tree.proc, String(pid), 'ns');
    mkdirSync(dir, { recursive: true });
    rmSync(join(dir, 'pid'), { force: true });
    symlinkSync(`pid:[${inode}]`, join(dir, 'pid'));
  }

  it('labels container processes, and an unshared PID namespace without a runtime by its namespace', () => {
    tree = new ProcTree().withBaseSystem();
    ns(tree, 1, 4026531836);
    tree.add({ pid: 500, comm: 'nginx', cgroup: `0::/system.slice/docker-${ID}.scope` });
    ns(tree, 500, 4026532500);
    tree.add({ pid: 600, comm: 'sandbox', cgroup: '0::/user.slice/user-1001.slice/session-3.scope', uid: 1001 });
    ns(tree, 600, 4026532600);
    tree.add({ pid: 700, comm: 'bash', cgroup: '0::/user.slice/user-1001.slice/session-3.scope', uid: 1001 });
    ns(tree, 700, 4026531836);
    const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    const c = new ContainerIndex(tree.proc).sample(snap.processes);
    expect(c.get(500)).toMatchObject({ runtime: 'docker', label: 'docker:3f2a9c1b7e0d', ownPidNamespace: true });
    expect(c.get(600)).toMatchObject({ runtime: 'namespace', label: 'pidns:4026532600', ownPidNamespace: true });
    expect(c.has(700)).toBe(false);
    expect(c.has(1)).toBe(false);
  });

  it('a process whose NSpid has one entry shares PID 1\'s namespace: its namespace link is not read', () => {
    tree = new ProcTree().withBaseSystem();
    ns(tree, 1, 4026531836);
    tree.add({ pid: 600, comm: 'sandbox', cgroup: '0::/user.slice/user-1001.slice/session-3.scope', uid: 1001 });
    ns(tree, 600, 4026532600);
    const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    const p = snap.processes.get(600)!;
    expect(p.pidNsDepth).toBeUndefined(); // a fixture's NSpid says nothing about its links
    expect(new ContainerIndex(tree.proc).sample(snap.processes).get(600)).toMatchObject({ runtime: 'namespace', ownPidNamespace: true });
    // as the reader says it on a live /proc: one level, so the (here contradicting) link is never read
    const one = new Map(snap.processes).set(600, { ...p, pidNsDepth: 1 });
    expect(new ContainerIndex(tree.proc).sample(one).has(600)).toBe(false);
    const nested = new Map(snap.processes).set(600, { ...p, pidNsDepth: 2 });
    expect(new ContainerIndex(tree.proc).sample(nested).get(600)).toMatchObject({ label: 'pidns:4026532600', ownPidNamespace: true });
  });
});

describe('rules inside and outside containers (a container\'s PID 1 is not the host\'s)', () => {
  const D = `0::/system.slice/docker-${ID}.scope`;
  const ids = (tree: ProcTree, pid: number) => {
    const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    snap.containers = new ContainerIndex(tree.proc).sample(snap.processes);
    const a = new Detector().assess(snap);
    return { ids: a.get(pid)?.findings.map((f) => f.id) ?? [], text: a.get(pid)?.findings.map((f) => f.explanation).join(' | ') ?? '' };
  };

  it('seen from inside a container whose PID 1 is the application, its children are not "adopted"', () => {
    tree = new ProcTree();
    tree.add({ pid: 1, comm: 'node', ppid: 0, uid: 1000, exe: '/usr/local/bin/node', cmdline: ['node', 'server.js'], cgroup: '0::/' });
    tree.add({ pid: 20, comm: 'worker', ppid: 1, uid: 1000, exe: '/app/worker', cgroup: '0::/' });
    expect(ids(tree, 20).ids).not.toContain('H13');
    tree.add({ pid: 1, comm: 'tini', ppid: 0, uid: 0, exe: '/sbin/tini', cmdline: ['/sbin/tini', '--', 'node'], cgroup: '0::/' });
    expect(ids(tree, 20).ids).toContain('H13');
  });

  it('seen from the host, a process adopted by its container\'s init is; a child of the container\'s app is not', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 4990, comm: 'containerd-shim', ppid: 1, uid: 0, exe: '/usr/bin/containerd-shim-runc-v2', cgroup: '0::/system.slice/containerd.service' });
    tree.add({ pid: 5000, comm: 'tini', ppid: 4990, uid: 0, exe: '/sbin/tini', cgroup: D });
    tree.add({ pid: 5010, comm: 'python3', ppid: 5000, uid: 1000, exe: '/usr/bin/python3', cmdline: ['python3', 'app.py'], cgroup: D });
    tree.add({ pid: 5020, comm: 'xmr', ppid: 5000, uid: 1000, exe: '/tmp/xmr', cgroup: D });
    tree.add({ pid: 5030, comm: 'sh', ppid: 5010, uid: 1000, exe: '/bin/sh', cgroup: D });
    const miner = ids(tree, 5020);
    expect(miner.ids).toContain('H13');
    expect(miner.text).toMatch(/adopted by its container's init \(tini, PID 5000 on the host, docker:3f2a9c1b7e0d\)/);
    expect(ids(tree, 5030).ids).not.toContain('H13');
    expect(ids(tree, 5000).ids).not.toContain('H13');
  });
});
