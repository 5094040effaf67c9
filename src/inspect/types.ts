// The /proc/PID inspector's report: what a responder used to gather by hand (cat /proc/PID/*, ls -la,
// file, sha256sum, strings, ss -tulnp, id, groups, sudo -l, last, ~/.bash_history) as one structure.
// Every string in here is raw and hostile (it comes from the process or the host): renderers must
// pass it through sanitize() (format.ts does).

import type { Connection } from '../model';

/** One part of the report: either the data, or a plain-words reason it could not be read. */
export type Section<T> = { ok: true; data: T } | { ok: false; reason: string };

export interface Identity {
  pid: number;
  ppid: number;
  /** comm (stat field 2), set by the process itself. */
  name: string;
  state: string;
  /** Real uid (first field of status Uid:): who started it. */
  uid: number;
  /** Effective uid (second field), what the dashboard's USER shows; set only when it differs (setuid). */
  effectiveUid?: number;
  effectiveUser?: string;
  /** User name from <root>/etc/passwd, or the uid as a string when unknown. */
  user: string;
  /** Primary gid first, then the supplementary gids of status Groups:, without duplicates. */
  gids: number[];
  /** Names of `gids` (numeric string when a gid has no name in <root>/etc/group). */
  groups: string[];
  /** value null means "unknown" (sudoers unreadable); `why` says which evidence decided. */
  canSudo: { value: boolean | null; why: string };
  shell: string | null;
  home: string | null;
  /** Milliseconds since the epoch (boot time + stat field 22). */
  startTime: number;
  /** Clock ticks since boot (stat field 22): with pid, the identity of a process. */
  startTicks: number;
  ttyNr: number;
  session: number;
  cgroup: string | null;
  /** Parent chain, nearest parent first, ending at PID 1 (or where the chain could not be followed). */
  ancestry: { pid: number; name: string }[];
}

export interface StringsHit {
  kind: 'stratum' | 'pool' | 'wallet' | 'miner';
  text: string;
}

export interface Executable {
  /** Target of /proc/PID/exe without the " (deleted)" suffix. */
  path: string | null;
  deleted: boolean;
  memfd: boolean;
  size: number | null;
  /** Permission bits (st_mode & 0o7777). */
  mode: number | null;
  owner: string | null;
  /** Milliseconds since the epoch. */
  mtime: number | null;
  /** "ELF 64-bit executable, x86-64", "script (/bin/sh)", "UPX-packed ELF 64-bit ...", "data", ... */
  fileType: string;
  /** null in inspectQuick, or when hashing failed (see hashNote). */
  sha256: string | null;
  md5: string | null;
  /** Miner indicators found in the printable strings of the first MiBs of the binary. */
  stringsHits: StringsHit[];
  /** Why the hashes are missing, when inspectProcess tried and failed ("process has exited", ...). */
  hashNote?: string;
  /** Bytes hashed and how far the strings scan went (inspectProcess only). */
  bytesHashed?: number;
  stringsScanned?: number;
}

export interface EnvVar {
  name: string;
  value: string;
  flag?: 'preload' | 'secret-masked';
}

export interface OpenFiles {
  files: string[];
  /** Socket inodes. */
  sockets: number[];
  pipes: number;
  /** anon_inode:[eventfd], /memfd: ..., anything that is neither a path, a socket nor a pipe. */
  other: string[];
  /** Total fd entries seen (the lists above are capped). */
  total: number;
  /** fd links that could not be read (EACCES and the like). */
  unreadable: number;
  /** How many fds point at each kind (several fds can share a file or a socket; the lists hold each once). */
  fds?: { files: number; sockets: number; pipes: number; other: number };
}

/** A socket of the process: the reader's Connection, with UDP too (state UNCONN for unconnected UDP). */
export type InspectConnection = Omit<Connection, 'protocol'> & {
  protocol: Connection['protocol'] | 'udp' | 'udp6';
  /** The remote port (or, for a listener, the local port) is a well-known mining pool port. */
  poolPort: boolean;
};

export interface MemoryMaps {
  regions: number;
  mappedFiles: string[];
  /** Deleted code still mapped (executable mappings or *.so whose file was deleted), suffix removed. */
  deletedLibs: string[];
  /** Executable mappings of files under world-writable directories (/tmp, /var/tmp, /dev/shm, ...). */
  writableDirLibs: string[];
}

export interface LoginRecord {
  user: string;
  tty: string;
  host: string;
  /** Milliseconds since the epoch, null when the source had no parsable time. */
  time: number | null;
}

export interface Logins {
  /** Newest first. */
  last: LoginRecord[];
  failed: LoginRecord[];
  /** Where the records came from, e.g. "/var/log/wtmp, /var/log/btmp" or "/var/log/auth.log". */
  source: string;
}

export interface History {
  file: string;
  /** Last lines, oldest first. */
  lines: string[];
  /** e.g. "~/.bash_history linked to /dev/null" (history deliberately disabled). */
  note?: string;
}

export interface InspectReport {
  pid: number;
  takenAt: number;
  identity: Section<Identity>;
  executable: Section<Executable>;
  cwd: Section<string>;
  cmdline: Section<string[]>;
  /** The command line was longer than the inspector keeps (INSPECT_CMDLINE_CAP): the rest is not shown. */
  cmdlineTruncated?: boolean;
  environment: Section<EnvVar[]>;
  openFiles: Section<OpenFiles>;
  connections: Section<InspectConnection[]>;
  memoryMaps: Section<MemoryMaps>;
  logins: Section<Logins>;
  history: Section<History>;
}

export interface InspectOptions {
  procRoot?: string;
  root?: string;
}

export interface InspectProcessOptions extends InspectOptions {
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}
