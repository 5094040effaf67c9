// /proc/PID/stat, parsed from the last ')' because comm (field 2) may itself contain spaces and ')'.
// Field numbers follow proc_pid_stat(5).

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
  numThreads: number;
  startTicks: number;
  rssPages: number;
}

export function parseStat(text: string): StatFields | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  const rest = text.slice(close + 2).split(' ');
  if (rest.length < 22 || !Number.isInteger(pid)) return null;
  return {
    pid,
    comm,
    state: rest[0],
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    session: Number(rest[3]),
    ttyNr: Number(rest[4]),
    flags: Number(rest[6]),
    utime: Number(rest[11]),
    stime: Number(rest[12]),
    numThreads: Number(rest[17]),
    startTicks: Number(rest[19]),
    rssPages: Number(rest[21]),
  };
}
