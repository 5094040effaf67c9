// `a` on a process: hash what it runs, ask, and on y mark it known-good for this run (by hash and
// path, never by name). Known-good processes are counted apart and drawn dimmed.
import type { KnownGoodMark } from '../allow/known';
import type { AllowAsk } from '../allow/session';
import type { ProcessInfo } from '../model';
import type { Slice, SliceContext } from './slice';

export interface AllowService {
  readonly: boolean;
  prepare(p: ProcessInfo): Promise<AllowAsk | { error: string }>;
  /** Marks it (audited); the message says how to keep it. Throws when the audit record cannot be written. */
  confirm(ask: AllowAsk): string;
}

export interface AllowState {
  /** Set aside as known-good on the last tick: minewatch itself, allow-list matches. */
  knownGood: ReadonlyMap<number, KnownGoodMark>;
  /** The question on screen after a: y marks it. */
  allowAsk: AllowAsk | null;
}

export interface AllowActions {
  allowSelected(): void;
  allowAnswer(yes: boolean): void;
  setKnownGood(marks: ReadonlyMap<number, KnownGoodMark>): void;
}

export function allowSlice(ctx: SliceContext, service: AllowService | undefined): Slice<AllowState, AllowActions> {
  const { set, get } = ctx;
  return {
    state: { knownGood: new Map(), allowAsk: null },
    actions: {
      allowSelected() {
        const s = get();
        const p = s.selectedPid !== null ? s.snapshot?.processes.get(s.selectedPid) : undefined;
        if (!p) return;
        if (!service) { ctx.say('the allow-list is not available here'); return; }
        if (service.readonly) { ctx.say('read-only mode (--readonly): add it to /etc/minewatch/allow instead'); return; }
        if (s.knownGood.has(p.pid)) { ctx.say(`PID ${p.pid} is already known-good (${s.knownGood.get(p.pid)!.why})`); return; }
        ctx.say(`hashing the executable of PID ${p.pid}…`);
        service.prepare(p).then((ask) => {
          if ('error' in ask) { ctx.say(ask.error); return; }
          // the status line shows the question for as long as it is pending (it does not expire)
          ctx.say(null);
          set({ allowAsk: ask });
        }, (err: Error) => ctx.say(`could not hash it: ${err.message}`));
      },
      allowAnswer(yes) {
        const ask = get().allowAsk;
        if (!ask) return;
        set({ allowAsk: null });
        if (!yes || !service) { ctx.say('nothing was marked'); return; }
        try {
          ctx.say(service.confirm(ask));
        } catch (err) {
          ctx.say(`nothing was marked: the audit log could not be written (${(err as Error).message})`);
        }
      },
      setKnownGood(marks) { set({ knownGood: marks }); },
    },
  };
}
