// The dashboard's state: one vanilla zustand store built from slices, created by a factory so every
// test gets its own. Each slice (rows and selection, view settings, panes, the signal dialog, the
// incident view, the allow key, host history, the status line) holds its own fields and actions and
// has its own tests; this file only puts them together. The poller (outside React) calls ingest()
// once per tick; views select narrowly.
// Derived rows are computed inside actions, never in selectors (zustand v5 needs stable selector output).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Assessment, ProcessInfo } from '../model';
import { deepSlice, type DeepActions, type DeepScanFn, type DeepState } from './deepSlice';
import type { IncidentService } from '../incident/service';
import { incidentSlice, type IncidentActions, type IncidentState } from './incidentSlice';
import { allowSlice, type AllowActions, type AllowService, type AllowState } from './allowSlice';
import { hostSlice, type HostActions, type HostState } from './hostSlice';
import { killSlice, type KillActions, type KillState } from './killSlice';
import { paneSlice, type PaneActions, type PaneState } from './paneSlice';
import { rowsSlice, type RowsActions, type RowsState } from './rowsSlice';
import type { SliceContext } from './slice';
import { statusSlice, type StatusActions, type StatusState } from './statusSlice';
import type { DashboardServices, HostInfo, PaneContent } from './types';
import { viewSlice, type ViewActions, type ViewOptions, type ViewState } from './viewSlice';

export type { HostInfo, DashboardServices, KillPrep, KillMember, Outcome, PaneContent, PersistenceAction } from './types';
export type { Overlay, Pane } from './paneSlice';
export type { KillDialog, KillOption } from './killSlice';
export type { DeepRun } from './deepSlice';
export type { IncidentUi } from './incidentSlice';
export type { AllowService } from './allowSlice';
export { membersOf } from './killSlice';
export { KILL_CHOICES } from './killSlice';
export { INTERVALS } from './viewSlice';
export { rowsUnchanged } from './rowsSlice';

export type AppActions = RowsActions & ViewActions & PaneActions & KillActions & HostActions & StatusActions & DeepActions & IncidentActions & AllowActions;

export type AppState = RowsState & ViewState & PaneState & KillState & HostState & StatusState & DeepState & IncidentState & AllowState & { actions: AppActions };

export interface StoreOptions extends ViewOptions {
  services?: DashboardServices;
  /** The incident view's engine (open an incident, run its containment plan). */
  incident?: IncidentService;
  /** This run's incident record (evidence directory, audit log), for the record pane. */
  record?: () => PaneContent;
  /** The allow key (a): hash the selected process's executable, then mark it known-good on y. */
  allow?: AllowService;
  host?: Partial<HostInfo>;
  /** How long a status message stays (default a few seconds). */
  messageMs?: number;
  /** Runs the deep scan (src/deep) and reports progress; absent where it is not available. */
  deepScan?: DeepScanFn;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(opts: StoreOptions = {}): AppStore {
  return createStore<AppState>()((set, get) => {
    const status = statusSlice({
      set, get, readonly: opts.services?.readonly ?? false, evidenceDir: opts.services?.evidenceDir ?? '', messageMs: opts.messageMs,
    });
    const ctx: SliceContext = { set, get, services: opts.services, refresh: (p) => rows.refresh(p), say: status.say };
    const rows = rowsSlice(ctx);
    const view = viewSlice(ctx, opts);
    const panes = paneSlice(ctx, opts.record);
    const kill = killSlice(ctx);
    const host = hostSlice(ctx, opts.host);
    const deep = deepSlice(ctx, opts.deepScan);
    const incident = incidentSlice(ctx, opts.incident);
    const allow = allowSlice(ctx, opts.allow);
    return {
      ...rows.state, ...view.state, ...panes.state, ...kill.state, ...host.state, ...status.state, ...deep.state, ...incident.state, ...allow.state,
      actions: {
        ...rows.actions, ...view.actions, ...panes.actions, ...kill.actions, ...host.actions, ...status.actions, ...deep.actions, ...incident.actions, ...allow.actions,
      },
    };
  });
}

/** The selected process, from the shown snapshot (a stable reference while it does not change). */
export const selectedProc = (s: AppState): ProcessInfo | null => (s.selectedPid !== null ? s.snapshot?.processes.get(s.selectedPid) ?? null : null);
/** The selected process's assessment, or null. */
export const selectedAssessment = (s: AppState): Assessment | null => (s.selectedPid !== null ? s.assessments.get(s.selectedPid) ?? null : null);
