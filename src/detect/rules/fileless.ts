// Deleted and fileless executables: a payload that removed itself after starting.
import type { ProcessInfo } from '../../model';
import { basename, hiddenComponents, inSystemDir, ownershipOf, WRITABLE_DIRS } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';

const short = (h: string | null | undefined) => (h ? h.slice(0, 16) : '?');

export const H20: Rule = {
  id: 'H20',
  title: 'Running from a deleted executable',
  attack: ['T1070.004'],
  describes: 'The executable file was deleted after the process started. Nothing left at that path, in /tmp, a home or a hidden directory: the program removed its own traces. A file back at that path counts as "replaced by an upgrade" only when a package owns it and its log or checksums agree, or when it is identical to the running image; an unpackaged file that differs from the running image is a process hiding behind a file put back.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || !p.exeDeleted || p.exeMemfd || p.exe === null) return null;
    const exe = p.exe;
    const risky = WRITABLE_DIRS.some((d) => exe.startsWith(d.prefix)) || hiddenComponents(exe).length > 0
      || exe.startsWith('/home/') || exe.startsWith('/root/');
    if (!p.exePathExists) {
      return {
        weight: risky ? 8 : 5,
        explanation: `its executable ${exe} has been deleted and nothing is at that path any more${risky ? ' (it ran from a writable or hidden place)' : ''}`,
        evidence: { exe, fileAtPathNow: false },
      };
    }
    const image = ctx.content.get(p.pid)?.replacedImage ?? null;
    const own = ownershipOf(ctx.packages, exe);
    const evidence: Record<string, unknown> = {
      exe, fileAtPathNow: true, package: own.state === 'owned' ? own.package : null, packageDb: ctx.packages.kind,
      runningImageSha256: image?.runningSha256 ?? null, fileOnDiskSha256: image?.onDiskSha256 ?? null,
    };
    if (image && image.onDiskSha256 !== null && image.runningSha256 === image.onDiskSha256) {
      return { weight: 1, explanation: `${exe} was deleted and put back identical (sha256 ${short(image.runningSha256)}…): restart pending`, evidence };
    }
    if (own.state === 'owned') {
      const changed = ctx.packages.changedAt(exe);
      const packaged = ctx.packages.digest(exe);
      const onDisk = packaged?.algo === 'md5' ? image?.onDiskMd5 : packaged?.algo === 'sha256' ? image?.onDiskSha256 : null;
      const sumsAgree = packaged !== null && onDisk === packaged.hex;
      if ((changed !== null && changed >= p.startTime - 60_000) || sumsAgree) {
        const log = ctx.packages.kind === 'rpm' ? 'its install time in the rpm database' : 'dpkg.log';
        const why = changed !== null && changed >= p.startTime - 60_000
          ? `package ${own.package} was upgraded after it started (${log})` : `the new file matches package ${own.package}'s checksum`;
        return { weight: 1, explanation: `${exe} was replaced by an upgrade (${why}): restart pending`, evidence: { ...evidence, packageChangedAt: changed } };
      }
      return {
        weight: 3,
        explanation: `${exe} was deleted and another file now stands at that path; package ${own.package} owns the path, but neither its log nor its checksums show an upgrade since the process started`,
        evidence,
      };
    }
    if (own.state === 'unowned') {
      if (image && image.onDiskSha256 !== null) {
        return {
          weight: 7,
          explanation: `it hides behind a file put back: the running image (sha256 ${short(image.runningSha256)}…) differs from the file now at ${exe} (sha256 ${short(image.onDiskSha256)}…), which no package installed`,
          evidence,
        };
      }
      return {
        weight: inSystemDir(exe) ? 6 : 5,
        explanation: `${exe} was deleted and a file no package installed now stands at that path`,
        evidence,
      };
    }
    if (inSystemDir(exe)) {
      return { weight: 1, explanation: `${exe} was replaced on disk (probably an upgrade; ${own.why}): restart pending`, evidence };
    }
    return { weight: 3, explanation: `${exe} was deleted and another file now stands at that path`, evidence };
  },
};

const RUNTIMES = /^(runc|crun|docker-runc|containerd-shim(-runc-v\d)?|containerd|conmon|crio|dockerd|youki)$/;
const CONTAINER_CGROUP = /(docker|cri-containerd|crio|libpod|containerd)[-/][0-9a-f]{12,}|\/kubepods/;

function isContainerRuntimeStep(p: ProcessInfo, ctx: RuleContext): boolean {
  const parent = ctx.processes.get(p.ppid);
  if (parent && parent.exe !== null && !parent.exeDeleted && RUNTIMES.test(basename(parent.exe))) return true;
  if (parent && parent.exeMemfd && /^\/memfd:runc_cloned/.test(parent.exe ?? '')) {
    const grand = ctx.processes.get(parent.ppid);
    if (grand && grand.exe !== null && RUNTIMES.test(basename(grand.exe))) return true;
  }
  return p.cgroup !== null && CONTAINER_CGROUP.test(p.cgroup);
}

export const H21: Rule = {
  id: 'H21',
  title: 'Fileless executable (memfd)',
  attack: ['T1620'],
  describes: 'The program runs from an anonymous in-memory file (memfd_create): it never existed on disk. runc does this legitimately, and is exempt only when its parent really is a container runtime (runc, a containerd or CRI-O shim, by executable) or it sits in a container\'s cgroup; a name is not enough.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread || !p.exeMemfd || p.exe === null) return null;
    // runc re-executes itself from a memfd: exempt only a process that really is a container runtime step
    // (its parent is runc or a containerd/CRI-O shim by executable, or it already sits in a container's
    // cgroup), never anything that merely names its memfd runc_cloned.
    if (/^\/memfd:runc_cloned/.test(p.exe) && isContainerRuntimeStep(p, ctx)) return null;
    return {
      weight: 9,
      explanation: `its executable is an in-memory file (${p.exe}) that never existed on disk`,
      evidence: { exe: p.exe },
    };
  },
};
