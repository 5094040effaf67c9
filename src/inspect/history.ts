// The tail of the process owner's shell history: what they (or an intruder using their account) typed.

import path from 'node:path';
import { SafeTree, entryInfo } from '../fsafe/index';
import { sanitize } from '../text/sanitize';
import type { History } from './types';
import { KiB, readUserFile, SectionError } from './util';

export const HISTORY_FILES = ['.bash_history', '.zsh_history', '.ash_history', '.sh_history', '.history'];
export const HISTORY_LINES = 20;
const HISTORY_TAIL = 64 * KiB;

/** zsh extended history ": 1700000000:0;command" shows as the command. */
function stripZsh(line: string): string {
  const m = /^: \d+:\d+;(.*)$/.exec(line);
  return m ? m[1]! : line;
}

export function tailLines(text: string, n: number, truncatedStart: boolean): string[] {
  const lines = text.split('\n');
  if (truncatedStart) lines.shift(); // first line is probably cut
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n).map(stripZsh);
}

/** Most recently modified history file in `home` (under `root`), last 20 lines. */
export function readHistory(root: string, home: string | null): History {
  if (!home) throw new SectionError('owner has no home directory in /etc/passwd');
  let best: { file: string; mtime: number } | null = null;
  let denied = false;
  const nulled: string[] = [];
  const links: string[] = [];
  // The home's owner: their own directories are accepted on the way, nobody else's.
  const tree = new SafeTree(root);
  let owners: number[] = [];
  try {
    const h = entryInfo(tree, home);
    if (h.ok && h.stat.isDirectory()) owners = [h.stat.uid];
    for (const name of HISTORY_FILES) {
      const rel = path.posix.join(home, name);
      // lstat of the entry in its pinned, checked directory: a symlink is described, never followed.
      const e = entryInfo(tree, rel, { owners });
      if (!e.ok) {
        if (e.reason === 'denied') denied = true;
        else if (e.reason !== 'missing') links.push(`~/${name}: ${sanitize(e.detail)} (not read)`);
        continue;
      }
      if (e.target !== null) {
        // A history file linked to /dev/null is a classic way of not leaving one. Other links are
        // not followed: ~/.bash_history -> /etc/shadow must not put shadow on the admin's screen.
        if (e.target === '/dev/null') nulled.push(`~/${name} linked to /dev/null`);
        else links.push(`~/${name} is a link to ${sanitize(e.target)} (not followed)`);
        continue;
      }
      if (!e.stat.isFile()) continue;
      if (!best || e.stat.mtimeMs > best.mtime) best = { file: rel, mtime: e.stat.mtimeMs };
    }
  } finally {
    tree.close();
  }
  const notes = [...nulled, ...links];
  const note = notes.length ? notes.join('; ') : undefined;
  if (!best) {
    if (nulled.length) throw new SectionError(`history disabled: ${note}`);
    if (note) throw new SectionError(note);
    throw new SectionError(denied ? `needs root (EACCES) to read ${home}` : `no shell history in ${home}`);
  }
  // Opened again by the safe opener: whatever was swapped in since the lstat above is checked anew.
  const { buf, truncated } = readUserFile(root, best.file, HISTORY_TAIL, { over: 'tail', owners });
  const out: History = { file: best.file, lines: tailLines(buf.toString('utf8'), HISTORY_LINES, truncated) };
  if (note) out.note = note;
  return out;
}
