// The dashboard's view of what hides: GPU and container columns (only when there is something to
// show), the filter on a container, the deep scan key with its progress and report, the CPU gap banner.
import React from 'react';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../components/App';
import { StoreProvider } from '../../components/StoreContext';
import { ThemeProvider } from '../../components/theme';
import type { ContainerInfo, GpuState, ProcGpu } from '../../src/model';
import { createAppStore, type StoreOptions } from '../../src/store/appStore';
import { assess, incidentProcs, proc, snapshot } from '../helpers/snapshot';
import { rowOf, strip, tick } from '../components/render';

let ui: ReturnType<typeof render> | null = null;
afterEach(() => { ui?.unmount(); ui = null; });

const trainer: ProcGpu = { devices: ['nvidia0'], vendor: 'nvidia', controlOnly: false, memBytes: 714 * 2 ** 20, utilPct: 3, source: 'nvidia-smi' };

function show(over: { gpu?: GpuState; containers?: Map<number, ContainerInfo>; cpuGap?: any } = {}, opts: StoreOptions = {}) {
  const store = createAppStore(opts);
  const procs = [...incidentProcs(), proc({ pid: 454, name: 'python3', cmdline: ['python3', 'train.py'] }), proc({ pid: 600, name: 'nginx', uid: 101, user: 'www' })];
  const snap = snapshot(procs, over);
  store.getState().actions.ingest(snap, assess(snap));
  ui = render(<ThemeProvider theme={{ color: false }}><StoreProvider store={store}><App cols={140} rows={32} /></StoreProvider></ThemeProvider>);
  const frame = () => strip(ui!.lastFrame());
  const press = async (k: string) => { ui!.stdin.write(k); await tick(); };
  return { store, frame, press };
}

async function until(f: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) { if (Date.now() > end) throw new Error('timed out'); await tick(); }
}

describe('GPU and container columns', () => {
  it('are absent on a host without a GPU and without containers', async () => {
    const app = show({ gpu: { present: false, devices: [], nvidia: null, processes: new Map(), unlisted: [] } });
    await tick();
    expect(app.frame()).not.toMatch(/GPU|CONTAINER/);
  });

  it('show GPU memory and utilisation per process, the device in the header, the container label', async () => {
    const gpu: GpuState = { present: true, devices: ['NVIDIA H100 80GB HBM3'], nvidia: { state: 'running', message: 'ok' }, processes: new Map([[454, trainer]]), unlisted: [] };
    const containers = new Map<number, ContainerInfo>([[600, { runtime: 'docker', id: 'f'.repeat(64), label: 'docker:ffffffffffff', pod: null, ownPidNamespace: true }]]);
    const app = show({ gpu, containers });
    await tick();
    const f = app.frame();
    expect(f).toMatch(/PID .*GPU +CONTAINER +COMMAND/);
    expect(rowOf(f, 454)).toMatch(/714M 3%/);
    expect(rowOf(f, 600)).toMatch(/docker:ffffffffffff/);
    expect(f).toMatch(/GPU H100 80GB HBM3: 1 process, 714M, top 3%/);
  });

  it('the filter matches a container label', async () => {
    const containers = new Map<number, ContainerInfo>([[600, { runtime: 'docker', id: 'f'.repeat(64), label: 'docker:ffffffffffff', pod: null, ownPidNamespace: true }]]);
    const app = show({ containers });
    await app.press('/');
    for (const c of 'docker') await app.press(c);
    await app.press('\r');
    const f = app.frame();
    expect(rowOf(f, 600)).toBeDefined();
    expect(rowOf(f, 412)).toBeUndefined();
  });
});

describe('deep scan from the dashboard', () => {
  it('D runs it in the background with progress, then shows the report; Esc closes', async () => {
    let progress: (f: number, t: string) => void = () => {};
    let finish: (r: { lines: string[]; findings: number }) => void = () => {};
    const app = show({}, {
      deepScan: (onProgress) => { progress = onProgress; return new Promise((r) => { finish = r; }); },
    });
    await app.press('D');
    expect(app.frame()).toMatch(/Deep scan 0%: starting/);
    progress(0.5, 'probing PIDs 16000/32767');
    await until(() => /Deep scan 50%: probing PIDs 16000\/32767/.test(app.frame()));
    expect(app.frame()).toMatch(/deep scan 50%/); // the header says it too
    finish({ lines: ['Deep scan (3.2 s):', '', 'CRITICAL H40 Process hidden from the /proc listing (PID 4242)'], findings: 1 });
    await until(() => /Deep scan: 1 finding/.test(app.frame()));
    expect(app.frame()).toMatch(/CRITICAL H40 Process hidden from the \/proc listing \(PID 4242\)/);
    await app.press('\u001B');
    await until(() => !/Deep scan: 1 finding/.test(app.frame()));
    await app.press('D'); // shows the last report again... by running anew: a finished scan is not kept running
    expect(app.store.getState().deep?.phase).toBe('running');
  });

  it('says so when the deep scan is not available', async () => {
    const app = show();
    await app.press('D');
    expect(app.frame()).toMatch(/the deep scan is not available here/);
  });
});

describe('CPU gap in the header', () => {
  it('appears only once the precise measurement confirms it, with the figures', async () => {
    const w = (gap: number) => ({ ms: 1000, kernelPct: 150, accountedPct: 150 - gap, gapPct: gap, processes: 90 });
    const confirmed = { windows: [w(62), w(60), w(65)], sustainedGapPct: 62, thresholdPct: 10, sustained: true };
    let app = show({ cpuGap: { estimatePct: 70, confirmed: null, confirmedAt: null, checking: true } });
    await tick();
    expect(app.frame()).not.toMatch(/CPU gap/);
    ui!.unmount();
    app = show({ cpuGap: { estimatePct: 70, confirmed, confirmedAt: 1, checking: false } });
    await tick();
    expect(app.frame().replace(/\n/g, '')).toMatch(/CPU gap 62% \(kernel 150%, processes 88%\): hidden process\? D/);
  });
});
