// Panes over the process table: the inspector, the persistence view (with the entries it can disable
// and the yes/no question), and the help overlay. Content arrives typed from the services and is
// wrapped to the width here, once, not on every frame.
import type { Line } from '../text/content';
import { wrapContent } from '../text/content';
import type { Slice, SliceContext } from './slice';
import type { Outcome, PaneContent, PersistenceAction } from './types';

export type Overlay = 'none' | 'help' | 'pane' | 'kill' | 'incident';

export interface Pane {
  kind: 'inspect' | 'persistence' | 'deep' | 'record';
  pid: number | null;
  title: string;
  lines: Line[];
  status: string | null;
  scroll: number;
  /** Entries that can be disabled from this pane (persistence only), the focused one, and a pending question. */
  actions: PersistenceAction[];
  focus: number;
  /** The entry the pending question is about. */
  confirming: PersistenceAction | null;
}

export interface PaneState {
  overlay: Overlay;
  pane: Pane | null;
  helpScroll: number;
}

export interface PaneActions {
  showHelp(): void;
  scrollHelp(delta: number): void;
  openInspect(): void;
  openPersistence(hostWide: boolean): void;
  /** E: the incident record of this run (the evidence directory, what was captured, the audit log). */
  openRecord(): void;
  scrollPane(delta: number): void;
  paneNextAction(): void;
  paneAskDisable(): void;
  paneAnswer(yes: boolean): void;
  closeOverlay(): void;
}

export const outcomeText = (o: readonly Outcome[]) => o.map((x) => x.text).join(' · ');

export function paneSlice(ctx: SliceContext, record?: () => PaneContent): Slice<PaneState, PaneActions> {
  const { set, get, services } = ctx;
  let cancelInspect: (() => void) | null = null;
  const width = () => Math.max(20, get().viewportCols - 1);
  const setPane = (patch: Partial<Pane>) => { const pane = get().pane; if (pane) set({ pane: { ...pane, ...patch } }); };

  const actions: PaneActions = {
    showHelp() { set({ overlay: 'help', helpScroll: 0 }); },
    scrollHelp(delta) { set({ helpScroll: Math.max(0, Math.min(20, get().helpScroll + delta)) }); }, // in columns; the view clamps
    openInspect() {
      const s = get();
      const pid = s.selectedPid;
      if (pid === null) return;
      const look = s.live ?? (s.snapshot ? { snapshot: s.snapshot, assessments: s.assessments } : null);
      if (!services || !look) { ctx.say('inspect is not available here'); return; }
      cancelInspect?.();
      set({ overlay: 'pane', pane: { kind: 'inspect', pid, title: `Inspect PID ${pid}`, lines: [{ text: 'reading…', indent: 0, tone: 'dim' }], status: null, scroll: 0, actions: [], focus: 0, confirming: null } });
      cancelInspect = services.inspect(pid, look, (content, status) => {
        const pane = get().pane;
        if (!pane || pane.kind !== 'inspect' || pane.pid !== pid) return;
        set({ pane: { ...pane, ...(content ? { title: content.title, lines: wrapContent(content.lines, width()) } : {}), status } });
      });
    },
    openPersistence(hostWide) {
      const s = get();
      const look = s.live ?? (s.snapshot ? { snapshot: s.snapshot, assessments: s.assessments } : null);
      if (!services || !look) { ctx.say('persistence is not available here'); return; }
      const pid = hostWide ? null : s.selectedPid;
      const { title, lines, actions: acts } = services.persistence(pid, look.snapshot, look.assessments);
      set({
        overlay: 'pane',
        pane: {
          kind: 'persistence', pid, title, lines: wrapContent(lines, width()), scroll: 0, actions: acts, focus: 0, confirming: null,
          status: acts.length ? `d disables ${acts[0].label}${acts.length > 1 ? ` · Tab chooses another (${acts.length})` : ''}` : null,
        },
      });
    },
    openRecord() {
      if (!record) { ctx.say('the incident record is not available here'); return; }
      let content: PaneContent;
      try {
        content = record();
      } catch (err) {
        ctx.say(`the incident record could not be read: ${(err as Error).message}`);
        return;
      }
      set({ overlay: 'pane', pane: { kind: 'record', pid: null, title: content.title, lines: wrapContent(content.lines, width()), status: null, scroll: 0, actions: [], focus: 0, confirming: null } });
    },
    scrollPane(delta) {
      const { pane, paneRows } = get();
      if (!pane) return;
      const max = Math.max(0, pane.lines.length - Math.max(1, paneRows));
      setPane({ scroll: Math.max(0, Math.min(max, pane.scroll + delta)) });
    },
    paneNextAction() {
      const pane = get().pane;
      if (!pane || pane.actions.length === 0) return;
      const focus = (pane.focus + 1) % pane.actions.length;
      setPane({ focus, confirming: null, status: `chosen: ${pane.actions[focus].label} (d disables)` });
    },
    paneAskDisable() {
      const pane = get().pane;
      if (!pane || pane.actions.length === 0) return;
      if (get().readonly) { setPane({ status: `${services?.readonlyReason ?? 'read-only mode (--readonly)'}: changes are disabled` }); return; }
      const a = pane.actions[pane.focus];
      setPane({ confirming: a, status: `Disable ${a.label} (${a.verb})? backup kept · y yes · n no` });
    },
    paneAnswer(yes) {
      const pane = get().pane;
      if (!pane || !pane.confirming) return;
      if (!yes || !services) { setPane({ confirming: null, status: 'nothing was changed' }); return; }
      const result = services.disablePersistence(pane.confirming);
      actions.openPersistence(pane.pid === null); // re-read: the entry now shows as commented out / gone
      if (get().pane) setPane({ status: outcomeText(result) });
      else ctx.say(outcomeText(result));
    },
    closeOverlay() {
      cancelInspect?.();
      cancelInspect = null;
      if (get().kill?.phase === 'working') return; // the action finishes first
      if (get().incident?.plan?.phase === 'running') return; // so does a running plan
      set({ overlay: 'none', pane: null, kill: null, incident: null });
    },
  };
  return { actions, state: { overlay: 'none', pane: null, helpScroll: 0 } };
}
