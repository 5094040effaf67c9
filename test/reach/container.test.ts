// Container labels from cgroup paths and PID namespaces, the filter, and rules inside and outside.
import { symlinkSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContainerIndex, containerFromCgroup, matchesContainer } from '../../src/procfs/container';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';

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
});
