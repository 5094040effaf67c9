// Rows and selection: the shown snapshot (the frozen one while frozen) and the latest one, the forest,
// the visible rows, the cursor (which follows the process, not the row), scrolling and the viewport.
// Until the user moves, the cursor stands on the worst flagged process, scrolled so its launcher and
// children show with it.
import type { Assessment, Snapshot } from '../model';
import { countUnchecked } from '../view/coverage';
import { buildForest, flaggedOrder, type Forest, orderHolds, type Row, visibleRows } from '../view/tree';
import type { AppState } from './appStore';
import { hostPatch } from './hostSlice';
import type { Slice, SliceContext } from './slice';

export interface RowsState {
  /** The snapshot the rows are drawn from (the frozen one while frozen). */
  snapshot: Snapshot | null;
  assessments: ReadonlyMap<number, Assessment>;
  /** Latest collected snapshot, even while the view is frozen. */
  live: { snapshot: Snapshot; assessments: ReadonlyMap<number, Assessment> } | null;
  forest: Forest;
  rows: Row[];
  /** Indexes into `rows` of flagged process rows, ascending: what the above/below markers count. */
  flaggedRows: number[];
  selectedPid: number | null;
  /** The selected process exited: its PID, until the user moves. */
  exitedPid: number | null;
  /** The user has not moved the cursor yet: it follows the worst flagged process. */
  onThreat: boolean;
  scrollTop: number;
  viewportRows: number;
  viewportCols: number;
  /** Lines of text a pane (inspect, persistence) shows. */
  paneRows: number;
  frozen: boolean;
  /** Processes of the shown snapshot whose rules could not all run (unreadable, vanished, owner unknown). */
  unchecked: number;
}

export interface RowsActions {
  /** One tick's data; host figures ride along so a tick costs one render. */
  ingest(snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>, stats?: import('../host/hostStats').HostStats): void;
  setViewport(v: { rows: number; cols?: number; paneRows?: number }): void;
  move(delta: number): void;
  moveTo(where: 'first' | 'last'): void;
  page(direction: 1 | -1): void;
  select(pid: number): void;
  /** Next (1) or previous (-1) flagged process, worst first. */
  jumpFlagged(direction: 1 | -1): void;
  toggleCollapse(): void;
  collapse(): void;
  expand(): void;
  collapseAll(): void;
  expandAll(): void;
  toggleFreeze(): void;
}

/**
 * Whether new data would give exactly the same rows: same PIDs with the same parents, the same flagged
 * set and severities, and (when rows depend on them) the same process objects for filtering or values
 * for sorting.
 */
export function rowsUnchanged(s: AppState, next: Snapshot, nextAssessments: ReadonlyMap<number, Assessment>): boolean {
  const prev = s.snapshot!;
  if (prev.processes.size !== next.processes.size || s.assessments.size !== nextAssessments.size) return false;
  const byContent = s.filter !== '';
  // forEach, not for-of: no iterator result per entry on a 20,000-process table each tick
  let same = true;
  next.processes.forEach((p, pid) => {
    if (!same) return;
    const q = prev.processes.get(pid);
    if (!q || q.ppid !== p.ppid || (byContent && q !== p)) same = false;
  });
  if (!same) return false;
  nextAssessments.forEach((a, pid) => {
    const b = s.assessments.get(pid);
    if (!b || b.severity !== a.severity || b.score !== a.score) same = false;
  });
  if (!same) return false;
  // values (CPU, memory, ...) order the rows: unchanged only if every changed value keeps its place
  return orderHolds(s.rows, prev.processes, next.processes, nextAssessments, s);
}

export function procIndex(rows: readonly Row[], pid: number | null): number {
  if (pid === null) return -1;
  return rows.findIndex((r) => r.kind === 'proc' && r.pid === pid);
}

function sameRow(a: Row, b: Row): boolean {
  if (a.kind !== b.kind || a.pid !== b.pid || a.prefix !== b.prefix) return false;
  if (a.kind === 'why' || b.kind === 'why') return true;
  return a.context === b.context && a.depth === b.depth && a.hasChildren === b.hasChildren && a.collapsed === b.collapsed && a.hidden === b.hidden && a.hiddenFlagged === b.hiddenFlagged;
}

/** New rows, reusing the previous row objects that did not change (the table's memoised lines stay). */
function reuseRows(prev: readonly Row[], next: Row[]): Row[] {
  if (prev.length === 0) return next;
  // keyed by PID (a process row and its "why" row apart): numbers, no key strings per row
  const old = new Map<number, Row>();
  const key = (r: Row) => (r.kind === 'why' ? -1 - r.pid : r.pid);
  for (let i = 0; i < prev.length; i++) old.set(key(prev[i]), prev[i]);
  let same = prev.length === next.length;
  const out = next.map((r, i) => {
    const o = old.get(key(r));
    const keep = o && sameRow(o, r) ? o : r;
    if (same && prev[i] !== keep) same = false;
    return keep;
  });
  return same ? (prev as Row[]) : out;
}

/** Scroll position that shows the selected row (and its "why" line), moving as little as possible. */
export function scrollFor(rows: readonly Row[], pid: number | null, top: number, height: number): number {
  const i = procIndex(rows, pid);
  const clamp = (t: number) => Math.max(0, Math.min(t, Math.max(0, rows.length - height)));
  if (i < 0 || height <= 0) return clamp(top);
  const needed = rows[i + 1]?.kind === 'why' ? 2 : 1; // keep a flagged row's explanation visible too
  if (i < top) return i;
  if (i + needed > top + height) return Math.max(0, i + needed - height);
  return clamp(top);
}

/** Scroll position that shows the selected row with its launcher above it and as many of its children below. */
export function scrollWithContext(s: Pick<AppState, 'rows' | 'snapshot' | 'viewportRows'>, pid: number): number {
  const i = procIndex(s.rows, pid);
  if (i < 0) return 0;
  const parent = s.snapshot?.processes.get(pid)?.ppid;
  const p = parent !== undefined ? procIndex(s.rows, parent) : -1;
  const top = p >= 0 && p < i ? p : Math.max(0, i - 1);
  const needed = s.rows[i + 1]?.kind === 'why' ? 2 : 1;
  const t = i + needed > top + s.viewportRows ? i + needed - s.viewportRows : top;
  return Math.max(0, Math.min(t, Math.max(0, s.rows.length - s.viewportRows)));
}

export function rowsSlice(ctx: SliceContext): Slice<RowsState, RowsActions> & { refresh(patch?: Partial<AppState>): void } {
  const { set, get } = ctx;

  const refresh = (patch: Partial<AppState> = {}) => {
    const s = { ...get(), ...patch };
    if (!s.snapshot) { set(patch); return; }
    const rows = reuseRows(get().rows, visibleRows({
      processes: s.snapshot.processes, assessments: s.assessments, forest: s.forest, containers: s.snapshot.containers,
      settings: { mode: s.mode, sort: s.sort, descending: s.descending, filter: s.filter, flaggedOnly: s.flaggedOnly, collapsed: s.collapsed },
    }));
    const flaggedRows: number[] = [];
    rows.forEach((r, i) => { if (r.kind === 'proc' && s.assessments.has(r.pid)) flaggedRows.push(i); });
    let selectedPid = s.selectedPid;
    let exitedPid = s.exitedPid;
    if (s.onThreat && flaggedRows.length) {
      const worst = flaggedOrder(rows, s.snapshot.processes, s.assessments)[0];
      const next = { ...s, rows };
      set({ ...patch, rows, flaggedRows, selectedPid: worst, exitedPid: null, scrollTop: scrollWithContext(next, worst) });
      return;
    }
    if (selectedPid !== null && procIndex(rows, selectedPid) < 0) {
      const alive = s.snapshot.processes.has(selectedPid);
      if (!alive) exitedPid = selectedPid; // say so, and stand on its neighbour
      let pick: number | null = null;
      // still alive but hidden (collapsed, filtered): its nearest visible ancestor
      for (let p = s.snapshot.processes.get(selectedPid)?.ppid, hops = 0; alive && p !== undefined && hops < 64; hops++) {
        if (procIndex(rows, p) >= 0) { pick = p; break; }
        p = s.snapshot.processes.get(p)?.ppid;
      }
      if (pick === null) {
        const old = procIndex(get().rows, selectedPid);
        const from = Math.min(Math.max(0, old), rows.length - 1);
        const after = rows.slice(from).find((r) => r.kind === 'proc');
        const before = rows.slice(0, from).reverse().find((r) => r.kind === 'proc');
        pick = (after ?? before)?.pid ?? null;
      }
      selectedPid = pick;
    }
    // a filter keeps the ancestors of its matches for context: the cursor goes to a match, so i and K
    // act on what was searched for, not on PID 1
    // (only when the filter changes: n/N may then walk onto a flagged ancestor, and a tick keeps it there)
    const at = rows[procIndex(rows, selectedPid)];
    const filterChanged = 'filter' in patch || 'flaggedOnly' in patch;
    const onContext = filterChanged && at?.kind === 'proc' && at.context === true;
    if (selectedPid === null || onContext) selectedPid = (rows.find((r) => r.kind === 'proc' && !r.context) ?? rows.find((r) => r.kind === 'proc'))?.pid ?? null;
    set({ ...patch, rows, flaggedRows, selectedPid, exitedPid, scrollTop: scrollFor(rows, selectedPid, s.scrollTop, s.viewportRows) });
  };

  const procRows = () => get().rows.filter((r) => r.kind === 'proc');

  const moveSelection = (pid: number | null) => {
    const s = get();
    set({ selectedPid: pid, exitedPid: null, onThreat: false, scrollTop: scrollFor(s.rows, pid, s.scrollTop, s.viewportRows) });
  };

  const actions: RowsActions = {
    ingest(snapshot, assessments, stats) {
      const s = get();
      const host = stats ? hostPatch(s, stats) : {};
      if (s.frozen) set({ live: { snapshot, assessments }, ...host });
      else {
        const unchecked = countUnchecked(snapshot.processes, snapshot.root);
        // Most ticks change no row: same processes (the reader hands back the same objects for idle
        // ones), same parents, same findings. Then the rows, the forest and the memoised row views are
        // kept, which is most of the dashboard's cost on a large, quiet host.
        if (s.snapshot && rowsUnchanged(s, snapshot, assessments)) set({ live: { snapshot, assessments }, snapshot, assessments, unchecked, ...host });
        else refresh({ live: { snapshot, assessments }, snapshot, assessments, unchecked, forest: buildForest(snapshot.processes), ...host });
      }
      // a signal dialog opened before the first full check gets its verdict and family now
      if (s.kill?.checking) get().actions.killRecheck();
    },
    setViewport({ rows, cols, paneRows }) {
      const s = get();
      if (rows === s.viewportRows && (cols ?? s.viewportCols) === s.viewportCols && (paneRows ?? s.paneRows) === s.paneRows) return;
      const next = { ...s, viewportRows: rows };
      set({
        viewportRows: rows, viewportCols: cols ?? s.viewportCols, paneRows: paneRows ?? s.paneRows,
        scrollTop: s.onThreat && s.selectedPid !== null ? scrollWithContext(next, s.selectedPid) : scrollFor(s.rows, s.selectedPid, s.scrollTop, rows),
      });
    },
    move(delta) {
      const list = procRows();
      if (list.length === 0) return;
      const i = list.findIndex((r) => r.pid === get().selectedPid);
      const next = Math.max(0, Math.min(list.length - 1, (i < 0 ? 0 : i) + delta));
      moveSelection(list[next].pid);
    },
    moveTo(where) {
      const list = procRows();
      if (list.length) moveSelection(where === 'first' ? list[0].pid : list[list.length - 1].pid);
    },
    page(direction) { actions.move(direction * Math.max(1, Math.floor(get().viewportRows / 2))); },
    select(pid) { moveSelection(pid); },
    jumpFlagged(direction) {
      const s = get();
      if (!s.snapshot) return;
      const order = flaggedOrder(s.rows, s.snapshot.processes, s.assessments);
      if (order.length === 0) { ctx.say('no flagged process in view'); return; }
      const i = s.selectedPid === null ? -1 : order.indexOf(s.selectedPid);
      // not on a flagged process: n goes to the worst, N to the least
      const next = i < 0 ? (direction === 1 ? 0 : order.length - 1) : (i + direction + order.length) % order.length;
      const pid = order[next];
      set({ selectedPid: pid, exitedPid: null, onThreat: false, scrollTop: scrollFor(s.rows, pid, s.scrollTop, s.viewportRows) });
      // a key that seems to do nothing says why (the cursor is on the one flagged process; it stays there from now on)
      if (order.length === 1 && i === 0) { ctx.say('this is the only flagged process in view'); return; }
      if (order.length > 1 && i >= 0 && ((direction === 1 && next === 0) || (direction === -1 && next === order.length - 1))) {
        ctx.say(direction === 1 ? 'back to the worst flagged process' : 'back to the least flagged process');
      }
    },
    toggleCollapse() {
      const { selectedPid, collapsed } = get();
      if (selectedPid === null) return;
      const next = new Set(collapsed);
      if (next.has(selectedPid)) next.delete(selectedPid); else next.add(selectedPid);
      refresh({ collapsed: next, onThreat: false });
    },
    collapse() {
      const s = get();
      const row = s.rows.find((r) => r.kind === 'proc' && r.pid === s.selectedPid);
      if (!row || row.kind !== 'proc' || s.selectedPid === null) return;
      if (row.hasChildren && !row.collapsed) { refresh({ collapsed: new Set([...s.collapsed, s.selectedPid]), onThreat: false }); return; }
      const parent = s.snapshot?.processes.get(s.selectedPid)?.ppid; // already collapsed or a leaf: go to the parent
      if (parent !== undefined && procIndex(s.rows, parent) >= 0) moveSelection(parent);
    },
    expand() {
      const { selectedPid, collapsed } = get();
      if (selectedPid === null || !collapsed.has(selectedPid)) return;
      const next = new Set(collapsed);
      next.delete(selectedPid);
      refresh({ collapsed: next, onThreat: false });
    },
    collapseAll() {
      const s = get();
      // collapse every root's children level: each top-level subtree folds, flagged counts show on it
      const next = new Set<number>();
      for (const r of s.forest.roots) for (const c of s.forest.children.get(r) ?? []) if (s.forest.children.has(c)) next.add(c);
      refresh({ collapsed: next, onThreat: false });
    },
    expandAll() { refresh({ collapsed: new Set() }); },
    toggleFreeze() {
      const s = get();
      if (s.frozen && s.live) {
        refresh({
          frozen: false, snapshot: s.live.snapshot, assessments: s.live.assessments, forest: buildForest(s.live.snapshot.processes),
          unchecked: countUnchecked(s.live.snapshot.processes, s.live.snapshot.root),
        });
      } else {
        set({ frozen: !s.frozen });
      }
    },
  };

  return {
    refresh,
    actions,
    state: {
      snapshot: null, assessments: new Map(), live: null, forest: { roots: [], children: new Map() }, rows: [], flaggedRows: [],
      selectedPid: null, exitedPid: null, onThreat: true, scrollTop: 0, viewportRows: 20, viewportCols: 100, paneRows: 20, frozen: false, unchecked: 0,
    },
  };
}
