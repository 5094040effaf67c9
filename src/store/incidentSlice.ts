// The incident view's state: the incident around the chosen process, then its containment plan, which
// the user reviews (unticks steps), confirms once with y, and watches run step by step. Nothing runs
// without that y; in read-only mode (or on a fixture) y only says why nothing runs.
import type { ContainmentPlan } from '../incident/containment';
import { toggleStep } from '../incident/containment';
import type { Incident } from '../incident/incident';
import type { IncidentService } from '../incident/service';
import type { Slice, SliceContext } from './slice';

export interface IncidentUi {
  pid: number;
  incident: Incident | null;
  error: string | null;
  plan: ContainmentPlan | null;
  /** 'incident': what is known; 'plan': the proposed containment plan (after c). */
  mode: 'incident' | 'plan';
  /** Focused plan step. */
  focus: number;
  /** First line shown of the incident body (it scrolls). */
  scroll: number;
}

export interface IncidentState {
  incident: IncidentUi | null;
}

export interface IncidentActions {
  /** Open the incident around the selected process (Enter on a flagged one, or x). */
  openIncident(): void;
  /** Show the containment plan. */
  incidentContain(): void;
  incidentMove(delta: number): void;
  /** Tick or untick the focused step. */
  incidentToggle(): void;
  /** The one confirmation: run the ticked steps. */
  incidentConfirm(): void;
  incidentScroll(delta: number): void;
  /** Back from the plan to the incident, or close. */
  incidentBack(): void;
}

export function incidentSlice(ctx: SliceContext, service: IncidentService | undefined): Slice<IncidentState, IncidentActions> {
  const { set, get } = ctx;
  const update = (patch: Partial<IncidentUi>) => { const i = get().incident; if (i) set({ incident: { ...i, ...patch } }); };
  let running = false;

  const actions: IncidentActions = {
    openIncident() {
      const s = get();
      const pid = s.selectedPid;
      if (pid === null) return;
      const look = s.live ?? (s.snapshot ? { snapshot: s.snapshot, assessments: s.assessments } : null);
      if (!service || !look) { ctx.say('the incident view is not available here'); return; }
      const opened = service.open(pid, look.snapshot, look.assessments);
      const base: IncidentUi = { pid, incident: null, error: null, plan: null, mode: 'incident', focus: 0, scroll: 0 };
      set({
        overlay: 'incident',
        incident: 'error' in opened ? { ...base, error: opened.error } : { ...base, incident: opened.incident, plan: opened.plan },
      });
    },
    incidentContain() {
      const i = get().incident;
      if (!i?.plan) return;
      update({ mode: 'plan', focus: 0 });
    },
    incidentMove(delta) {
      const i = get().incident;
      if (!i) return;
      if (i.mode === 'incident' || !i.plan) { actions.incidentScroll(delta); return; }
      update({ focus: Math.max(0, Math.min(i.plan.steps.length - 1, i.focus + delta)) });
    },
    incidentToggle() {
      const i = get().incident;
      if (!i?.plan || i.mode !== 'plan') return;
      update({ plan: toggleStep(i.plan, i.focus) });
    },
    incidentConfirm() {
      const i = get().incident;
      if (!i?.plan || !i.incident || !service || i.mode !== 'plan' || i.plan.phase !== 'review' || running) return;
      if (!i.plan.steps.some((s) => s.enabled)) { ctx.say('every step is unticked: nothing to run'); return; }
      running = true;
      const pid = i.pid;
      const onUpdate = (plan: ContainmentPlan) => { const cur = get().incident; if (cur && cur.pid === pid) set({ incident: { ...cur, plan } }); };
      service.run(i.plan, i.incident, onUpdate).then(
        (plan) => { running = false; onUpdate(plan); },
        (err: Error) => { running = false; ctx.say(`the plan failed: ${err.message}`); },
      );
    },
    incidentScroll(delta) {
      const i = get().incident;
      if (i) update({ scroll: Math.max(0, i.scroll + delta) });
    },
    incidentBack() {
      const i = get().incident;
      if (!i) return;
      if (i.plan?.phase === 'running') return; // the plan finishes first
      if (i.mode === 'plan' && i.plan?.phase === 'review') { update({ mode: 'incident' }); return; }
      get().actions.closeOverlay();
    },
  };
  return { state: { incident: null }, actions };
}
