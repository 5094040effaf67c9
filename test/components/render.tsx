// Render the real App on a store fixture with ink-testing-library.
import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../components/App';
import { StoreProvider } from '../../components/StoreContext';
import { ThemeProvider } from '../../components/theme';
import { createAppStore, type StoreOptions } from '../../src/store/appStore';
import type { ProcessInfo } from '../../src/model';
import { assess, snapshot } from '../helpers/snapshot';

export const KEY = {
  up: '\u001B[A', down: '\u001B[B', left: '\u001B[D', right: '\u001B[C', enter: '\r', esc: '\u001B',
  pageDown: '\u001B[6~', pageUp: '\u001B[5~', home: '\u001B[H', end: '\u001B[F', backspace: '\u007F',
};

export const tick = () => new Promise((r) => setTimeout(r, 30));

export function strip(s: string | undefined): string {
  return (s ?? '').replace(/\u001B\[[0-9;]*m/g, '');
}

export function renderApp(procs: ProcessInfo[], opts: StoreOptions & { cols?: number; rows?: number; color?: boolean } = {}) {
  const store = createAppStore(opts);
  const snap = snapshot(procs);
  store.getState().actions.ingest(snap, assess(snap));
  const ui = render(
    <ThemeProvider theme={{ color: opts.color ?? true }}>
      <StoreProvider store={store}>
        <App cols={opts.cols ?? 100} rows={opts.rows ?? 30} />
      </StoreProvider>
    </ThemeProvider>,
  );
  const frame = () => strip(ui.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) { ui.stdin.write(k); await tick(); }
  };
  const update = async (next: ProcessInfo[]) => {
    const s = snapshot(next);
    store.getState().actions.ingest(s, assess(s));
    await tick();
  };
  return { ui, store, frame, press, update };
}

/** The line of the frame holding a process row with this PID. */
export function rowOf(frame: string, pid: number): string | undefined {
  return frame.split('\n').find((l) => new RegExp(`^.\\s+${pid} `).test(l));
}
