// `minewatch` with no subcommand: the live dashboard in the terminal's alternate screen.
// The terminal is restored on every way out: q, Ctrl-C, SIGTERM/SIGHUP, and a crash.
import React, { useEffect, useState } from 'react';
import { render, useStdout } from 'ink';
import { App } from '../../components/App';
import { StoreProvider } from '../../components/StoreContext';
import { ThemeProvider } from '../../components/theme';
import { createKnownGood } from '../allow/index';
import { Poller } from '../app/poller';
import { formatDeep, runDeepScan } from '../deep/index';
import { createServices } from '../app/services';
import { AuditLog, defaultAuditPath, defaultEvidenceDir } from '../respond/index';
import { createIncidentService } from '../incident/service';
import { recordOfRun } from '../report/record';
import { procExeHasher } from '../allow/hash';
import { confirmAllow, prepareAllow } from '../allow/session';
import { readOsRelease } from '../host/osRelease';
import { readHostIdentity } from '../procfs/host';
import { createAppStore } from '../store/appStore';
import { DASHBOARD, formatHelp, intFlag, parseArgs, UsageError } from './args';
import { LEAVE_ALT, startWatchdog, type Watchdog } from './watchdog';
import fs from 'node:fs';
import { setupProblem } from './setupCheck';
import { hostKnowledge } from '../host/knowledge';
// the text libraries' tables (scripts/ink/narrow.js, bundled into Ink's text libraries by the build)
import { buildUnicodeTables } from '../../scripts/ink/narrow.js';

const ENTER_ALT = '\x1b[?1049h\x1b[?25l';

function Sized({ children }: { children: (cols: number, rows: number) => React.ReactNode }) {
  const { stdout } = useStdout();
  const [size, setSize] = useState({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  useEffect(() => {
    const onResize = () => setSize({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => { stdout.off('resize', onResize); };
  }, [stdout]);
  return <>{children(size.cols, size.rows)}</>;
}

export async function runDashboardCommand(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, DASHBOARD);
  if (flags.help) { process.stdout.write(formatHelp(DASHBOARD)); return 0; }
  if (positional.length) throw new UsageError(`unknown command ${positional[0]} (try minewatch --help)`);
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError('the dashboard needs a terminal; for scripts and cron use `minewatch scan` (or scan --json)');
  }
  const intervalMs = intFlag(flags, 'interval', 1000, 100, 60_000);
  const procRoot = (flags.proc as string) ?? '/proc';
  const root = (flags.root as string) ?? '/';
  const evidenceDir = (flags['evidence-dir'] as string) ?? defaultEvidenceDir({ uid: process.getuid?.() ?? 0, env: process.env });
  const problem = setupProblem({ procRoot, root, evidenceDir, readonly: Boolean(flags.readonly) });
  if (problem) throw new UsageError(problem); // before the screen is taken: exit 2 with the reason
  // Raw mode at once, before anything is drawn: keys typed while minewatch starts are neither echoed
  // over the screen nor held back until Enter; they wait in the terminal until the first frame reads them.
  process.stdin.setRawMode(true);
  const color = !flags['no-color'] && !process.env.NO_COLOR;
  const id = readHostIdentity(procRoot);
  // one package index and account table for detection and the inspector (built in the background)
  const knowledge = hostKnowledge(root, { lazy: true });
  const services = createServices({ procRoot, root, readonly: Boolean(flags.readonly), evidenceDir, packages: knowledge.packages });
  const incident = createIncidentService({ procRoot, root, readOnly: services.readonlyReason ?? null, runPlan: services.runPlan });
  const known = createKnownGood({ procRoot, root });
  const store = createAppStore({
    services, incident, record: () => recordOfRun(services.evidenceDir, process.pid),
    allow: {
      readonly: Boolean(flags.readonly),
      prepare: (p) => prepareAllow(p, procExeHasher(procRoot), procRoot),
      confirm: (ask) => confirmAllow(ask, known.knownGood, new AuditLog(defaultAuditPath(services.evidenceDir))).message,
    },
    intervalMs, filter: (flags.filter as string) ?? '', flaggedOnly: Boolean(flags.flagged),
    host: { hostname: id.hostname, kernel: id.kernel, distro: readOsRelease(root) },
    deepScan: async (onProgress) => {
      const r = await runDeepScan({ procRoot, root, onProgress: (p) => onProgress(p.fraction, p.text) });
      return { lines: formatDeep(r), findings: r.findings.length };
    },
  });

  if (known.warnings.length) store.getState().actions.say(known.warnings[0]);
  const poller = new Poller(store, { procRoot, root, gpu: !flags['no-gpu'], respawn: services.respawn, knownGood: known.knownGood, knowledge, onError: (e) => store.getState().actions.say(`collection failed: ${e.message}`) });

  // Every way out restores the terminal: q, Ctrl-C, SIGTERM/SIGHUP/SIGINT/SIGQUIT, a crash, and (through
  // the watchdog thread) a main thread stuck for 15 s. Nothing here may throw.
  let restored = false;
  let watchdog: Watchdog | null = null;
  const restore = () => {
    if (restored) return;
    restored = true;
    try { poller.stop(); } catch { /* leaving anyway */ }
    try { watchdog?.stop(); } catch { /* leaving anyway */ }
    try { fs.writeSync(1, LEAVE_ALT); } catch { /* no terminal left */ }
    try { if (process.stdin.isTTY) process.stdin.setRawMode(false); } catch { /* no terminal left */ }
  };
  process.stdout.write(ENTER_ALT);
  process.on('exit', restore);
  const onSignal = (sig: NodeJS.Signals) => { restore(); process.exit(sig === 'SIGINT' ? 130 : sig === 'SIGHUP' ? 129 : sig === 'SIGQUIT' ? 131 : 143); };
  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'] as const) process.once(sig, onSignal);
  const onCrash = (err: unknown) => {
    restore();
    process.stderr.write(`minewatch: ${(err as Error)?.message ?? String(err)}\n`);
    process.exit(2);
  };
  process.once('uncaughtException', onCrash);
  process.once('unhandledRejection', onCrash);

  // the table's first data before the first render: one cold render, drawn with the processes in it
  try { poller.primeQuick(process.stdout.rows); } catch (err) { store.getState().actions.say(`collection failed: ${(err as Error).message}`); }
  const instance = render(
    <ThemeProvider theme={{ color }}>
      <StoreProvider store={store}>
        <Sized>{(cols, rows) => <App cols={cols} rows={rows} />}</Sized>
      </StoreProvider>
    </ThemeProvider>,
    // Ink draws at most maxFps frames a second (30 by default): a key pressed just after a tick's frame
    // would wait up to 34 ms for its own. 100 lets a key's frame out within 10 ms; ticks stay one frame each.
    { exitOnCtrlC: false, patchConsole: false, maxFps: 100 },
  );
  // The watchdog's thread and shell start once the first frame is out: starting them costs the main
  // thread a spawn (10-50 ms), and the first frame comes before any tick that could stall.
  watchdog = startWatchdog();
  setImmediate(() => poller.start());
  // Text that is not simple (an odd process name, a wide character) needs a grapheme segmenter and
  // string-width's Unicode tables, built on first use (50-110 ms on an idle 2-core host, more with every
  // core busy), which a key scrolling the first such name into view would wait for. Built once the first
  // full frame is out, between ticks.
  const unsubscribe = store.subscribe((s) => {
    if (!s.snapshot || s.snapshot.partial) return;
    unsubscribe();
    setImmediate(buildUnicodeTables);
  });
  try {
    await instance.waitUntilExit();
  } finally {
    restore();
  }
  return 0;
}
