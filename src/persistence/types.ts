// Shapes of the persistence view: where something is installed that would start a program again
// (cron, at, systemd, rc scripts, shell start-up files, SSH keys, ld.so.preload, udev rules, PAM, XDG
// autostart, systemd generators, kernel modules at boot, /etc/environment). Plain data only.
import type { Finding, Severity } from '../model';

export type PersistenceKind = 'user-crontab' | 'system-crontab' | 'cron-script' | 'anacrontab' | 'at-job'
  | 'systemd-unit' | 'systemd-timer' | 'rc-script' | 'shell-startup' | 'authorized-keys' | 'ld-preload'
  | 'udev-rule' | 'pam' | 'xdg-autostart' | 'systemd-generator' | 'kernel-module' | 'environment';

export interface FileMeta {
  uid: number;
  /** Account name for uid from <root>/etc/passwd, or the uid as a string. */
  owner: string;
  /** Permission bits (mode & 0o7777). */
  mode: number;
  /** Milliseconds since the epoch. */
  mtime: number;
  size: number;
}

export interface PersistenceEntry {
  /** Stable: `${path}:${line}` or `${path}`. */
  id: string;
  kind: PersistenceKind;
  /** Host path (root prefix removed), e.g. /var/spool/cron/crontabs/abc. */
  path: string;
  /** 1-based line in the file. */
  line: number | null;
  /** User the entry runs as (crontab owner, user column, User= of a unit, home owner). */
  runsAs: string | null;
  /** "*\/5 * * * *", "@reboot", "OnCalendar=daily", an at time, or null. */
  schedule: string | null;
  /** The command part, raw (hostile: renderers sanitize). */
  command: string | null;
  /** The raw line / key line (hostile: renderers sanitize). */
  raw: string;
  file: FileMeta | null;
  /** File mtime within `recentDays` of `now`. */
  recentlyChanged: boolean;
  score: number;
  severity: Severity;
  findings: Finding[];
  /** Absolute paths and bare program names the command references (for linking to processes). */
  references: string[];
}

export interface PersistenceLocation {
  /** Host path. */
  path: string;
  status: 'read' | 'absent' | 'unreadable';
  reason?: string;
}

export interface PersistenceReport {
  entries: PersistenceEntry[];
  locations: PersistenceLocation[];
  warnings: string[];
}
