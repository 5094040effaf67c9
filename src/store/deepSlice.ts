// The deep scan started from the dashboard (D): it runs in the background, off the render path; its
// progress and, once done, its report show in a pane (D shows it again after Esc).
import { line } from '../text/content';
import { wrapContent } from '../text/content';
import type { Slice, SliceContext } from './slice';

export interface DeepRun {
  phase: 'running' | 'done' | 'failed';
  /** 0..1 */
  fraction: number;
  text: string;
  lines: string[];
  findings: number;
}

export type DeepScanFn = (onProgress: (fraction: number, text: string) => void) => Promise<{ lines: string[]; findings: number }>;

export interface DeepState {
  deep: DeepRun | null;
}

export interface DeepActions {
  /** D: start the deep scan, or show it (progress while it runs, the report once done). */
  runDeepScan(): void;
}

export function deepSlice(ctx: SliceContext, deepScan: DeepScanFn | undefined): Slice<DeepState, DeepActions> {
  const { set, get } = ctx;
  const showPane = (d: DeepRun) => {
    const title = d.phase === 'running' ? `Deep scan ${Math.round(d.fraction * 100)}%: ${d.text}` : d.phase === 'done' ? `Deep scan: ${d.findings} finding${d.findings === 1 ? '' : 's'}` : 'Deep scan failed';
    const pane = get().pane;
    const scroll = pane?.kind === 'deep' ? pane.scroll : 0;
    const lines = wrapContent((d.lines.length ? d.lines : [d.text]).map((t) => line(t)), Math.max(20, get().viewportCols - 1));
    set({ overlay: 'pane', pane: { kind: 'deep', pid: null, title, lines, status: d.phase === 'running' ? 'running in the background: Esc closes this pane, D shows it again' : null, scroll, actions: [], focus: 0, confirming: null } });
  };
  return {
    state: { deep: null },
    actions: {
      runDeepScan() {
        const cur = get().deep;
        if (cur && cur.phase === 'running') { showPane(cur); return; }
        if (!deepScan) { ctx.say('the deep scan is not available here'); return; }
        const start: DeepRun = { phase: 'running', fraction: 0, text: 'starting', lines: [], findings: 0 };
        set({ deep: start });
        showPane(start);
        let last = 0;
        const update = (d: DeepRun) => {
          set({ deep: d });
          const pane = get().pane;
          if (get().overlay === 'pane' && pane?.kind === 'deep') showPane(d);
        };
        deepScan((fraction, text) => {
          const t = Date.now();
          if (t - last < 200) return; // progress redraws at most five times a second
          last = t;
          update({ ...start, fraction, text: `${text}` });
        }).then(
          (r) => {
            update({ phase: 'done', fraction: 1, text: 'done', lines: r.lines, findings: r.findings });
            if (get().pane?.kind !== 'deep') ctx.say(`deep scan done: ${r.findings} finding${r.findings === 1 ? '' : 's'} (D shows them)`);
          },
          (err: Error) => update({ phase: 'failed', fraction: 1, text: `deep scan failed: ${err.message}`, lines: [], findings: 0 }),
        );
      },
    },
  };
}
