// The status line's message and the session flags: read-only mode, the evidence directory, quit.
// A message expires by itself (MESSAGE_MS): a note about a key pressed minutes ago is noise.
import type { Slice } from './slice';

export const MESSAGE_MS = 4000;

export interface StatusState {
  message: string | null;
  readonly: boolean;
  evidenceDir: string;
  quit: boolean;
}

export interface StatusActions {
  say(message: string | null): void;
  requestQuit(): void;
}

export interface StatusSetup {
  set(patch: Partial<StatusState>): void;
  get(): StatusState;
  readonly: boolean;
  evidenceDir: string;
  /** How long a message stays; tests shorten it. */
  messageMs?: number;
}

export function statusSlice(setup: StatusSetup): Slice<StatusState, StatusActions> & { say(message: string | null): void } {
  let timer: NodeJS.Timeout | null = null;
  const say = (message: string | null) => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (message !== setup.get().message) setup.set({ message });
    if (message === null) return;
    timer = setTimeout(() => { timer = null; if (setup.get().message === message) setup.set({ message: null }); }, setup.messageMs ?? MESSAGE_MS);
    timer.unref?.();
  };
  return {
    say,
    state: { message: null, readonly: setup.readonly, evidenceDir: setup.evidenceDir, quit: false },
    actions: {
      say,
      requestQuit() { setup.set({ quit: true }); },
    },
  };
}
