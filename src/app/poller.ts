// The collection loop, outside React: read /proc, detect, hand the result to the store; host figures
// alongside. One store write per tick. The next tick is scheduled after this one finished, at the
// store's current interval (so + and - take effect at once).
import type { KnownGood } from '../allow/index';
import { ContentCollector } from '../content/collector';
import { Detector } from '../detect/index';
import { POOL_PORTS, STRONG_POOL_PORTS } from '../detect/poolPorts';
import { HostSampler } from '../host/hostStats';
import { Enricher } from '../deep/enrich';
import { hostKnowledge, type HostKnowledge } from '../host/knowledge';
import { readUnreadIdentities } from '../procfs/identityPool';
import { ProcReader } from '../procfs/reader';
import type { AppStore } from '../store/appStore';
import type { RespawnWatch } from '../respond/index';
import { nextTurn, SLICE_MS } from '../slicer';
/** Ticks before background work (package index, content evidence) starts: the first frames come first. */
const BACKGROUND_FROM_TICK = 2;
/**
 * Identities the quick pass left unread are read this many at a time between turns of the event loop
 * (keys are answered in between): 32 take 3-15 ms, more while a worker thread reads beside it.
 */
const IDENTITY_SLICE = 32;

export interface PollerOptions {
  procRoot?: string;
  /** Killed processes to watch for (respawn detection), from the response services. */
  respawn?: RespawnWatch;
  /** Sets aside minewatch itself and allow-listed processes (by executable hash and path). */
  knownGood?: KnownGood;
  root?: string;
  /** First CPU figures need two samples: the second comes this soon after the first. */
  warmupMs?: number;
  onError?: (err: Error) => void;
  /** GPU reading (default on). */
  gpu?: boolean;
  /** What detection knows of the host's files (package index, accounts); shared with the inspector. */
  knowledge?: HostKnowledge;
  /**
   * Draw the first frame from a quick pass (stat, command line, owner; nothing assessed yet) and take the
   * full sample right after it (default on).
   */
  quickFirstFrame?: boolean;
  /**
   * How long a full sample or its assessment runs before a turn of the event loop (default SLICE_MS; 0:
   * after every process): at 20,000 processes a sample that checks every process, or an assessment that
   * judges every process afresh, takes hundreds of ms, and a key pressed meanwhile waits for one slice.
   */
  sampleSliceMs?: number;
}

export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly reader: ProcReader;
  private readonly detector: Detector;
  private readonly content: ContentCollector;
  private readonly knowledge: HostKnowledge;
  private readonly host: HostSampler;
  readonly enricher: Enricher;
  ticks = 0;
  private quickDone = false;

  constructor(private readonly store: AppStore, private readonly opts: PollerOptions = {}) {
    this.reader = new ProcReader({ procRoot: opts.procRoot, root: opts.root, watchPorts: POOL_PORTS, loopbackPorts: STRONG_POOL_PORTS });
    this.knowledge = opts.knowledge ?? hostKnowledge(opts.root ?? '/', { lazy: true });
    this.detector = new Detector(this.knowledge);
    this.content = new ContentCollector({ procRoot: opts.procRoot, root: opts.root, packaged: (exe) => this.knowledge.packages.digest(exe) !== null });
    this.host = new HostSampler(opts.procRoot);
    this.enricher = new Enricher({ procRoot: opts.procRoot, root: opts.root, gpu: opts.gpu, watchGap: true });
  }

  start(): void {
    this.stopped = false;
    this.enricher.start();
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.enricher.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * The first frame's data, into the store synchronously, so that the dashboard's first render already
   * draws the table: a quick pass (stat of every process: the tree; nothing assessed, marked partial),
   * then the command line and owner of the rows that frame shows (`shownRows`: the terminal's height).
   * The full sample is the next tick, at once: it first reads the identities the quick pass left unread
   * in slices, between which keys are answered (on worker threads too on a large host). Host figures
   * wait for that tick too.
   */
  primeQuick(shownRows?: number): void {
    if (this.quickDone) return;
    this.quickDone = true;
    const { actions } = this.store.getState();
    const quick = this.reader.sample({ statOnly: true });
    actions.ingest(quick, new Map());
    const s = this.store.getState();
    const shown = s.rows.slice(s.scrollTop, s.scrollTop + Math.max(s.viewportRows, shownRows ?? 0)).map((r) => r.pid);
    actions.ingest(this.reader.completeQuick(quick, shown), new Map());
  }

  /** Identities the quick pass left that the first full tick has not read yet. */
  get identitiesLeft(): number {
    return this.reader.unreadIdentities;
  }

  /** One collection and one store write (one render) per tick; exposed for tests. */
  async tick(): Promise<void> {
    if (!this.quickDone && this.opts.quickFirstFrame !== false) {
      this.primeQuick();
      return;
    }
    if (this.reader.unreadIdentities > 0) {
      // a key pressed at the first frame first; then every process's cgroup from one walk of the cgroup2
      // mount (not one /proc/PID/cgroup each: 80 ms at 20,000 processes)
      await nextTurn();
      if (this.stopped) return;
      this.reader.prefetchCgroups();
      await nextTurn();
      await readUnreadIdentities(this.reader, { slice: IDENTITY_SLICE, turn: nextTurn });
      if (this.stopped) return;
    }
    const sample = await this.reader.sampleSliced(nextTurn, this.opts.sampleSliceMs ?? SLICE_MS);
    if (this.stopped) return;
    const snapshot = this.enricher.enrich(sample);
    const unread = this.knowledge.packages.unreadWhy();
    if (unread) snapshot.warnings = [...snapshot.warnings, `package ownership unknown: ${unread}`];
    const content = this.content.facts(snapshot);
    if (content.size > 0) snapshot.content = content;
    let assessments = await this.detector.assessSliced(snapshot, this.opts.respawn?.facts(), nextTurn, this.opts.sampleSliceMs ?? SLICE_MS);
    if (this.stopped) return;
    if (this.opts.knownGood) {
      const known = this.opts.knownGood.apply(snapshot, assessments);
      assessments = known.assessments;
      // rare: only when the set changes (one extra store write then)
      const prev = this.store.getState().knownGood;
      if (prev.size !== known.knownGood.size || [...known.knownGood.keys()].some((pid) => !prev.has(pid))) this.store.getState().actions.setKnownGood(known.knownGood);
    }
    // The package index and content evidence are built in the background once the first frames are
    // out, and read on a later tick: never on the frame's path.
    if (this.ticks === BACKGROUND_FROM_TICK) void this.knowledge.packages.loadAsync().catch(() => undefined);
    if (this.ticks >= BACKGROUND_FROM_TICK) void this.content.update(snapshot, assessments).catch(() => undefined);
    // host figures are decoration: a failed read leaves the last ones
    const stats = await this.host.sample().catch(() => null);
    if (this.stopped) return;
    this.store.getState().actions.ingest(snapshot, assessments, stats ?? undefined);
    this.ticks++;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(async () => {
      if (this.stopped) return;
      try {
        await this.tick();
      } catch (err) {
        this.opts.onError?.(err as Error);
      }
      if (this.stopped) return;
      const interval = this.store.getState().intervalMs;
      // after the quick first frame (no tick counted yet) the full sample comes at once
      this.schedule(this.ticks === 0 ? 0 : this.ticks === 1 ? Math.min(interval, this.opts.warmupMs ?? 500) : interval);
    }, delay);
    this.timer.unref?.();
  }
}
