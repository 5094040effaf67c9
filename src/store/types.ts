// What the dashboard's store needs from the rest of minewatch, in the store's own terms: the services
// it calls (inspect, persistence, the response engine) and the typed content they hand back. The
// store imports nothing from src/app/: the app's services implement this port.
import type { Assessment, Severity, Snapshot } from '../model';
import type { ResponseSignal } from '../respond/index';
import type { Line } from '../text/content';

export type { ResponseSignal };

/** A persistence entry the user may disable from the persistence pane: the response engine's own type. */
import type { PersistenceAction } from '../respond/plan';
export type { PersistenceAction };

/** A member of the family, as the signal dialog lists it (raw strings: the view sanitizes). */
export interface KillMember {
  pid: number;
  /** target: the process chosen; launcher: what started it (and would start it again); descendant: a
   *  child of it; linked: started by the same persistence entry. */
  role: 'target' | 'launcher' | 'descendant' | 'linked';
  name: string;
  user: string;
  /** null when the owner could not be read. */
  uid: number | null;
  exe: string | null;
  cmdline: readonly string[];
}

/** Everything the signal dialog shows before anything is sent, as fields (the response engine's
 *  preparation carries these, plus the pinned identities it acts on). */
export interface KillPrep {
  info: {
    pid: number;
    name: string;
    user: string;
    uid: number | null;
    exe: string | null;
    exeDeleted: boolean;
    /** Milliseconds since the epoch. */
    startedAt: number;
    /** A Severity when flagged, else null. */
    severity: string | null;
    score: number | null;
    findings: readonly string[];
  };
  /** The target first, then the rest of its family, launchers first. */
  family: readonly KillMember[];
  /** Related processes left out, and why. */
  excluded: readonly { pid: number; why: string }[];
  /** Why minewatch will not signal it (PID 1, kernel thread, itself...), or null. */
  refusal: string | null;
  /** Why nothing can be done from here at all (a fixture /proc), or null. */
  readOnly: string | null;
}

/** One line of an action's outcome. */
export interface Outcome {
  text: string;
  /** ok: done; failed: refused or an error; info: a note (paths, counts); detail: a step on the way
   *  for one member (its freeze before the kill), listed last. */
  status: 'ok' | 'failed' | 'info' | 'detail';
}

export interface PaneContent {
  title: string;
  lines: Line[];
}

export interface DashboardServices {
  readonly: boolean;
  /** Why nothing can be changed, in words ("read-only mode (--readonly)", a fixture /proc), or null. */
  readonlyReason?: string | null;
  evidenceDir: string;
  /** Quick content at once, then the full report (hashes) when ready; returns a cancel function.
   *  `content` null: keep what is shown and change only the status. */
  inspect(pid: number, context: { snapshot: Snapshot; assessments: ReadonlyMap<number, Assessment> },
    update: (content: PaneContent | null, status: string | null) => void): () => void;
  persistence(pid: number | null, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): PaneContent & { actions: PersistenceAction[] };
  /** Comment out a cron line, or remove a unit's *.wants/ link; backup first, audited. */
  disablePersistence(action: PersistenceAction): Outcome[];
  prepareKill(pid: number, snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>): KillPrep | { error: string };
  act(prep: KillPrep, signal: ResponseSignal, family: boolean): Promise<Outcome[]>;
}

export interface HostInfo { hostname: string; kernel: string; distro: string | null }
