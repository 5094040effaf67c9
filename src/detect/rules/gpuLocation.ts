// H51: GPU work by a program that lives in a temporary, hidden or writable directory.
import type { ProcessInfo } from '../../model';
import { hiddenComponents, launchPath, TMP_ALLOW, WRITABLE_DIRS } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';
import { describeGpu, gpuEvidence, gpuUse } from './gpuShared';

export const H51: Rule = {
  id: 'H51',
  title: 'GPU work by a program in a temporary, hidden or deleted location',
  attack: ['T1496.001', 'T1564.001'],
  describes: 'A process holding a GPU runs an executable (or script) from /tmp, /dev/shm, a hidden directory, or one deleted or in memory only. Training jobs run from installed Python environments; miners from wherever they were dropped.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread) return null;
    const g = gpuUse(p, ctx);
    if (!g) return null;
    const lp = launchPath(p);
    let where: string | null = null;
    if (p.exeMemfd) where = 'an in-memory file (memfd)';
    else if (p.exeDeleted && !p.exePathExists) where = `${p.exe}, deleted since it started`;
    else if (lp && !TMP_ALLOW.some((re) => re.test(lp.path))) {
      const dir = WRITABLE_DIRS.find((d) => lp.path.startsWith(d.prefix));
      const hidden = hiddenComponents(lp.path);
      if (dir) where = `${lp.path}, in ${dir.prefix.slice(0, -1)}`;
      else if (hidden.length) where = `${lp.path}, under the hidden directory ${hidden.join('/')}`;
    }
    if (!where) return null;
    return {
      weight: 7,
      explanation: `it holds the GPU ${describeGpu(g)} and runs ${where}`,
      evidence: { path: lp?.path ?? p.exe, ...gpuEvidence(g) },
    };
  },
};
