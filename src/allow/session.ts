// `a` on a process: mark it known-good for this run, by the hash of the image it runs and its path,
// after the user saw both and said yes. Nothing on the host changes (the allow file is the admin's to
// edit); the decision is audited, and the line to make it permanent is handed back.
import type { ProcessInfo } from '../model';
import { attempt, readStat } from '../procfs/pid';
import type { AuditLog } from '../respond/audit';
import { sanitize } from '../text/sanitize';
import type { ExeHasher, KnownGood } from './known';
import { ALLOW_FILE, formatAllowLine, type AllowEntry } from './list';

export interface AllowAsk {
  pid: number;
  startTicks: number;
  name: string;
  path: string;
  sha256: string;
}

/** Hash the image the process runs and check it is still the same process afterwards. */
export async function prepareAllow(p: ProcessInfo, hash: ExeHasher, procRoot: string): Promise<AllowAsk | { error: string }> {
  if (p.kernelThread) return { error: `PID ${p.pid} is a kernel thread: it has no executable to vouch for` };
  if (p.exe === null) return { error: `the executable of PID ${p.pid} cannot be read${p.exeError === 'EACCES' ? ' (run as root)' : ''}` };
  if (p.exeMemfd) return { error: `PID ${p.pid} runs from memory (memfd): there is no path to vouch for` };
  let sha256: string | null;
  try {
    sha256 = await hash(p);
  } catch (err) {
    return { error: `the executable of PID ${p.pid} could not be hashed: ${sanitize((err as Error).message)}` };
  }
  const now = attempt(() => readStat(procRoot, p.pid));
  if (!now || now.startTicks !== p.startTicks) return { error: `PID ${p.pid} exited while its executable was hashed: nothing was marked` };
  if (sha256 === null) return { error: `the executable of PID ${p.pid} could not be hashed` };
  return { pid: p.pid, startTicks: p.startTicks, name: p.name, path: p.exe, sha256 };
}

/** Add the entry for this run and audit it. Throws when the audit record cannot be written (then nothing is marked). */
export function confirmAllow(ask: AllowAsk, known: KnownGood, audit: AuditLog): { entry: AllowEntry; line: string; message: string } {
  const entry: AllowEntry = { sha256: ask.sha256, path: ask.path, note: `marked from the dashboard on PID ${ask.pid} (${ask.name})`, source: `this session (a on PID ${ask.pid})` };
  audit.append({
    action: 'note', result: 'ok', target: null,
    message: `marked known-good for this session: ${ask.path} with sha256 ${ask.sha256} (PID ${ask.pid})`,
    details: { allow: { sha256: ask.sha256, path: ask.path, pid: ask.pid, startTicks: ask.startTicks } },
  });
  known.add(entry);
  const line = formatAllowLine(entry);
  return { entry, line, message: `${sanitize(ask.path)} is known-good for this session; to keep it, add to ${ALLOW_FILE}: ${sanitize(line)}` };
}
