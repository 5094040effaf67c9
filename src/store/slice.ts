// How the store's slices are built: each is a function of a shared context that returns its initial
// state and its actions. Slices read the whole state through get() (a kill dialog needs the live
// snapshot) but each writes only its own fields, plus the row refresh that view changes trigger.
import type { StoreApi } from 'zustand/vanilla';
import type { AppState } from './appStore';
import type { DashboardServices } from './types';

export interface SliceContext {
  set: StoreApi<AppState>['setState'];
  get: () => AppState;
  services: DashboardServices | undefined;
  /** Recompute the rows from the shown snapshot and the view settings (with `patch` applied first),
   *  keeping the cursor on the same process. */
  refresh(patch?: Partial<AppState>): void;
  /** Show a status message; it goes away by itself after a few seconds. */
  say(message: string | null): void;
}

export interface Slice<S, A> {
  state: S;
  actions: A;
}
