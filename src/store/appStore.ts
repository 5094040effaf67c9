// The dashboard's state: one vanilla zustand store, created by a factory so every test gets its own.
// The poller (outside React) calls ingest() once per tick; views select from it and call actions.
// Derived rows are computed inside actions, never in selectors (zustand v5 needs stable selector output).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Assessment, ProcessInfo, Snapshot } from '../model';
import type { HostStats } from '../host/hostStats';
import type { AppServices, KillPrep, PersistenceAction } from '../app/services';
import type { ResponseSignal } from '../respond/index';
import { wrapLines } from '../text/wrap';
import { buildForest, SORT_KEYS, visibleRows, type Forest, type Row, type SortKey } from '../view/tree';

export type Overlay = 'none' | 'help' | 'pane' | 'kill';

export interface Pane {
  kind: 'inspect' | 'persistence' | 'deep';
  pid: number | null;
  title: string;
  lines: string[];
  status: string | null;
  scroll: number;
  /** Entries that can be disabled from this pane (persistence only), the focused one, and a pending question. */
  actions: PersistenceAction[];
  focus: number;
  confirming: boolean;
}

export type KillOption = 'cancel' | ResponseSignal;
export const KILL_OPTIONS: { id: KillOption; label: string }[] = [
  { id: 'cancel', label: 'Cancel' },
  { id: 'SIGTERM', label: 'SIGTERM  terminate: ask it to exit (default signal)' },
  { id: 'SIGKILL', label: 'SIGKILL  kill: cannot be caught or ignored' },
  { id: 'SIGSTOP', label: 'SIGSTOP  freeze: suspend it, reversible' },
  { id: 'SIGCONT', label: 'SIGCONT  resume a frozen process' },
];

export interface KillDialog {
  pid: number;
  prep: KillPrep | null;
  error: string | null;
  family: boolean;
  /** Index into KILL_OPTIONS; opens on Cancel, never on a kill. */
  focus: number;
  phase: 'choose' | 'working' | 'done';
  result: string[];
}

/** The deep scan started from the dashboard (D): it runs in the background, off the render path. */
export interface DeepRun {
  phase: 'running' | 'done' | 'failed';
  /** 0..1 */
  fraction: number;
  text: string;
  lines: string[];
  findings: number;
}

export interface HostInfo { hostname: string; kernel: string; distro: string | null }

export interface AppState {
  /** The snapshot the rows are drawn from (the frozen one while frozen). */
  snapshot: Snapshot | null;
  assessments: ReadonlyMap<number, Assessment>;
  /** Latest collected snapshot, even while the view is frozen. */
  live: { snapshot: Snapshot; assessments: ReadonlyMap<number, Assessment> } | null;
  forest: Forest;
  rows: Row[];
  host: HostInfo;
  hostStats: HostStats | null;
  cpuHistory: number[];
  memHistory: number[];
  selectedPid: number | null;
  /** The selected process exited: its PID, until the user moves. */
  exitedPid: number | null;
  scrollTop: number;
  viewportRows: number;
  viewportCols: number;
  /** Lines of text a pane (inspect, persistence) shows. */
  paneRows: number;
  mode: 'tree' | 'list';
  sort: SortKey;
  descending: boolean;
  filter: string;
  editingFilter: boolean;
  flaggedOnly: boolean;
  collapsed: ReadonlySet<number>;
  frozen: boolean;
  intervalMs: number;
  overlay: Overlay;
  pane: Pane | null;
  kill: KillDialog | null;
  helpScroll: number;
  readonly: boolean;
  evidenceDir: string;
  message: string | null;
  quit: boolean;
  deep: DeepRun | null;
  actions: AppActions;
}

export interface AppActions {
  /** One tick's data; host figures ride along so a tick costs one render. */
  ingest(snapshot: Snapshot, assessments: ReadonlyMap<number, Assessment>, stats?: HostStats): void;
  setHostStats(stats: HostStats): void;
  setViewport(v: { rows: number; cols?: number; paneRows?: number }): void;
  move(delta: number): void;
  moveTo(where: 'first' | 'last'): void;
  page(direction: 1 | -1): void;
  select(pid: number): void;
  jumpFlagged(direction: 1 | -1): void;
  toggleCollapse(): void;
  collapse(): void;
  expand(): void;
  collapseAll(): void;
  expandAll(): void;
  startFilter(): void;
  typeFilter(text: string): void;
  backspaceFilter(): void;
  acceptFilter(): void;
  clearFilter(): void;
  toggleFlaggedOnly(): void;
  toggleFreeze(): void;
  toggleMode(): void;
  cycleSort(): void;
  reverseSort(): void;
  changeInterval(direction: 1 | -1): void;
  showHelp(): void;
  scrollHelp(delta: number): void;
  openInspect(): void;
  openPersistence(hostWide: boolean): void;
  scrollPane(delta: number): void;
  paneNextAction(): void;
  paneAskDisable(): void;
  paneAnswer(yes: boolean): void;
  openKill(): void;
  killMove(delta: number): void;
  killToggleFamily(): void;
  killConfirm(): void;
  closeOverlay(): void;
  requestQuit(): void;
  say(message: string | null): void;
  /** D: start the deep scan, or show it (progress while it runs, the report once done). */
  runDeepScan(): void;
}

export interface StoreOptions {
  services?: AppServices;
  intervalMs?: number;
  filter?: string;
  flaggedOnly?: boolean;
  host?: Partial<HostInfo>;
  /** Runs the deep scan (src/deep) and reports progress; absent where it is not available. */
  deepScan?: (onProgress: (fraction: number, text: string) => void) => Promise<{ lines: string[]; findings: number }>;
}

export type AppStore = StoreApi<AppState>;

export const INTERVALS = [250, 500, 1000, 2000, 3000, 5000, 10000];
const HISTORY = 60;

function hostPatch(s: AppState, stats: HostStats): Partial<AppState> {
  const push = (h: number[], v: number) => [...h.slice(-(HISTORY - 1)), v];
  const mem = stats.memTotal > 0 ? (stats.memUsed / stats.memTotal) * 100 : 0;
  return { hostStats: stats, cpuHistory: push(s.cpuHistory, stats.cpuPercent), memHistory: push(s.memHistory, mem) };
}

/**
 * Whether new data would give exactly the same rows: same PIDs with the same parents, the same flagged
 * set and severities, and (when rows depend on them) the same process objects for filtering or values
 * for sorting.
 */
export function rowsUnchanged(s: AppState, next: Snapshot, nextAssessments: ReadonlyMap<number, Assessment>): boolean {
  const prev = s.snapshot!;
  if (prev.processes.size !== next.processes.size || s.assessments.size !== nextAssessments.size) return false;
  if (s.mode === 'list' || (s.sort !== 'tree' && s.sort !== 'pid')) return false; // values order the rows
  const byContent = s.filter !== '';
  for (const [pid, p] of next.processes) {
    const q = prev.processes.get(pid);
    if (!q || q.ppid !== p.ppid || (byContent && q !== p)) return false;
  }
  for (const [pid, a] of nextAssessments) {
    const b = s.assessments.get(pid);
    if (!b || b.severity !== a.severity || b.score !== a.score) return false;
  }
  return true;
}

function procIndex(rows: Row[], pid: number | null): number {
  if (pid === null) return -1;
  return rows.findIndex((r) => r.kind === 'proc' && r.pid === pid);
}

export function createAppStore(opts: StoreOptions = {}): AppStore {
  return createStore<AppState>()((set, get) => {
    /** Recompute rows from the shown snapshot and keep the cursor on the same PID, scrolled into view. */
    const recompute = (patch: Partial<AppState> = {}) => {
      const s = { ...get(), ...patch };
      if (!s.snapshot) { set(patch); return; }
      const rows = visibleRows({
        processes: s.snapshot.processes, assessments: s.assessments, forest: s.forest, containers: s.snapshot.containers,
        settings: { mode: s.mode, sort: s.sort, descending: s.descending, filter: s.filter, flaggedOnly: s.flaggedOnly, collapsed: s.collapsed },
      });
      let selectedPid = s.selectedPid;
      let exitedPid = s.exitedPid;
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
      if (selectedPid === null) selectedPid = rows.find((r) => r.kind === 'proc')?.pid ?? null;
      set({ ...patch, rows, selectedPid, exitedPid, scrollTop: scrollFor(rows, selectedPid, s.scrollTop, s.viewportRows) });
    };

    const scrollFor = (rows: Row[], pid: number | null, top: number, height: number): number => {
      const i = procIndex(rows, pid);
      if (i < 0 || height <= 0) return Math.max(0, Math.min(top, Math.max(0, rows.length - height)));
      const needed = rows[i + 1]?.kind === 'why' ? 2 : 1; // keep a flagged row's explanation visible too
      if (i < top) return i;
      if (i + needed > top + height) return Math.max(0, i + needed - height);
      return Math.max(0, Math.min(top, Math.max(0, rows.length - height)));
    };

    let cancelInspect: (() => void) | null = null;

    const procRows = () => get().rows.filter((r) => r.kind === 'proc');

    const moveSelection = (pid: number | null) => {
      const s = get();
      set({ selectedPid: pid, exitedPid: null, scrollTop: scrollFor(s.rows, pid, s.scrollTop, s.viewportRows) });
    };

    const actions: AppActions = {
      ingest(snapshot, assessments, stats) {
        const s = get();
        const host = stats ? hostPatch(s, stats) : {};
        if (s.frozen) { set({ live: { snapshot, assessments }, ...host }); return; }
        // Most ticks change no row: same processes (the reader hands back the same objects for idle
        // ones), same parents, same findings. Then the rows, the forest and the memoised row views are
        // kept, which is most of the dashboard's cost on a large, quiet host.
        if (s.snapshot && rowsUnchanged(s, snapshot, assessments)) {
          set({ live: { snapshot, assessments }, snapshot, assessments, ...host });
          return;
        }
        recompute({ live: { snapshot, assessments }, snapshot, assessments, forest: buildForest(snapshot.processes), ...host });
      },
      setHostStats(stats) { set(hostPatch(get(), stats)); },
      setViewport({ rows, cols, paneRows }) {
        const s = get();
        if (rows === s.viewportRows && (cols ?? s.viewportCols) === s.viewportCols && (paneRows ?? s.paneRows) === s.paneRows) return;
        set({
          viewportRows: rows, viewportCols: cols ?? s.viewportCols, paneRows: paneRows ?? s.paneRows,
          scrollTop: scrollFor(s.rows, s.selectedPid, s.scrollTop, rows),
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
        const list = procRows();
        const flagged = list.filter((r) => s.assessments.has(r.pid));
        if (flagged.length === 0) { set({ message: 'no flagged process in view' }); return; }
        const i = list.findIndex((r) => r.pid === s.selectedPid);
        const ordered = direction === 1 ? list.slice(i + 1).concat(list.slice(0, i + 1)) : list.slice(0, Math.max(0, i)).reverse().concat(list.slice(Math.max(0, i)).reverse());
        const target = ordered.find((r) => s.assessments.has(r.pid));
        if (target) moveSelection(target.pid);
      },
      toggleCollapse() {
        const { selectedPid, collapsed } = get();
        if (selectedPid === null) return;
        const next = new Set(collapsed);
        if (next.has(selectedPid)) next.delete(selectedPid); else next.add(selectedPid);
        recompute({ collapsed: next });
      },
      collapse() {
        const s = get();
        const row = s.rows.find((r) => r.kind === 'proc' && r.pid === s.selectedPid);
        if (!row || row.kind !== 'proc' || s.selectedPid === null) return;
        if (row.hasChildren && !row.collapsed) { recompute({ collapsed: new Set([...s.collapsed, s.selectedPid]) }); return; }
        const parent = s.snapshot?.processes.get(s.selectedPid)?.ppid; // already collapsed or a leaf: go to the parent
        if (parent !== undefined && procIndex(s.rows, parent) >= 0) moveSelection(parent);
      },
      expand() {
        const { selectedPid, collapsed } = get();
        if (selectedPid === null || !collapsed.has(selectedPid)) return;
        const next = new Set(collapsed);
        next.delete(selectedPid);
        recompute({ collapsed: next });
      },
      collapseAll() {
        const s = get();
        // collapse every root's children level: each top-level subtree folds, flagged counts show on it
        const next = new Set<number>();
        for (const r of s.forest.roots) for (const c of s.forest.children.get(r) ?? []) if (s.forest.children.has(c)) next.add(c);
        recompute({ collapsed: next });
      },
      expandAll() { recompute({ collapsed: new Set() }); },
      startFilter() { set({ editingFilter: true }); },
      typeFilter(text) { recompute({ filter: get().filter + text }); },
      backspaceFilter() { recompute({ filter: get().filter.slice(0, -1) }); },
      acceptFilter() { set({ editingFilter: false }); },
      clearFilter() { recompute({ filter: '', editingFilter: false }); },
      toggleFlaggedOnly() { recompute({ flaggedOnly: !get().flaggedOnly }); },
      toggleFreeze() {
        const s = get();
        if (s.frozen && s.live) {
          recompute({ frozen: false, snapshot: s.live.snapshot, assessments: s.live.assessments, forest: buildForest(s.live.snapshot.processes) });
        } else {
          set({ frozen: !s.frozen });
        }
      },
      toggleMode() {
        const s = get();
        if (s.mode === 'tree' && s.sort === 'tree') recompute({ mode: 'list', sort: 'cpu', descending: true });
        else recompute({ mode: s.mode === 'tree' ? 'list' : 'tree' });
      },
      cycleSort() {
        const s = get();
        const i = SORT_KEYS.indexOf(s.sort);
        const sort = SORT_KEYS[(i + 1) % SORT_KEYS.length];
        recompute({ sort, descending: sort === 'cpu' || sort === 'mem' || sort === 'score' });
      },
      reverseSort() { recompute({ descending: !get().descending }); },
      changeInterval(direction) {
        const cur = get().intervalMs;
        const i = INTERVALS.findIndex((v) => v >= cur);
        const next = INTERVALS[Math.max(0, Math.min(INTERVALS.length - 1, (i < 0 ? INTERVALS.length - 1 : i) + direction))];
        set({ intervalMs: next, message: `refresh every ${next >= 1000 ? `${next / 1000} s` : `${next} ms`}` });
      },
      showHelp() { set({ overlay: 'help', helpScroll: 0 }); },
      scrollHelp(delta) { set({ helpScroll: Math.max(0, Math.min(20, get().helpScroll + delta)) }); }, // in columns; the view clamps
      openInspect() {
        const s = get();
        const pid = s.selectedPid;
        if (pid === null) return;
        if (!opts.services) { set({ message: 'inspect is not available here' }); return; }
        cancelInspect?.();
        set({ overlay: 'pane', pane: { kind: 'inspect', pid, title: `Inspect PID ${pid}`, lines: ['reading…'], status: null, scroll: 0, actions: [], focus: 0, confirming: false } });
        cancelInspect = opts.services.inspect(pid, (title, lines, status) => {
          const pane = get().pane;
          if (!pane || pane.kind !== 'inspect' || pane.pid !== pid) return;
          set({ pane: { ...pane, title, lines: lines.length ? wrapLines(lines, get().viewportCols - 1) : pane.lines, status } });
        });
      },
      openPersistence(hostWide) {
        const s = get();
        const look = s.live ?? (s.snapshot ? { snapshot: s.snapshot, assessments: s.assessments } : null);
        if (!opts.services || !look) { set({ message: 'persistence is not available here' }); return; }
        const pid = hostWide ? null : s.selectedPid;
        const { title, lines, actions: acts } = opts.services.persistence(pid, look.snapshot, look.assessments);
        set({
          overlay: 'pane',
          pane: {
            kind: 'persistence', pid, title, lines: wrapLines(lines, s.viewportCols - 1), scroll: 0, actions: acts, focus: 0, confirming: false,
            status: acts.length ? `d disables ${acts[0].label}${acts.length > 1 ? ` · Tab chooses another (${acts.length})` : ''}` : null,
          },
        });
      },
      scrollPane(delta) {
        const { pane, paneRows } = get();
        if (!pane) return;
        const max = Math.max(0, pane.lines.length - Math.max(1, paneRows));
        set({ pane: { ...pane, scroll: Math.max(0, Math.min(max, pane.scroll + delta)) } });
      },
      paneNextAction() {
        const pane = get().pane;
        if (!pane || pane.actions.length === 0) return;
        const focus = (pane.focus + 1) % pane.actions.length;
        set({ pane: { ...pane, focus, confirming: false, status: `chosen: ${pane.actions[focus].label} (d disables)` } });
      },
      paneAskDisable() {
        const pane = get().pane;
        if (!pane || pane.actions.length === 0) return;
        if (get().readonly) { set({ pane: { ...pane, status: `${opts.services?.readonlyReason ?? 'read-only mode (--readonly)'}: changes are disabled` } }); return; }
        const a = pane.actions[pane.focus];
        set({ pane: { ...pane, confirming: true, status: `Disable ${a.label} (${a.verb})? backup kept · y yes · n no` } });
      },
      paneAnswer(yes) {
        const pane = get().pane;
        if (!pane || !pane.confirming) return;
        if (!yes || !opts.services) { set({ pane: { ...pane, confirming: false, status: 'nothing was changed' } }); return; }
        const result = opts.services.disablePersistence(pane.actions[pane.focus]);
        const pid = pane.pid;
        actions.openPersistence(pid === null); // re-read: the entry now shows as commented out / gone
        const fresh = get().pane;
        if (fresh) set({ pane: { ...fresh, status: result.join(' · ') } });
        else set({ message: result.join(' · ') });
      },
      openKill() {
        const s = get();
        if (s.selectedPid === null) return;
        if (s.readonly) { set({ message: `${opts.services?.readonlyReason ?? 'read-only mode (--readonly)'}: signals are disabled` }); return; }
        if (!opts.services || !s.live) { set({ message: 'signals are not available here' }); return; }
        const prep = opts.services.prepareKill(s.selectedPid, s.live.snapshot, s.live.assessments);
        set({
          overlay: 'kill',
          kill: 'error' in prep
            ? { pid: s.selectedPid, prep: null, error: prep.error, family: false, focus: 0, phase: 'done', result: [] }
            : { pid: s.selectedPid, prep, error: prep.refusal, family: false, focus: 0, phase: 'choose', result: [] },
        });
      },
      killMove(delta) {
        const k = get().kill;
        if (!k || k.phase !== 'choose') return;
        set({ kill: { ...k, focus: Math.max(0, Math.min(KILL_OPTIONS.length - 1, k.focus + delta)) } });
      },
      killToggleFamily() {
        const k = get().kill;
        if (!k || k.phase !== 'choose' || !k.prep?.members.length) return;
        set({ kill: { ...k, family: !k.family } });
      },
      killConfirm() {
        const k = get().kill;
        if (!k || k.phase !== 'choose' || !k.prep || !opts.services) return;
        const option = KILL_OPTIONS[k.focus].id;
        if (option === 'cancel') { actions.closeOverlay(); return; }
        if (k.error) return; // refused targets cannot be signalled
        set({ kill: { ...k, phase: 'working', result: [`sending ${option}${k.family ? ` to ${k.prep.members.length + 1} processes` : ''}…`] } });
        opts.services.act(k.prep, option, k.family).then(
          (result) => { const cur = get().kill; if (cur) set({ kill: { ...cur, phase: 'done', result } }); },
          (err: Error) => { const cur = get().kill; if (cur) set({ kill: { ...cur, phase: 'done', result: [`failed: ${err.message}`] } }); },
        );
      },
      closeOverlay() {
        cancelInspect?.();
        cancelInspect = null;
        if (get().kill?.phase === 'working') return; // the action finishes first
        set({ overlay: 'none', pane: null, kill: null });
      },
      requestQuit() { set({ quit: true }); },
      runDeepScan() {
        const cur = get().deep;
        const showPane = (d: DeepRun) => {
          const title = d.phase === 'running' ? `Deep scan ${Math.round(d.fraction * 100)}%: ${d.text}` : d.phase === 'done' ? `Deep scan: ${d.findings} finding${d.findings === 1 ? '' : 's'}` : 'Deep scan failed';
          const pane = get().pane;
          const scroll = pane?.kind === 'deep' ? pane.scroll : 0;
          const lines = d.lines.length ? wrapLines(d.lines, get().viewportCols - 1) : [d.text];
          set({ overlay: 'pane', pane: { kind: 'deep', pid: null, title, lines, status: d.phase === 'running' ? 'running in the background: Esc closes this pane, D shows it again' : null, scroll, actions: [], focus: 0, confirming: false } });
        };
        if (cur && cur.phase === 'running') { showPane(cur); return; }
        if (!opts.deepScan) { set({ message: 'the deep scan is not available here' }); return; }
        const start: DeepRun = { phase: 'running', fraction: 0, text: 'starting', lines: [], findings: 0 };
        set({ deep: start });
        showPane(start);
        let last = 0;
        const update = (d: DeepRun) => {
          set({ deep: d });
          const pane = get().pane;
          if (get().overlay === 'pane' && pane?.kind === 'deep') showPane(d);
        };
        opts.deepScan((fraction, text) => {
          const t = Date.now();
          if (t - last < 200) return; // progress redraws at most five times a second
          last = t;
          update({ ...start, fraction, text: `${text}` });
        }).then(
          (r) => {
            update({ phase: 'done', fraction: 1, text: 'done', lines: r.lines, findings: r.findings });
            if (get().pane?.kind !== 'deep') set({ message: `deep scan done: ${r.findings} finding${r.findings === 1 ? '' : 's'} (D shows them)` });
          },
          (err: Error) => update({ phase: 'failed', fraction: 1, text: `deep scan failed: ${err.message}`, lines: [], findings: 0 }),
        );
      },
      say(message) { set({ message }); },
    };

    return {
      snapshot: null,
      assessments: new Map(),
      live: null,
      forest: { roots: [], children: new Map() },
      rows: [],
      host: { hostname: 'localhost', kernel: '', distro: null, ...opts.host },
      hostStats: null,
      cpuHistory: [],
      memHistory: [],
      selectedPid: null,
      exitedPid: null,
      scrollTop: 0,
      viewportRows: 20,
      viewportCols: 100,
      paneRows: 20,
      mode: 'tree',
      sort: 'tree',
      descending: false,
      filter: opts.filter ?? '',
      editingFilter: false,
      flaggedOnly: opts.flaggedOnly ?? false,
      collapsed: new Set(),
      frozen: false,
      intervalMs: opts.intervalMs ?? 1000,
      overlay: 'none',
      pane: null,
      kill: null,
      helpScroll: 0,
      readonly: opts.services?.readonly ?? false,
      evidenceDir: opts.services?.evidenceDir ?? '',
      message: null,
      quit: false,
      deep: null,
      actions,
    };
  });
}

/** The selected process and its assessment, from the shown snapshot. */
export function selected(s: AppState): { proc: ProcessInfo | null; assessment: Assessment | null } {
  const proc = s.selectedPid !== null ? s.snapshot?.processes.get(s.selectedPid) ?? null : null;
  return { proc, assessment: proc ? s.assessments.get(proc.pid) ?? null : null };
}
