// View settings: tree or list, sort, filter, "flagged only", folded subtrees, refresh interval.
// Every change that alters which rows show goes through ctx.refresh, so the rows and the cursor follow.
import { SORT_KEYS, type SortKey } from '../view/tree';
import type { Slice, SliceContext } from './slice';

export const INTERVALS = [250, 500, 1000, 2000, 3000, 5000, 10000];

export interface ViewState {
  mode: 'tree' | 'list';
  sort: SortKey;
  descending: boolean;
  filter: string;
  editingFilter: boolean;
  flaggedOnly: boolean;
  collapsed: ReadonlySet<number>;
  intervalMs: number;
}

export interface ViewActions {
  startFilter(): void;
  typeFilter(text: string): void;
  backspaceFilter(): void;
  acceptFilter(): void;
  clearFilter(): void;
  toggleFlaggedOnly(): void;
  toggleMode(): void;
  cycleSort(): void;
  reverseSort(): void;
  changeInterval(direction: 1 | -1): void;
}

export interface ViewOptions {
  intervalMs?: number;
  filter?: string;
  flaggedOnly?: boolean;
  mode?: 'tree' | 'list';
  /** 'tree': siblings in PID order (the tree as ps draws it). */
  sort?: SortKey;
}

/** Sorts where a bigger value comes first by default. */
const DESCENDING: ReadonlySet<SortKey> = new Set(['cpu', 'mem', 'score']);

export function viewSlice(ctx: SliceContext, opts: ViewOptions = {}): Slice<ViewState, ViewActions> {
  const { set, get, refresh } = ctx;
  return {
    state: {
      // A responder opens minewatch because something is wrong: the tree with flagged work first (by
      // concern, then CPU), so the worst process shows with its launcher and children.
      mode: opts.mode ?? 'tree',
      sort: opts.sort ?? 'score',
      descending: DESCENDING.has(opts.sort ?? 'score'),
      filter: opts.filter ?? '',
      editingFilter: false,
      flaggedOnly: opts.flaggedOnly ?? false,
      collapsed: new Set(),
      intervalMs: opts.intervalMs ?? 1000,
    },
    actions: {
      startFilter() { set({ editingFilter: true }); },
      typeFilter(text) { refresh({ filter: get().filter + text }); },
      backspaceFilter() { refresh({ filter: get().filter.slice(0, -1) }); },
      acceptFilter() { set({ editingFilter: false }); },
      clearFilter() { refresh({ filter: '', editingFilter: false }); },
      toggleFlaggedOnly() { refresh({ flaggedOnly: !get().flaggedOnly }); },
      toggleMode() {
        const s = get();
        if (s.mode === 'list') refresh({ mode: 'tree' });
        else if (s.sort === 'tree') refresh({ mode: 'list', sort: 'score', descending: true }); // a list in PID order says little
        else refresh({ mode: 'list' });
      },
      cycleSort() {
        const s = get();
        const i = SORT_KEYS.indexOf(s.sort);
        const sort = SORT_KEYS[(i + 1) % SORT_KEYS.length];
        refresh({ sort, descending: DESCENDING.has(sort) });
      },
      reverseSort() { refresh({ descending: !get().descending }); },
      changeInterval(direction) {
        const cur = get().intervalMs;
        const i = INTERVALS.findIndex((v) => v >= cur);
        const next = INTERVALS[Math.max(0, Math.min(INTERVALS.length - 1, (i < 0 ? INTERVALS.length - 1 : i) + direction))];
        set({ intervalMs: next });
        ctx.say(`refresh every ${next >= 1000 ? `${next / 1000} s` : `${next} ms`}`);
      },
    },
  };
}
