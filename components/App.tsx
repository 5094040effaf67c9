// The dashboard layout. Sizes come from props (the terminal's, or a test's); input goes through the
// keybinding table. The frame is kept one line shorter than the terminal: at full height Ink 6.8
// clears the whole screen on every render, which flickers.
import React, { useEffect } from 'react';
import { Box, useApp, useStdin } from 'ink';
import { handleKey } from '../src/app/keymap';
import { splitKeys } from '../src/app/keys';
import { DetailPanel } from './DetailPanel';
import { Header } from './Header';
import { HelpScreen } from './HelpScreen';
import { IncidentView } from './IncidentView';
import { KillDialog } from './KillDialog';
import { Pane } from './Pane';
import { ProcessTable } from './ProcessTable';
import { StatusBar } from './StatusBar';
import { useAppStore, useStoreApi } from './StoreContext';
import { MIN_COLS, MIN_ROWS, TooSmall } from './TooSmall';

export interface Layout { header: number; table: number; detail: number; status: number }

export function layoutFor(rows: number): Layout {
  const usable = rows - 1;
  const header = 3;
  const status = 1;
  const detail = Math.max(5, Math.min(14, Math.floor(usable * 0.36)));
  const table = Math.max(1, usable - header - status - detail - 1); // -1: the column header line
  return { header, table, detail, status };
}

export function App({ cols, rows }: { cols: number; rows: number }) {
  const api = useStoreApi();
  const overlay = useAppStore((s) => s.overlay);
  const quit = useAppStore((s) => s.quit);
  const { exit } = useApp();
  const small = cols < MIN_COLS || rows < MIN_ROWS;
  const layout = layoutFor(rows);

  const paneRows = layout.table + 1 + layout.detail - 2; // a pane covers table and detail panel, less its title and status
  useEffect(() => { api.getState().actions.setViewport({ rows: layout.table, cols, paneRows }); }, [layout.table, cols, paneRows, api]);
  useEffect(() => { if (quit) exit(); }, [quit, exit]);
  // Ink's useInput hands over a run of typed text as one string (`jjjjj`, `/1` + Enter): take the raw
  // input events instead and cut each into single keys, handled in order against the current state.
  const { setRawMode, internal_eventEmitter: input } = useStdin();
  useEffect(() => {
    setRawMode(true);
    return () => { setRawMode(false); };
  }, [setRawMode]);
  useEffect(() => {
    if (!input) throw new Error('Ink no longer exposes its input events (useStdin().internal_eventEmitter)');
    const onInput = (chunk: string) => {
      for (const press of splitKeys(chunk)) {
        const state = api.getState();
        if (small) { if (press.name === 'q' || press.name === 'ctrl+c' || press.name === 'f10') state.actions.requestQuit(); continue; }
        handleKey(state, press);
      }
    };
    input.on('input', onInput);
    return () => { input.removeListener('input', onInput); };
  }, [input, api, small]);

  if (small) return <TooSmall cols={cols} rows={rows} />;
  const width = cols;
  return (
    <Box flexDirection="column" width={width} height={rows - 1}>
      <Header width={width} />
      {overlay === 'help' ? <HelpScreen width={width} height={rows - 1 - layout.header - layout.status} /> : null}
      {overlay === 'pane' ? <Pane width={width} height={layout.table + 1 + layout.detail} /> : null}
      {overlay === 'kill' ? <KillDialog width={width} height={layout.table + 1 + layout.detail} /> : null}
      {overlay === 'incident' ? <IncidentView width={width} height={layout.table + 1 + layout.detail} /> : null}
      {overlay === 'none'
        ? (
          <>
            <ProcessTable width={width} height={layout.table} />
            <DetailPanel width={width} height={layout.detail} />
          </>
        )
        : null}
      <StatusBar width={width} />
    </Box>
  );
}
