// What the dashboard asks of the host, behind one interface: inspect a process, read persistence,
// prepare and carry out a response. The store calls these; views never do. Tests inject fakes.
import { formatInspect, inspectProcess, inspectQuick } from '../inspect/index';
import type { Assessment, Snapshot } from '../model';
import { collectPersistence, formatPersistence, describeEntry } from '../persistence/index';
import {
  AuditLog, auditTarget, captureEvidence, commentOutLine, disableUnitLink, type EditResult, verifyTarget, defaultAuditPath, defaultSignalFn, familyOf, killFamily, pinTarget, RespawnWatch, sendSignal,
  type PinnedTarget, type ResponseSignal, type SignalFn,
} from '../respond/index';
import { refusal, ancestorsOf } from '../respond/guard';
import { correlate, entryLabel } from '../scan/correlate';
import { wantsLinks } from '../persistence/wants';
import { join } from 'node:path';
import { clip, formatCmdline, sanitize } from '../text/sanitize';

export interface KillPrep {
  target: PinnedTarget;
  /** Other members of its family (launcher first), pinned too. */
  members: PinnedTarget[];
  /** What the dialog shows about the target: PID, user, exe, start time, reasons. */
  summary: string[];
  memberLines: string[];
  /** Why minewatch will not signal it (PID 1, kernel thread, itself...), or null. */
  refusal: string | null;
}

/** A persistence entry the user may disable from the persistence pane. */
export interface PersistenceAction {
  entryId: string;
  /** "crontab of abc, line 3" */
  label: string;
  kind: string;
  /** Host path (without the --root prefix). */
  path: string;
  line: number | null;
  raw: string;
  /** What disabling does, in words. */
  verb: string;
}

export interface AppServices {
  readonly: boolean;
  evidenceDir: string;
  /** Quick content at once, then the full report (hashes) when ready; returns a cancel function. */
  inspect(pid: number, update: (title: string, lines: string[], status: string | null) => void): () => void;
  persistence(pid: number | null, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): { title: string; lines: string[]; actions: PersistenceAction[] };
  /** Comment out a cron line, or remove a unit's *.wants/ link; backup first, audited. */
  disablePersistence(action: PersistenceAction): string[];
  prepareKill(pid: number, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): KillPrep | { error: string };
  act(prep: KillPrep, signal: ResponseSignal, family: boolean): Promise<string[]>;
  respawn: RespawnWatch;
}

export interface ServiceOptions {
  procRoot: string;
  root: string;
  evidenceDir: string;
  readonly: boolean;
  kill?: SignalFn;
  selfPid?: number;
}

const HEAVY = new Set(['SIGTERM', 'SIGKILL']);

export function createServices(opts: ServiceOptions): AppServices {
  const { procRoot, root } = opts;
  const selfPid = opts.selfPid ?? process.pid;
  const kill = opts.kill ?? defaultSignalFn;
  const respawn = new RespawnWatch();
  const audit = () => new AuditLog(defaultAuditPath(opts.evidenceDir));

  return {
    readonly: opts.readonly,
    evidenceDir: opts.evidenceDir,
    respawn,

    inspect(pid, update) {
      const controller = new AbortController();
      const title = `Inspect PID ${pid}`;
      try {
        update(title, formatInspect(inspectQuick(pid, { procRoot, root })), 'hashing the executable…');
      } catch (err) {
        update(title, [`could not inspect: ${sanitize((err as Error).message)}`], null);
        return () => {};
      }
      inspectProcess(pid, {
        procRoot, root, signal: controller.signal,
        onProgress: (done, total) => {
          if (total > 0) update(title, [], `hashing the executable… ${Math.floor((done / total) * 100)}% of ${(total / 1048576).toFixed(1)} MiB`);
        },
      }).then(
        (report) => update(title, formatInspect(report), null),
        (err: Error) => { if (err.name !== 'AbortError') update(title, [], `hashing failed: ${sanitize(err.message)}`); },
      );
      return () => controller.abort();
    },

    persistence(pid, snapshot, assessments) {
      const report = collectPersistence({ root });
      const c = correlate(report.entries, snapshot.processes.values(), assessments);
      const full = { ...report, entries: c.entries };
      const actionable = (ids: Set<string> | null) => c.entries
        .filter((e) => (ids ? ids.has(e.id) : e.severity !== 'none'))
        .filter((e) => ((e.kind === 'user-crontab' || e.kind === 'system-crontab' || e.kind === 'anacrontab') && e.line !== null) || e.kind === 'systemd-unit' || e.kind === 'systemd-timer')
        .map((e): PersistenceAction => ({
          entryId: e.id, label: entryLabel(e), kind: e.kind, path: e.path, line: e.line, raw: e.raw,
          verb: e.kind.startsWith('systemd') ? 'remove its *.wants/ links' : 'comment the line out',
        }));
      if (pid === null) return { title: 'Persistence on this host', lines: formatPersistence(full, c.links), actions: actionable(null) };
      const p = snapshot.processes.get(pid);
      const lines: string[] = [];
      const started = c.startedBy.get(pid) ?? [];
      lines.push(started.length ? 'Started by:' : 'Started by: nothing found in the persistence locations read');
      for (const s of started) {
        const e = c.entries.find((x) => x.id === s.entryId)!;
        lines.push(`  ${sanitize(s.label)} (matched by ${s.via}): ${clip(e.raw, 200)}`);
        lines.push(`    => ${sanitize(describeEntry(e))}`);
        for (const f of e.findings) lines.push(`    ${f.id} ${sanitize(f.title)}: ${sanitize(f.explanation)}`);
      }
      const user = p?.user;
      const mine = c.entries.filter((e) => user && e.runsAs === user && !started.some((s) => s.entryId === e.id));
      lines.push('', user ? `Other entries that run as ${sanitize(user)}: ${mine.length}` : 'Owner unknown');
      for (const e of mine) lines.push(`  ${e.severity.toUpperCase().padEnd(8)} ${sanitize(e.path)}${e.line !== null ? `:${e.line}` : ''}: ${clip(e.raw, 160)}`);
      lines.push('', ...formatPersistence(full, c.links));
      const ids = new Set([...started.map((x) => x.entryId), ...c.entries.filter((e) => e.severity !== 'none' && e.runsAs === user).map((e) => e.id)]);
      return { title: `Persistence for PID ${pid}${p ? ` (${sanitize(p.name)}, user ${sanitize(p.user)})` : ''}`, lines, actions: actionable(ids) };
    },

    disablePersistence(action) {
      if (opts.readonly) return ['read-only mode (--readonly): nothing was changed'];
      const log = audit();
      const backupDir = join(opts.evidenceDir, 'persistence-backups');
      const results: EditResult[] = [];
      if (action.kind.startsWith('systemd')) {
        const links = wantsLinks(root, action.path);
        if (links.length === 0) return [`no *.wants/ link enables ${sanitize(action.path)}: nothing to disable`];
        for (const l of links) results.push(disableUnitLink(l, { backupDir }));
      } else if (action.line !== null) {
        results.push(commentOutLine(join(root, action.path), action.line, { backupDir, expectedText: action.raw, marker: 'minewatch' }));
      }
      for (const r of results) {
        log.append({ action: 'persistence-change', result: r.ok ? 'ok' : 'refused', message: r.message, details: { entry: action.entryId, path: r.path, backup: r.backupPath ?? null } });
      }
      return [...results.map((r) => r.message), `audit log: ${log.path}`];
    },

    prepareKill(pid, snapshot, assessments) {
      const pinned = pinTarget(pid, { procRoot, root });
      if ('error' in pinned) return { error: pinned.error };
      const ancestors = ancestorsOf(selfPid, procRoot);
      const refused = refusal(pinned, { selfPid, ancestorPids: ancestors, kernelThread: pinned.kernelThread });
      const fam = familyOf(pid, snapshot.processes, { selfPid, ancestorPids: ancestors });
      const others = [...(fam.launcher ? [fam.launcher] : []), ...fam.members.filter((m) => m.pid !== pid)];
      const members: PinnedTarget[] = [];
      const memberLines: string[] = [];
      for (const m of others) {
        const t = pinTarget(m.pid, { procRoot, root });
        if ('error' in t) continue;
        members.push(t);
        const role = m.pid === fam.launcher?.pid ? 'launcher' : 'member';
        memberLines.push(`${role} PID ${m.pid} ${clip(m.name, 20)} (${clip(m.user, 12)}) ${clip(formatCmdline(m.cmdline), 60)}`);
      }
      const a = assessments.get(pid);
      const summary = [
        `PID ${pinned.pid} ${clip(pinned.name, 24)} · user ${clip(pinned.user, 16)} (${pinned.uid})`,
        `exe ${clip(pinned.exe ?? '(unreadable)', 80)}${pinned.exeDeleted ? ' (deleted)' : ''}`,
        `started ${new Date(snapshot.bootTime + (pinned.startTicks / snapshot.host.clockTicks) * 1000).toISOString().replace('T', ' ').slice(0, 19)}`,
        a ? `flagged ${a.severity} (${a.score}): ${a.findings.map((f) => f.id).join(' ')}` : 'not flagged',
      ];
      return { target: pinned, members, summary, memberLines, refusal: refused };
    },

    async act(prep, signal, family) {
      if (opts.readonly) return ['read-only mode (--readonly): nothing was sent'];
      if (prep.refusal) return [`refused: ${prep.refusal}`];
      const log = audit();
      const deps = { kill, procRoot, selfPid, audit: log };
      // Re-check the pinned identity before anything else: a PID now owned by another process gets
      // nothing, not even an evidence capture in its name.
      const now = verifyTarget(prep.target, { procRoot });
      if (!now.ok) {
        log.append({ action: 'refused', target: auditTarget(prep.target), result: 'refused', message: now.reason });
        return [now.reason, 'nothing was sent'];
      }
      const targets = family ? [prep.target, ...prep.members] : [prep.target];
      const lines: string[] = [];
      if (!HEAVY.has(signal)) {
        for (const t of targets) lines.push(sendSignal(t, signal, deps).message);
        return lines;
      }
      // Freeze first so nothing can restart or delete itself, keep the evidence, then kill.
      for (const t of targets) sendSignal(t, 'SIGSTOP', deps);
      try {
        const ev = await captureEvidence(targets, { procRoot, dir: opts.evidenceDir, audit: log, extra: { inspect: targets.map((t) => inspectQuick(t.pid, { procRoot, root })) } });
        lines.push(`evidence kept in ${ev.dir} (${ev.files.length} files)`);
        for (const n of ev.notes) lines.push(`  note: ${n}`);
      } catch (err) {
        lines.push(`evidence could not be captured: ${sanitize((err as Error).message)}`);
      }
      const results = killFamily(targets, deps, { signal: signal as 'SIGTERM' | 'SIGKILL' });
      for (const r of results) {
        lines.push(r.message);
        const t = targets.find((x) => x.pid === r.pid);
        if (r.ok && t) respawn.remember({ pid: t.pid, exe: t.exe, cmdline: t.cmdline, startTicks: t.startTicks });
      }
      lines.push(`audit log: ${log.path}`);
      return lines;
    },
  };
}
