// The tail of the process owner's shell history: what they (or an intruder using their account) typed.

import fs from 'node:fs';
import path from 'node:path';
import type { History } from './types';
import { KiB, readTail, SectionError, underRoot } from './util';

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
  for (const name of HISTORY_FILES) {
    const rel = path.posix.join(home, name);
    try {
      const lst = fs.lstatSync(underRoot(root, rel));
      if (lst.isSymbolicLink()) {
        // A history file linked to /dev/null is a classic way of not leaving one. Other links are
        // not followed: ~/.bash_history -> /etc/shadow must not put shadow on the admin's screen.
        const target = fs.readlinkSync(underRoot(root, rel));
        if (target === '/dev/null') nulled.push(`~/${name} linked to /dev/null`);
        else links.push(`~/${name} is a link to ${target} (not followed)`);
        continue;
      }
      const st = lst;
      if (!st.isFile()) continue;
      if (!best || st.mtimeMs > best.mtime) best = { file: rel, mtime: st.mtimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  const notes = [...nulled, ...links];
  const note = notes.length ? notes.join('; ') : undefined;
  if (!best) {
    if (nulled.length) throw new SectionError(`history disabled: ${note}`);
    if (note) throw new SectionError(note);
    throw new SectionError(denied ? `needs root (EACCES) to read ${home}` : `no shell history in ${home}`);
  }
  const { buf, truncated } = readTail(underRoot(root, best.file), HISTORY_TAIL);
  const out: History = { file: best.file, lines: tailLines(buf.toString('utf8'), HISTORY_LINES, truncated) };
  if (note) out.note = note;
  return out;
}
