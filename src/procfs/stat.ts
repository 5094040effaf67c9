// /proc/PID/stat, parsed from the last ')' because comm (field 2) may itself contain spaces and ')'.
// Field numbers follow proc_pid_stat(5). The poll loop parses the raw bytes (parseStatBytes): only the
// fields it needs, no per-field strings; parseStat(text) is the same parser over a string.

export const PF_KTHREAD = 0x00200000;

export interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  flags: number;
  utime: number;
  stime: number;
  /** Fields 16-17: CPU time of the children it has waited for (reaped). */
  cutime: number;
  cstime: number;
  numThreads: number;
  startTicks: number;
  rssPages: number;
}

const SPACE = 0x20;
const OPEN = 0x28; // (
const CLOSE = 0x29; // )

/** Numeric value of bytes [from, to): digits with an optional leading '-', else NaN. */
function num(buf: Uint8Array, from: number, to: number): number {
  let i = from;
  let neg = false;
  if (i < to && buf[i] === 0x2d) { neg = true; i++; }
  if (i >= to) return NaN;
  let v = 0;
  for (; i < to; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** State letters are ASCII: one shared string each instead of a slice per process. */
const STATE_STRINGS: string[] = [];
for (let c = 0; c < 128; c++) STATE_STRINGS.push(String.fromCharCode(c));

/**
 * Parse the first `len` bytes of `buf` as /proc/PID/stat. Pass the previous comm as `knownComm` to reuse that
 * string when the bytes are unchanged (no allocation for the name of a process seen before).
 */
export function parseStatBytes(buf: Buffer, len: number, knownComm?: string): StatFields | null {
  let open = -1;
  for (let i = 0; i < len; i++) if (buf[i] === OPEN) { open = i; break; }
  let close = -1;
  for (let i = len - 1; i > open; i--) if (buf[i] === CLOSE) { close = i; break; }
  if (open < 0 || close < 0) return null;
  let ps = 0;
  let pe = open;
  while (ps < pe && buf[ps] <= SPACE) ps++;
  while (pe > ps && buf[pe - 1] <= SPACE) pe--;
  const pid = num(buf, ps, pe);
  if (!Number.isInteger(pid)) return null;

  // Fields after ") ": index 0 is state (field 3).
  let state = '';
  let ppid = 0, pgrp = 0, session = 0, ttyNr = 0, flags = 0, utime = 0, stime = 0, cutime = 0, cstime = 0, numThreads = 0, startTicks = 0;
  let rssPages = 0;
  let field = 0;
  let start = close + 2;
  if (start > len) return null;
  for (let i = start; i <= len; i++) {
    if (i < len && buf[i] !== SPACE && buf[i] !== 0x0a) continue;
    switch (field) {
      case 0: { const c = buf[start]; state = i - start === 1 && c < 128 ? STATE_STRINGS[c] : buf.toString('utf8', start, i); break; }
      case 1: ppid = num(buf, start, i); break;
      case 2: pgrp = num(buf, start, i); break;
      case 3: session = num(buf, start, i); break;
      case 4: ttyNr = num(buf, start, i); break;
      case 6: flags = num(buf, start, i); break;
      case 11: utime = num(buf, start, i); break;
      case 12: stime = num(buf, start, i); break;
      case 13: cutime = num(buf, start, i); break;
      case 14: cstime = num(buf, start, i); break;
      case 17: numThreads = num(buf, start, i); break;
      case 19: startTicks = num(buf, start, i); break;
      case 21: rssPages = num(buf, start, i); break;
    }
    field++;
    start = i + 1;
    if (field > 21) break;
    if (i < len && buf[i] === 0x0a) break;
  }
  if (field < 22) return null;
  let comm: string;
  const commLen = close - open - 1;
  if (knownComm !== undefined && knownComm.length === commLen && sameAscii(buf, open + 1, knownComm)) comm = knownComm;
  else comm = buf.toString('utf8', open + 1, close);
  return { pid, comm, state, ppid, pgrp, session, ttyNr, flags, utime, stime, cutime, cstime, numThreads, startTicks, rssPages };
}

/** Whether bytes at `from` spell `s` exactly, for an all-ASCII `s` (a non-ASCII name never matches: decoded afresh). */
function sameAscii(buf: Uint8Array, from: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || buf[from + i] !== c) return false;
  }
  return true;
}

export function parseStat(text: string): StatFields | null {
  const buf = Buffer.from(text, 'utf8');
  return parseStatBytes(buf, buf.length);
}
