// The only two edits minewatch makes to persistence, each on an explicit request: comment out one
// line (crontab, rc file, authorized_keys...) or remove one *.wants/ symlink. Both keep a backup first
// and say exactly what they did. The caller writes the audit record.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sanitize } from '../text/sanitize';

export interface EditResult {
  ok: boolean;
  message: string;
  path: string;
  backupPath?: string;
}

export interface CommentOutOptions {
  backupDir: string;
  /** The line as it was shown to the user (without its newline); the edit is refused if it differs. */
  expectedText: string;
  /** Optional short note kept in the comment, e.g. a finding id. */
  marker?: string;
  now?: () => number;
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-');
}

function ensurePrivateDir(dir: string): void {
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
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

function uniqueBackupName(dir: string, base: string, ms: number): string {
  const name = `${base}.${stamp(ms)}`;
  let candidate = path.join(dir, name);
  for (let n = 1; fs.existsSync(candidate); n++) candidate = path.join(dir, `${name}-${n}`);
  return candidate;
}

/**
 * Comment out line `lineNo` (1-based) of `file`. Every other byte stays identical; owner and mode are
 * kept; the new content is written to a temp file in the same directory and renamed over the original
 * (as `crontab` does), then the directory's mtime is touched so cron re-reads its spool.
 */
export function commentOutLine(file: string, lineNo: number, opts: CommentOutOptions): EditResult {
  const now = opts.now ?? Date.now;
  const shown = sanitize(file);
  const refuse = (why: string): EditResult => ({ ok: false, path: file, message: `${why}: nothing was changed` });
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (err) {
    return refuse(`cannot open ${shown} (${(err as NodeJS.ErrnoException).code})`);
  }
  const before = fs.statSync(real);
  if (!before.isFile()) return refuse(`${shown} is not a regular file`);
  const buf = fs.readFileSync(real);
  const spans = lineSpans(buf);
  if (!Number.isInteger(lineNo) || lineNo < 1 || lineNo > spans.length) {
    return refuse(`${shown} has no line ${lineNo} (it has ${spans.length})`);
  }
  const [s, e] = spans[lineNo - 1];
  const current = buf.subarray(s, e).toString('utf8');
  const expected = opts.expectedText;
  if (current !== expected && current.replace(/\r$/, '') !== expected.replace(/\r$/, '')) {
    return refuse(`line ${lineNo} of ${shown} changed since it was shown (it is now "${sanitize(current)}")`);
  }

  // 1. Backup, byte for byte, plus a note of owner/mode so it can be restored exactly.
  ensurePrivateDir(opts.backupDir);
  const backupPath = uniqueBackupName(opts.backupDir, path.basename(real), now());
  fs.copyFileSync(real, backupPath, fs.constants.COPYFILE_EXCL);
  fs.chmodSync(backupPath, 0o600);
  fs.writeFileSync(
    backupPath + '.meta.json',
    JSON.stringify({ path: real, uid: before.uid, gid: before.gid, mode: (before.mode & 0o7777).toString(8), mtime: before.mtime.toISOString(), line: lineNo, text: current }, null, 2) + '\n',
    { flag: 'wx', mode: 0o600 },
  );

  // 2. New content: only the chosen line gains a prefix.
  const note = opts.marker ? ` [${opts.marker.replace(/[\r\n]/g, ' ')}]` : '';
  const prefix = Buffer.from(`# disabled by minewatch ${new Date(now()).toISOString()}${note}: `, 'utf8');
  const next = Buffer.concat([buf.subarray(0, s), prefix, buf.subarray(s)]);

  // 3. Temp file in the same directory, same owner and mode, then rename.
  const dir = path.dirname(real);
  const tmp = path.join(dir, `.${path.basename(real)}.minewatch-${crypto.randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, next);
    try {
      fs.fchownSync(fd, before.uid, before.gid);
    } catch (err) {
      // Not root: we can only keep files we own; if the owner differs, give up rather than change it.
      if (before.uid !== process.geteuid?.()) {
        fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
        return refuse(`cannot keep the owner (uid ${before.uid}) of ${shown}: ${(err as NodeJS.ErrnoException).code}; run minewatch as root`);
      }
    }
    fs.fchmodSync(fd, before.mode & 0o7777);
    fs.fsyncSync(fd);
  } catch (err) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    return refuse(`could not write the new version of ${shown} (${(err as NodeJS.ErrnoException).code})`);
  }
  fs.closeSync(fd);

  // The file must not have changed while we worked on it.
  const again = fs.statSync(real);
  if (again.ino !== before.ino || again.size !== before.size || again.mtimeMs !== before.mtimeMs) {
    fs.rmSync(tmp, { force: true });
    return refuse(`${shown} was modified by something else while it was being edited (backup kept at ${backupPath})`);
  }
  fs.renameSync(tmp, real);
  try {
    const t = new Date(now());
    fs.utimesSync(dir, t, t);
  } catch {
    /* rename already updated the directory mtime */
  }
  return {
    ok: true,
    path: real,
    backupPath,
    message: `commented out line ${lineNo} of ${sanitize(real)} ("${sanitize(current)}"); original saved as ${sanitize(backupPath)}`,
  };
}

/**
 * Remove one enablement symlink from a `*.wants/` directory after recording where it pointed. The unit
 * file itself stays; a running instance is not stopped by this.
 */
export function disableUnitLink(linkPath: string, opts: { backupDir: string; now?: () => number }): EditResult {
  const now = opts.now ?? Date.now;
  const shown = sanitize(linkPath);
  const refuse = (why: string): EditResult => ({ ok: false, path: linkPath, message: `${why}: nothing was changed` });
  if (!path.basename(path.dirname(linkPath)).endsWith('.wants')) return refuse(`${shown} is not inside a *.wants/ directory`);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(linkPath);
  } catch (err) {
    return refuse(`cannot find ${shown} (${(err as NodeJS.ErrnoException).code})`);
  }
  if (!st.isSymbolicLink()) return refuse(`${shown} is not a symbolic link`);
  const target = fs.readlinkSync(linkPath);
  ensurePrivateDir(opts.backupDir);
  const record = uniqueBackupName(opts.backupDir, path.basename(linkPath), now()) + '.link.json';
  fs.writeFileSync(
    record,
    JSON.stringify({ link: linkPath, target, removedAt: new Date(now()).toISOString(), restore: ['ln', '-s', target, linkPath] }, null, 2) + '\n',
    { flag: 'wx', mode: 0o600 },
  );
  try {
    fs.unlinkSync(linkPath);
  } catch (err) {
    return refuse(`could not remove ${shown} (${(err as NodeJS.ErrnoException).code})`);
  }
  return {
    ok: true,
    path: linkPath,
    backupPath: record,
    message:
      `removed ${shown} (it pointed to ${sanitize(target)}), so the unit is no longer started by that target; ` +
      `the target was recorded in ${sanitize(record)}. A running instance is not stopped, and systemd needs a daemon-reload to notice.`,
  };
}
