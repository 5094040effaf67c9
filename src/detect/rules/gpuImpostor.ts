// H50: a kernel-thread or system-daemon name holding a GPU.
import type { ProcessInfo } from '../../model';
import { argv0Name } from '../paths';
import type { Hit, Rule, RuleContext } from '../rule';
import { describeGpu, gpuEvidence, gpuUse } from './gpuShared';

/** System daemons that have no business with a GPU (systemd-logind and display servers do, and are not here). */
const NO_GPU_DAEMONS = new Set(['sshd', 'sshd-session', 'sshd-auth', 'cron', 'crond', 'atd', 'anacron', 'dbus-daemon', 'dbus-broker',
  'rsyslogd', 'syslogd', 'agetty', 'getty', 'polkitd', 'systemd-journald', 'systemd-resolved', 'systemd-networkd',
  'systemd-timesyncd', 'systemd-udevd', 'auditd', 'chronyd', 'ntpd', 'irqbalance', 'containerd', 'dockerd', 'nginx',
  'apache2', 'httpd', 'mysqld', 'postgres', 'init', 'kthreadd', 'unattended-upgr', 'snapd', 'multipathd']);

export const H50: Rule = {
  id: 'H50',
  title: 'Named like a kernel thread or system daemon, holding a GPU',
  attack: ['T1036.004', 'T1496.001'],
  describes: 'A process whose name is a kernel thread\'s (kernel threads never open device files) or a system daemon\'s (sshd, cron, journald...) holds an NVIDIA device or a DRM render node: a GPU miner in disguise.',
  check(p: ProcessInfo, ctx: RuleContext): Hit | null {
    if (p.kernelThread) return null;
    const g = gpuUse(p, ctx);
    if (!g) return null;
    const names = [p.name, argv0Name(p)].filter((n): n is string => !!n);
    const kthread = names.find((n) => { const m = ctx.kthreads.classify(n); return m.exact || m.like !== null; });
    const daemon = names.find((n) => NO_GPU_DAEMONS.has(n));
    if (!kthread && !daemon) return null;
    return {
      weight: 9,
      explanation: kthread
        ? `it calls itself ${kthread}, like a kernel thread, yet holds the GPU ${describeGpu(g)}: kernel threads never open device files`
        : `it calls itself ${daemon}, a system daemon that never uses a GPU, yet holds ${describeGpu(g)}`,
      evidence: { name: kthread ?? daemon, exe: p.exe, ...gpuEvidence(g) },
    };
  },
};
