// The deep scan: what hides from the process table, on demand (`minewatch scan --deep`, or D in the
// dashboard). Hidden PIDs (probe every N up to pid_max), the CPU accounting gap over a few seconds, the
// kernel's taint and modules no package ships. Each result becomes a finding explained like every other.
import type { Finding } from '../model';
import { severityForScore } from '../model';
import { findHiddenProcesses, type HiddenOptions, type HiddenProcess, type HiddenScan } from './hidden';
import { GAP_THRESHOLD_PCT, measureCpuGap, type CpuGap } from './cpugap';
import { checkKernel, type KernelCheck } from './kernel';

export interface DeepFinding extends Finding {
  /** The process it is about, or null for a host finding. */
  pid: number | null;
}

export interface DeepReport {
  startedAt: string;
  ms: number;
  hidden: HiddenScan;
  gap: CpuGap | null;
  kernel: KernelCheck;
  findings: DeepFinding[];
}

export interface DeepRule {
  id: string;
  title: string;
  attack: string[];
  describes: string;
}

export const DEEP_RULES: Record<'hidden' | 'gap' | 'taint' | 'noFile' | 'unlisted', DeepRule> = {
  hidden: {
    id: 'H40', title: 'Process hidden from the /proc listing', attack: ['T1014', 'T1564', 'T1574.006'],
    describes: 'Deep scan: /proc/N answers when asked for by name, yet N is missing from the directory listing every tool reads (re-checked after a second, threads sorted out): a rootkit filters the listing.',
  },
  gap: {
    id: 'H45', title: 'CPU time no visible process accounts for', attack: ['T1014', 'T1496.001'],
    describes: 'Deep scan (and the dashboard header): the kernel counts more task CPU time in /proc/stat than all listed processes (and the children they reaped) were charged over the same seconds, in most of three windows. A hidden process still burns CPU.',
  },
  taint: {
    id: 'H46', title: 'Kernel is tainted', attack: ['T1014'],
    describes: 'Deep scan: /proc/sys/kernel/tainted is not 0, decoded letter by letter. Out-of-tree (O) or unsigned (E) modules are how kernel rootkits load, but NVIDIA, ZFS and DKMS drivers taint honest hosts too: context, not a verdict.',
  },
  noFile: {
    id: 'H47', title: 'Loaded kernel module that no package ships', attack: ['T1014', 'T1547.006'],
    describes: 'Deep scan: a module in /proc/modules has no file under /lib/modules/$(uname -r): it was inserted from somewhere else (insmod ./x.ko), as kernel rootkits are.',
  },
  unlisted: {
    id: 'H48', title: 'Kernel module hidden from /proc/modules', attack: ['T1014'],
    describes: 'Deep scan: /sys/module knows a loadable module that /proc/modules does not list: something unlinked it from the module list, which only rootkits do.',
  },
};

function finding(rule: DeepRule, weight: number, explanation: string, evidence: Record<string, unknown>, pid: number | null): DeepFinding {
  return { id: rule.id, weight, severity: severityForScore(weight), title: rule.title, explanation, attack: rule.attack, evidence, pid };
}

function describeHidden(h: HiddenProcess): string {
  const b = h.brief;
  const what = b.exe ?? (b.cmdline[0] || b.ids?.name || 'an unreadable executable');
  const who = b.ids && b.ids.uid >= 0 ? ` (uid ${b.ids.uid})` : '';
  const how = h.foundVia === 'thread' ? ` (found through its thread ${h.viaThread})` : '';
  return `PID ${h.pid}${who} runs ${what} but is missing from the /proc listing${how}: ps, top and minewatch's own table cannot see it`;
}

export function deepFindings(hidden: HiddenScan, gap: CpuGap | null, kernel: KernelCheck): DeepFinding[] {
  const out: DeepFinding[] = [];
  for (const h of hidden.hidden) {
    out.push(finding(DEEP_RULES.hidden, 10, describeHidden(h), {
      pid: h.pid, exe: h.brief.exe, cmdline: h.brief.cmdline, cwd: h.brief.cwd, name: h.brief.ids?.name ?? null,
      uid: h.brief.ids?.uid ?? null, ppid: h.brief.ids?.ppid ?? null, foundVia: h.foundVia, viaThread: h.viaThread,
    }, h.pid));
  }
  if (gap?.sustained) {
    const fig = gap.windows.map((w) => `${w.kernelPct.toFixed(0)}% run vs ${w.accountedPct.toFixed(0)}% charged`).join(', ');
    out.push(finding(DEEP_RULES.gap, gap.sustainedGapPct >= 50 ? 6 : 4,
      `over ${gap.windows.length} windows the kernel ran tasks for ${gap.sustainedGapPct.toFixed(0)}% of a core (median) more than every listed process was charged (${fig}; threshold ${gap.thresholdPct}%)`,
      { windows: gap.windows.map((w) => ({ ms: Math.round(w.ms), kernelPct: round1(w.kernelPct), accountedPct: round1(w.accountedPct), gapPct: round1(w.gapPct) })), sustainedGapPct: round1(gap.sustainedGapPct) }, null));
  }
  if (kernel.tainted) {
    out.push(finding(DEEP_RULES.taint, 1, `the kernel is tainted (${kernel.tainted}): ${kernel.taints.map((t) => `${t.letter} ${t.meaning}`).join('; ')}`,
      { tainted: kernel.tainted, letters: kernel.taints.map((t) => t.letter).join('') }, null));
  }
  for (const m of kernel.withoutFile) {
    out.push(finding(DEEP_RULES.noFile, 8,
      `module ${m.name} is loaded${m.taints ? ` (taint ${m.taints})` : ''} but no file for it exists under /lib/modules/${kernel.release}`,
      { module: m.name, size: m.size, taints: m.taints, release: kernel.release }, null));
  }
  for (const name of kernel.hiddenFromList) {
    out.push(finding(DEEP_RULES.unlisted, 10, `module ${name} is in /sys/module but missing from /proc/modules`, { module: name }, null));
  }
  return out;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export interface DeepProgress {
  /** 0..1 over the whole scan. */
  fraction: number;
  text: string;
}

export interface DeepOptions extends Pick<HiddenOptions, 'limit' | 'budgetMs' | 'verifyDelayMs' | 'list' | 'cancelled'> {
  procRoot?: string;
  root?: string;
  sysRoot?: string;
  gapWindows?: number;
  gapWindowMs?: number;
  gapThresholdPct?: number;
  onProgress?: (p: DeepProgress) => void;
}

/** Probe and gap run side by side: the probe's own CPU is charged to minewatch, which is listed. */
export async function runDeepScan(opts: DeepOptions = {}): Promise<DeepReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const procRoot = opts.procRoot ?? '/proc';
  let probeFrac = 0;
  let gapDone = 0;
  const windows = opts.gapWindows ?? 3;
  const report = (text: string) => opts.onProgress?.({ fraction: Math.min(1, 0.8 * probeFrac + 0.2 * (gapDone / Math.max(1, windows))), text });
  const kernel = checkKernel({ procRoot, root: opts.root, sysRoot: opts.sysRoot });
  const [hidden, gap] = await Promise.all([
    findHiddenProcesses({
      procRoot, limit: opts.limit, budgetMs: opts.budgetMs, verifyDelayMs: opts.verifyDelayMs, list: opts.list, cancelled: opts.cancelled,
      onProgress: (done, total) => { probeFrac = total > 0 ? done / total : 1; report(`probing PIDs ${done}/${total}`); },
    }),
    measureCpuGap({
      procRoot, windows, windowMs: opts.gapWindowMs, thresholdPct: opts.gapThresholdPct ?? GAP_THRESHOLD_PCT, list: opts.list,
      onWindow: (_w, i) => { gapDone = i + 1; report(`CPU accounting window ${i + 1}/${windows}`); },
    }),
  ]);
  opts.onProgress?.({ fraction: 1, text: 'done' });
  return { startedAt, ms: performance.now() - t0, hidden, gap, kernel, findings: deepFindings(hidden, gap, kernel) };
}

/** Plain lines for the scan's text output and the dashboard's pane. */
export function formatDeep(r: DeepReport): string[] {
  const lines: string[] = [];
  const h = r.hidden;
  lines.push(`Deep scan (${(r.ms / 1000).toFixed(1)} s):`);
  lines.push(`  hidden PIDs: probed /proc/1..${h.probedUpTo} of pid_max ${h.pidMax}${h.complete ? '' : ' (STOPPED EARLY: time budget)'} in ${(h.ms / 1000).toFixed(1)} s; ${h.listed} listed, ${h.knownThreads} threads of listed processes, ${h.candidates} unlisted answered, ${h.hidden.length} hidden`);
  if (r.gap) {
    lines.push(`  CPU accounting: ${r.gap.windows.map((w) => `${w.kernelPct.toFixed(0)}% run / ${w.accountedPct.toFixed(0)}% charged`).join(', ')} (of one core) -> gap ${r.gap.sustainedGapPct.toFixed(0)}% ${r.gap.sustained ? 'SUSTAINED' : `(below ${r.gap.thresholdPct}%: fine)`}`);
  } else {
    lines.push('  CPU accounting: /proc/stat unreadable');
  }
  const k = r.kernel;
  lines.push(`  kernel ${k.release ?? '?'}: tainted ${k.tainted ?? 'unreadable'}${k.taints.length ? ` (${k.taints.map((t) => t.letter).join('')})` : ''}; ${k.modules === null ? 'no /proc/modules (no loadable modules)' : `${k.modules.length} modules loaded, ${k.onDisk === null ? 'no /lib/modules for this kernel to compare with' : `${k.withoutFile.length} without a file on disk`}, ${k.hiddenFromList.length} hidden from the list`}`);
  if (r.findings.length === 0) lines.push('', 'Nothing hidden found.');
  for (const f of r.findings) {
    lines.push('', `${f.severity.toUpperCase()} ${f.id} ${f.title}${f.pid !== null ? ` (PID ${f.pid})` : ''}`, `    ${f.explanation} [${f.attack.join(', ')}]`);
  }
  return lines;
}

/** The `deep` member of `scan --json`: findings in report form and the figures behind them. */
export function deepReportJson(r: DeepReport) {
  const h = r.hidden;
  return {
    startedAt: r.startedAt,
    ms: Math.round(r.ms),
    findings: r.findings.map((f) => ({ id: f.id, severity: f.severity, pid: f.pid, title: f.title, explanation: f.explanation, attack: f.attack, evidence: f.evidence })),
    hiddenProbe: { pidMax: h.pidMax, probedUpTo: h.probedUpTo, complete: h.complete, listed: h.listed, knownThreads: h.knownThreads, unlistedAnswered: h.candidates, hidden: h.hidden.map((x) => x.pid), ms: Math.round(h.ms) },
    cpuGap: r.gap && {
      thresholdPct: r.gap.thresholdPct, sustained: r.gap.sustained, sustainedGapPct: round1(r.gap.sustainedGapPct),
      windows: r.gap.windows.map((w) => ({ ms: Math.round(w.ms), kernelPct: round1(w.kernelPct), accountedPct: round1(w.accountedPct), gapPct: round1(w.gapPct), processes: w.processes })),
    },
    kernel: {
      release: r.kernel.release, tainted: r.kernel.tainted, taintLetters: r.kernel.taints.map((t) => t.letter).join(''),
      modulesLoaded: r.kernel.modules?.length ?? null, moduleFilesOnDisk: r.kernel.onDisk,
      withoutFile: r.kernel.withoutFile.map((m) => m.name), hiddenFromList: r.kernel.hiddenFromList,
    },
  };
}
