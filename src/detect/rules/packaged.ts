// H49: the executable at a package's path is not the file the package installed (what `rpm -V` and
// `debsums` check, for what is running). How trojaned system binaries (sshd, ps, a miner dropped over
// a packaged name) sit where honest ones live.
import type { ProcessInfo } from '../../model';
import { ownershipOf } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';

const short = (hex: string) => hex.slice(0, 12);

export const H49: Rule = {
  id: 'H49',
  title: 'Executable differs from what its package installed',
  attack: ['T1554', 'T1036.005'],
  describes: 'Its executable sits at a path a package installed, but its SHA-256 (rpm) or MD5 (dpkg) is not the one the package database recorded: the file was replaced in place, as trojaned system binaries are, or rebuilt by hand over a packaged one. Hashed only for processes with another sign or burning CPU, once per file, off the tick; diverted files (dpkg-divert) are not compared.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    const image = ctx.content.get(p.pid)?.exeImage;
    if (!image || !p.exe || p.exeDeleted) return null;
    const own = ownershipOf(ctx.packages, p.exe);
    if (own.state !== 'owned') return null;
    const packaged = ctx.packages.digest(p.exe);
    const onDisk = packaged?.algo === 'sha256' ? image.sha256 : packaged?.algo === 'md5' ? image.md5 : null;
    if (!packaged || onDisk === null || onDisk === packaged.hex) return null;
    return {
      weight: 7,
      explanation: `${p.exe} is not the file package ${own.package} installed: its ${packaged.algo} is ${short(onDisk)}…, the package database records ${short(packaged.hex)}…`,
      evidence: { exe: p.exe, package: own.package, packageDb: ctx.packages.kind, algorithm: packaged.algo, packaged: packaged.hex, running: onDisk },
    };
  },
};
