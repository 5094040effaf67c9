// The signal dialog's state machine: choose (on Cancel) → working → done. Nothing is sent until a
// signal is chosen and confirmed; a refused target can only be closed. The words for each choice live
// with the dialog's view (components/KillDialog.tsx); the store knows the choices by id.
import type { ResponseSignal } from '../respond/index';
import { dialogRows, pageOf } from '../view/dialog';
import type { Slice, SliceContext } from './slice';
import type { KillPrep, Outcome } from './types';

export type KillOption = 'cancel' | ResponseSignal;
/** The dialog's choices, in order; it opens on the first (Cancel), never on a kill. */
export const KILL_CHOICES: readonly KillOption[] = ['cancel', 'SIGTERM', 'SIGKILL', 'SIGSTOP', 'SIGCONT'];

export interface KillDialog {
  pid: number;
  prep: KillPrep | null;
  error: string | null;
  family: boolean;
  /** Index into KILL_CHOICES. */
  focus: number;
  /** First member shown in the dialog's member list (it scrolls; the choices never move). */
  memberScroll: number;
  phase: 'choose' | 'working' | 'done';
  result: Outcome[];
  /**
   * Opened on the first frame's quick pass, before the first full check: no verdict and no family yet.
   * The dialog is prepared again from the first assessed snapshot (killRecheck) while still choosing.
   */
  checking: boolean;
}

/** The family without the target itself. */
export const membersOf = (prep: KillPrep | null) => (prep ? prep.family.filter((m) => m.role !== 'target') : []);

export interface KillState {
  kill: KillDialog | null;
}

export interface KillActions {
  openKill(): void;
  killMove(delta: number): void;
  /** Scroll the member list (or, once done, the outcome lines). */
  killScrollMembers(delta: number): void;
  /** A page of the member list (or the outcome) down (1) or up (-1). */
  killPage(direction: 1 | -1): void;
  killToggleFamily(): void;
  killConfirm(): void;
  /** A new snapshot came in: a dialog opened before the first full check is prepared again from it. */
  killRecheck(): void;
}

/** `at`, kept where the list's last line still shows. The same window shows the members while
 *  choosing and the outcome lines once done. */
function scrollWithin(k: KillDialog, paneRows: number, at: number): number {
  const n = k.phase === 'choose' ? membersOf(k.prep).length : k.result.length;
  // the dialog covers the table and the detail panel: the pane's rows plus its title and status
  const { list } = dialogRows(paneRows + 2, { phase: k.phase, error: k.error, hasPrep: k.prep !== null });
  const last = n <= list ? 0 : n - pageOf(list);
  return Math.max(0, Math.min(last, at));
}

export function killSlice(ctx: SliceContext): Slice<KillState, KillActions> {
  const { set, get, services } = ctx;
  const update = (patch: Partial<KillDialog>) => { const k = get().kill; if (k) set({ kill: { ...k, ...patch } }); };
  return {
    state: { kill: null },
    actions: {
      openKill() {
        const s = get();
        if (s.selectedPid === null) return;
        if (s.readonly) { ctx.say(`${services?.readonlyReason ?? 'read-only mode (--readonly)'}: signals are disabled`); return; }
        if (!services || !s.live) { ctx.say('signals are not available here'); return; }
        const prep = services.prepareKill(s.selectedPid, s.live.snapshot, s.live.assessments);
        const base = { pid: s.selectedPid, family: false, focus: 0, memberScroll: 0, result: [], checking: s.live.snapshot.partial === true };
        set({
          overlay: 'kill',
          kill: 'error' in prep
            ? { ...base, prep: null, error: prep.error, phase: 'done' }
            : { ...base, prep, error: prep.refusal ?? prep.readOnly, phase: 'choose' },
        });
      },
      killMove(delta) {
        const k = get().kill;
        if (!k || k.phase !== 'choose') return;
        update({ focus: Math.max(0, Math.min(KILL_CHOICES.length - 1, k.focus + delta)) });
      },
      killScrollMembers(delta) {
        const k = get().kill;
        if (!k) return;
        update({ memberScroll: scrollWithin(k, get().paneRows, k.memberScroll + delta) });
      },
      killPage(direction) {
        const k = get().kill;
        if (!k) return;
        // the dialog covers the table and the detail panel: the pane's rows plus its title and status
        const { list } = dialogRows(get().paneRows + 2, { phase: k.phase, error: k.error, hasPrep: k.prep !== null });
        get().actions.killScrollMembers(direction * pageOf(list));
      },
      killToggleFamily() {
        const k = get().kill;
        if (!k || k.phase !== 'choose' || membersOf(k.prep).length === 0) return;
        update({ family: !k.family });
      },
      killRecheck() {
        const s = get();
        const k = s.kill;
        if (!k || !k.checking || k.phase !== 'choose' || !services || !s.live || s.live.snapshot.partial) return;
        const prep = services.prepareKill(k.pid, s.live.snapshot, s.live.assessments);
        if ('error' in prep) { update({ prep: null, error: prep.error, phase: 'done', checking: false }); return; }
        // whoever is paging the family keeps their place: the list is the same family, now fully read
        const next = { ...k, prep, error: prep.refusal ?? prep.readOnly, checking: false, family: k.family && membersOf(prep).length > 0 };
        update({ ...next, memberScroll: scrollWithin(next, s.paneRows, k.memberScroll) });
      },
      killConfirm() {
        const k = get().kill;
        if (!k || k.phase !== 'choose' || !k.prep || !services) return;
        const option = KILL_CHOICES[k.focus];
        if (option === 'cancel') { get().actions.closeOverlay(); return; }
        if (k.error) return; // refused targets cannot be signalled
        update({ phase: 'working', result: [{ text: `sending ${option}${k.family ? ` to ${membersOf(k.prep).length + 1} processes` : ''}…`, status: 'info' }] });
        services.act(k.prep, option, k.family).then(
          (result) => update({ phase: 'done', result, memberScroll: 0 }),
          (err: Error) => update({ phase: 'done', result: [{ text: `failed: ${err.message}`, status: 'failed' }] }),
        );
      },
    },
  };
}
