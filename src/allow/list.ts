// The allow-list: executables an admin vouches for, each by the SHA-256 of its content AND its path.
// Never by name: a miner can call itself anything, but it cannot have the hash of /usr/bin/rsync and
// run from /usr/bin/rsync at the same time.
//
// File format (/etc/minewatch/allow, root-owned, not writable by group or others), one entry a line,
// the same as `sha256sum` prints, so `sha256sum /opt/lab/bin/solver >> /etc/minewatch/allow` works:
//
//     <64 hex digits>  /absolute/path/of/the/executable   # optional note
//
// Blank lines and lines starting with # are ignored; anything else that does not parse is reported.

export const ALLOW_FILE = '/etc/minewatch/allow';

export interface AllowEntry {
  /** Lower-case hex SHA-256 of the executable's content. */
  sha256: string;
  /** Absolute path the kernel reports for the executable (/proc/PID/exe). */
  path: string;
  note: string;
  /** Where the entry came from: "/etc/minewatch/allow:3", or "this session (a on PID 812)". */
  source: string;
}

export interface ParsedAllowList {
  entries: AllowEntry[];
  /** Lines that were not entries, in words ("line 4: no path after the hash"). */
  problems: string[];
}

const LINE = /^([0-9a-fA-F]{64})\s+\*?(\/\S.*?)\s*(?:#\s?(.*))?$/;

export function parseAllowList(text: string, source: string): ParsedAllowList {
  const entries: AllowEntry[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) {
      problems.push(`${source}:${i + 1}: not "SHA256  /absolute/path" (ignored)`);
      return;
    }
    const path = m[2].trim();
    if (path.includes('\0') || /(^|\/)\.\.?(\/|$)/.test(path)) {
      problems.push(`${source}:${i + 1}: the path must be absolute and plain (ignored)`);
      return;
    }
    entries.push({ sha256: m[1].toLowerCase(), path, note: (m[3] ?? '').trim(), source: `${source}:${i + 1}` });
  });
  return { entries, problems };
}

/** One line of the allow file for an entry (what `a` appends). */
export function formatAllowLine(e: Pick<AllowEntry, 'sha256' | 'path' | 'note'>): string {
  const note = e.note.replace(/[\r\n]+/g, ' ').trim();
  return `${e.sha256}  ${e.path}${note ? `  # ${note}` : ''}`;
}
