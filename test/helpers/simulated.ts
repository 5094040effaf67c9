// `minewatch simulate --persistence` in a fixture root: a fake crontab program edits the fixture's
// spool (`-u USER` picks USER's, as the real one does), so no real crontab is ever touched. As root
// the processes run as nobody and the line goes into nobody's crontab.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli';

export interface SimulatedIncident {
  work: string;
  /** --root for the dashboard: passwd and the cron spool. */
  root: string;
  /** The crontab file the line went into. */
  spool: string;
  user: string;
  env: Record<string, string>;
  pids: { launcher: number; miner: number };
  simDir: string;
  stdout: string;
  stderr: string;
  /** simulate --stop, then remove the work directory. */
  stop(): Promise<void>;
}

export async function startSimulatedIncident(prefix: string, duration = '3m'): Promise<SimulatedIncident> {
  const isRoot = process.getuid?.() === 0;
  const user = isRoot ? 'nobody' : (process.env.USER ?? 'root');
  const work = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(work, 0o755);
  const root = join(work, 'root');
  mkdirSync(join(root, 'etc'), { recursive: true });
  copyFileSync('/etc/passwd', join(root, 'etc/passwd'));
  const spoolDir = join(root, 'var/spool/cron/crontabs');
  mkdirSync(spoolDir, { recursive: true });
  const fake = join(work, 'crontab');
  const invoker = isRoot ? 'root' : user;
  writeFileSync(fake, `#!/bin/sh\nu=${invoker}\nif [ "$1" = -u ]; then u=$2; shift 2; fi\nf=${JSON.stringify(spoolDir)}/$u\ncase "$1" in\n  -l) [ -f "$f" ] || { echo "no crontab for $u" >&2; exit 1; }; cat "$f" ;;\n  -) cat > "$f" ;;\n  *) exit 2 ;;\nesac\n`, { mode: 0o755 });
  const env = { ...process.env as Record<string, string>, MINEWATCH_CRONTAB: fake };
  const state = join(work, 'state');
  const r = await runCli(['simulate', '--duration', duration, '--persistence', '--state-dir', state, ...(isRoot ? ['--as-nobody'] : [])], { env });
  if (r.code !== 0) throw new Error(`simulate failed (${r.code}): ${r.stderr}`);
  return {
    work, root, spool: join(spoolDir, user), user, env, stdout: r.stdout, stderr: r.stderr,
    pids: { launcher: Number(/PID (\d+)\s+sshd/.exec(r.stdout)![1]), miner: Number(/PID (\d+)\s+rcu-sched/.exec(r.stdout)![1]) },
    simDir: /directory: (\S+)/.exec(r.stdout)![1],
    async stop() {
      await runCli(['simulate', '--stop', '--state-dir', state], { env });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Whether a PID is alive and not a zombie. */
export function running(pid: number, read: (p: string) => string): boolean {
  try {
    const s = read(`/proc/${pid}/stat`);
    return s[s.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}
