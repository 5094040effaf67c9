// The only two edits minewatch makes to persistence, each on an explicit request: comment out one
// cron line, or remove one *.wants/ symlink. Both go through the safe opener (src/fsafe): the file or
// link itself, never what a symlink points to; only in the host's real locations for that kind; a
// backup in the private evidence directory first; the cron file replaced atomically after owner, inode
// and content were re-verified. The caller writes the audit record.
import path from 'node:path';
import {
  SafeTree, describeRefusal, privateDir, refuse, removeSymlink, replaceFile, writeUnique, type PinnedDir, type Refusal,
} from '../fsafe/index';
import { sanitize } from '../text/sanitize';

export interface EditResult {
  ok: boolean;
  message: string;
  /** Host path of what was (or would have been) changed. */
  path: string;
  /** Where the backup or the link record went. */
  backupPath?: string;
}

export type EditableCronKind = 'user-crontab' | 'system-crontab' | 'anacrontab';

export interface CommentOutOptions {
  kind: EditableCronKind;
  /** Private directory for backups (created 0700 if missing, refused if unsafe). */
  backupDir: string;
  /** The line as it was shown to the user (without its newline); the edit is refused if it differs. */
  expectedText: string;
  /** Optional short note kept in the comment, e.g. a finding id. */
  marker?: string;
  now?: () => number;
}

/** Where each kind of cron file really lives; nothing else is edited as one. */
const CRON_LOCATIONS: Record<EditableCronKind, RegExp> = {
  // Debian/Ubuntu, SUSE, RHEL/Fedora, Alpine/busybox spools: one file per user, named after it.
  'user-crontab': /^\/(?:var\/spool\/cron\/crontabs|var\/spool\/cron\/tabs|var\/spool\/cron|etc\/crontabs)\/[^/]+$/,
  'system-crontab': /^\/etc\/(?:crontab|cron\.d\/[^/]+)$/,
  anacrontab: /^\/etc\/anacrontab$/,
};

/** True when `hostPath` is a real location for a cron file of this kind. */
export function isCronLocation(kind: string, hostPath: string): boolean {
  const re = CRON_LOCATIONS[kind as EditableCronKind];
  return !!re && re.test(path.posix.normalize(hostPath)) && !hostPath.split('/').some((c) => c === '..');
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-');
}

/** [start, end) byte offsets of each line, the end excluding the '\n'. */
function lineSpans(buf: Buffer): [number, number][] {
  const spans: [number, number][] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      spans.push([start, i]);
      start = i + 1;
    }
  }
  if (start < buf.length) spans.push([start, buf.length]);
  return spans;
}

function safeBase(name: string): string {
  return name.replace(/[^A-Za-z0-9._@-]/g, '_').replace(/^\.+/, '_').slice(0, 80) || 'file';
}

function withBackupDir<T>(dir: string, fn: (d: PinnedDir) => T | Refusal): T | Refusal {
  const d = privateDir(dir, { create: true });
  if ('ok' in d) return d;
  try {
    return fn(d);
  } finally {
    d.close();
  }
}

/**
 * Comment out line `lineNo` (1-based) of the cron file at `hostPath` in `tree`. Every other byte stays
 * identical; owner and mode are kept; the new content replaces the file atomically in its own pinned
 * directory (as `crontab` does), whose mtime is touched so cron re-reads its spool.
 */
export function commentOutLine(tree: SafeTree, hostPath: string, lineNo: number, opts: CommentOutOptions): EditResult {
  const now = opts.now ?? Date.now;
  const shown = sanitize(hostPath);
  const refuseWith = (why: string): EditResult => ({ ok: false, path: hostPath, message: `${why}: nothing was changed` });
  if (!isCronLocation(opts.kind, hostPath)) {
    return refuseWith(`${shown} is not where a ${opts.kind} lives on this system; minewatch edits cron files only in their real locations`);
  }
  let current = '';
  let backupPath: string | undefined;
  const r = replaceFile(
    tree,
    hostPath,
    (buf) => {
      const spans = lineSpans(buf);
      if (!Number.isInteger(lineNo) || lineNo < 1 || lineNo > spans.length) {
        return refuse('changed', hostPath, `${shown} has no line ${lineNo} (it has ${spans.length})`);
      }
      const [s, e] = spans[lineNo - 1];
      current = buf.subarray(s, e).toString('utf8');
      const expected = opts.expectedText;
      if (current !== expected && current.replace(/\r$/, '') !== expected.replace(/\r$/, '')) {
        return refuse('changed', hostPath, `line ${lineNo} of ${shown} changed since it was shown (it is now "${sanitize(current)}")`);
      }
      const note = opts.marker ? ` [${opts.marker.replace(/[\r\n]/g, ' ')}]` : '';
      const prefix = Buffer.from(`# disabled by minewatch ${new Date(now()).toISOString()}${note}: `, 'utf8');
      return Buffer.concat([buf.subarray(0, s), prefix, buf.subarray(s)]);
    },
    {
      now,
      // Backup, byte for byte, plus owner/mode, before anything is written; no backup, no edit.
      beforeWrite: (original, st) =>
        withBackupDir(opts.backupDir, (d) => {
          const base = `${safeBase(path.posix.basename(hostPath))}.${stamp(now())}`;
          const b = writeUnique(d, base, '', original);
          if (!b.ok) return b;
          backupPath = path.join(opts.backupDir, b.name);
          const meta = { path: hostPath, root: tree.root, uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8), mtime: st.mtime.toISOString(), line: lineNo, text: current };
          const m = writeUnique(d, b.name, '.meta.json', JSON.stringify(meta, null, 2) + '\n');
          return m.ok ? null : m;
        }) as Refusal | null,
    },
  );
  if (!r.ok) {
    const why = r.reason === 'changed' && r.detail.includes(shown) ? r.detail : describeRefusal(r);
    return { ...refuseWith(sanitize(why)), ...(backupPath ? { backupPath } : {}) };
  }
  return {
    ok: true,
    path: hostPath,
    backupPath,
    message: `commented out line ${lineNo} of ${shown} ("${sanitize(current)}"); original saved as ${sanitize(backupPath ?? '')}`,
  };
}

/**
 * Remove one enablement symlink from a `*.wants/` directory after recording where it pointed. The unit
 * file itself stays; a running instance is not stopped by this. `expectTarget` is the link text seen
 * when the link was chosen: if it changed, nothing is removed.
 */
export function disableUnitLink(
  tree: SafeTree,
  linkHostPath: string,
  opts: { backupDir: string; expectTarget?: string; owners?: number[]; now?: () => number },
): EditResult {
  const now = opts.now ?? Date.now;
  const shown = sanitize(linkHostPath);
  const refuseWith = (why: string): EditResult => ({ ok: false, path: linkHostPath, message: `${why}: nothing was changed` });
  if (!path.posix.basename(path.posix.dirname(linkHostPath)).endsWith('.wants')) return refuseWith(`${shown} is not inside a *.wants/ directory`);
  // Record first (no record, no removal), then remove the link if its text is still the same.
  let record: string | undefined;
  const rec = withBackupDir(opts.backupDir, (d) => {
    const body = { link: linkHostPath, root: tree.root, target: opts.expectTarget ?? null, removedAt: new Date(now()).toISOString(), restore: ['ln', '-s', opts.expectTarget ?? '?', linkHostPath] };
    const w = writeUnique(d, `${safeBase(path.posix.basename(linkHostPath))}.${stamp(now())}`, '.link.json', JSON.stringify(body, null, 2) + '\n');
    if (w.ok) record = path.join(opts.backupDir, w.name);
    return w;
  });
  if (!rec.ok) return refuseWith(`the removal could not be recorded (${sanitize(describeRefusal(rec))})`);
  const r = removeSymlink(tree, linkHostPath, { expectTarget: opts.expectTarget, owners: opts.owners });
  if (!r.ok) return { ...refuseWith(sanitize(describeRefusal(r))), backupPath: record };
  return {
    ok: true,
    path: linkHostPath,
    backupPath: record,
    message:
      `removed ${shown} (it pointed to ${sanitize(r.target)}), so the unit is no longer started by that target; ` +
      `the target was recorded in ${sanitize(record ?? '')}. A running instance is not stopped, and systemd needs a daemon-reload to notice.`,
  };
}

/** What disabling an entry from the persistence pane or a plan needs. */
export interface DisableRequest {
  entryId: string;
  kind: string;
  /** Host path of the entry's file. */
  path: string;
  line: number | null;
  raw: string;
}

/**
 * Disable one persistence entry: comment out a cron line, or remove the *.wants/ links of exactly
 * that unit. An intent record goes to the audit log first (if it cannot be written, this throws and
 * nothing is changed); each change is audited once.
 */
export function disableEntry(
  req: DisableRequest,
  ctx: { tree: SafeTree; backupDir: string; audit: { append(r: { action: 'persistence-change'; result: string; message: string; details?: Record<string, unknown> }): unknown }; wants: (tree: SafeTree, unitPath: string) => { path: string; target: string; owners: number[] }[]; now?: () => number },
): EditResult[] {
  const shown = sanitize(req.path);
  const results: EditResult[] = [];
  if (req.kind === 'systemd-unit' || req.kind === 'systemd-timer') {
    const links = ctx.wants(ctx.tree, req.path);
    if (links.length === 0) return [{ ok: false, path: req.path, message: `no *.wants/ link enables ${shown}: nothing to disable` }];
    ctx.audit.append({ action: 'persistence-change', result: 'started', message: `removing ${links.length} *.wants/ link(s) of ${shown}`, details: { entry: req.entryId, links: links.map((l) => l.path) } });
    for (const l of links) results.push(disableUnitLink(ctx.tree, l.path, { backupDir: ctx.backupDir, expectTarget: l.target, owners: l.owners, now: ctx.now }));
  } else if ((req.kind === 'user-crontab' || req.kind === 'system-crontab' || req.kind === 'anacrontab') && req.line !== null) {
    ctx.audit.append({ action: 'persistence-change', result: 'started', message: `commenting out line ${req.line} of ${shown}`, details: { entry: req.entryId, path: req.path, line: req.line } });
    results.push(commentOutLine(ctx.tree, req.path, req.line, { kind: req.kind, backupDir: ctx.backupDir, expectedText: req.raw, marker: 'minewatch', now: ctx.now }));
  } else {
    return [{ ok: false, path: req.path, message: `${req.kind} entries cannot be disabled from minewatch: nothing was changed` }];
  }
  for (const r of results) {
    ctx.audit.append({ action: 'persistence-change', result: r.ok ? 'ok' : 'refused', message: r.message, details: { entry: req.entryId, path: r.path, backup: r.backupPath ?? null } });
  }
  return results;
}
