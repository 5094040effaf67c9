// Deleted and fileless executables: a payload that removed itself after starting.
import type { ProcessInfo } from '../../model';
import { hiddenComponents, inSystemDir, WRITABLE_DIRS } from '../paths';
import type { Hit, Rule } from '../rule';

export const H20: Rule = {
  id: 'H20',
  title: 'Running from a deleted executable',
  attack: ['T1070.004'],
  describes: 'The executable file was deleted after the process started. When nothing exists at that path any more and it was in /tmp, a home or a hidden directory, the program removed its own traces; a file replaced under /usr by an upgrade only means a restart is pending.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread || !p.exeDeleted || p.exeMemfd || p.exe === null) return null;
    const exe = p.exe;
    const risky = WRITABLE_DIRS.some((d) => exe.startsWith(d.prefix)) || hiddenComponents(exe).length > 0
      || exe.startsWith('/home/') || exe.startsWith('/root/');
    const evidence = { exe, fileAtPathNow: p.exePathExists };
    if (p.exePathExists) {
      if (inSystemDir(exe)) {
        return { weight: 1, explanation: `${exe} was replaced on disk (probably an upgrade): restart pending`, evidence };
      }
      return { weight: 3, explanation: `${exe} was deleted and another file now stands at that path`, evidence };
    }
    return {
      weight: risky ? 8 : 5,
      explanation: `its executable ${exe} has been deleted and nothing is at that path any more${risky ? ' (it ran from a writable or hidden place)' : ''}`,
      evidence,
    };
  },
};

export const H21: Rule = {
  id: 'H21',
  title: 'Fileless executable (memfd)',
  attack: ['T1620'],
  describes: 'The program runs from an anonymous in-memory file (memfd_create): it never existed on disk. runc uses this legitimately; little else does.',
  check(p: ProcessInfo): Hit | null {
    if (p.kernelThread || !p.exeMemfd || p.exe === null) return null;
    if (/^\/memfd:runc_cloned/.test(p.exe)) return null;
    return {
      weight: 9,
      explanation: `its executable is an in-memory file (${p.exe}) that never existed on disk`,
      evidence: { exe: p.exe },
    };
  },
};
