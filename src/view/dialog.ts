// The signal dialog's rows, as one pure function the store (paging) and the view (drawing) share: the
// title and the target's summary on top, the choices and hints pinned to the bottom, and what is left
// over for the scrolling list (the family while choosing, the outcome once done).

/** Summary lines under the title: PID/user, exe, start time, verdict. */
export const SUMMARY_LINES = 4;
/** Choices + key hint + evidence note while choosing. */
export const CHOOSE_FOOTER = 5 + 2;

export interface DialogShape {
  phase: 'choose' | 'working' | 'done';
  error: string | null;
  hasPrep: boolean;
}

export function dialogRows(height: number, k: DialogShape): { head: number; footer: number; list: number } {
  const inner = Math.max(1, height - 2); // the border
  const head = 1 + (k.hasPrep ? SUMMARY_LINES : 0) + (k.error ? 1 : 0);
  const footer = k.phase === 'choose' && !k.error ? CHOOSE_FOOTER : 1;
  // one line above the list: the family line while choosing, the result summary once done
  const list = Math.max(0, inner - head - footer - 1);
  return { head, footer, list };
}

/** How far PgUp/PgDn move a list of `rows` rows: what one screen of it shows (one line notes the rest). */
export const pageOf = (rows: number) => Math.max(1, rows - 1);
