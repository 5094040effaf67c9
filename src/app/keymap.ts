// Every key of the dashboard, in one table: the input handler dispatches from it and the help
// screen (and the README check) is drawn from it, so the two cannot disagree.
import type { AppActions, AppState } from '../store/appStore';
import { keyLabel, type KeyPress } from './keys';

export type Group = 'Move' | 'Tree' | 'Find' | 'View' | 'Respond' | 'General' | 'In a pane' | 'In the signal dialog' | 'In the incident view';

export interface Binding {
  keys: string[];
  /** How the keys are written in the help screen and README. */
  label: string;
  help: string;
  group: Group;
  run(actions: AppActions, state: AppState): void;
}

export const BINDINGS: readonly Binding[] = [
  { keys: ['up', 'k'], label: '↑ k', help: 'move up', group: 'Move', run: (a) => a.move(-1) },
  { keys: ['down', 'j'], label: '↓ j', help: 'move down', group: 'Move', run: (a) => a.move(1) },
  { keys: ['pageup', 'ctrl+b'], label: 'PgUp', help: 'half a page up', group: 'Move', run: (a) => a.page(-1) },
  { keys: ['pagedown', 'ctrl+f'], label: 'PgDn', help: 'half a page down', group: 'Move', run: (a) => a.page(1) },
  { keys: ['home', 'g'], label: 'Home g', help: 'first process', group: 'Move', run: (a) => a.moveTo('first') },
  { keys: ['end', 'G'], label: 'End G', help: 'last process', group: 'Move', run: (a) => a.moveTo('last') },
  { keys: ['n'], label: 'n', help: 'next flagged process', group: 'Move', run: (a) => a.jumpFlagged(1) },
  { keys: ['N'], label: 'N', help: 'previous flagged process', group: 'Move', run: (a) => a.jumpFlagged(-1) },
  { keys: ['space'], label: 'Space', help: 'fold or unfold the selected subtree', group: 'Tree', run: (a) => a.toggleCollapse() },
  { keys: ['left', 'h'], label: '← h', help: 'fold (or go to the parent)', group: 'Tree', run: (a) => a.collapse() },
  { keys: ['right', 'l'], label: '→ l', help: 'unfold', group: 'Tree', run: (a) => a.expand() },
  { keys: ['C'], label: 'C', help: 'fold every subtree', group: 'Tree', run: (a) => a.collapseAll() },
  { keys: ['X'], label: 'X', help: 'unfold everything', group: 'Tree', run: (a) => a.expandAll() },
  { keys: ['/', 'f', 'f3', 'f4'], label: '/ f F3 F4', help: 'filter by name, command, user or PID (Enter keeps, Esc clears)', group: 'Find', run: (a) => a.startFilter() },
  { keys: ['!', 'F'], label: '! F', help: 'show flagged processes only', group: 'Find', run: (a) => a.toggleFlaggedOnly() },
  { keys: ['escape'], label: 'Esc', help: 'clear the filter', group: 'Find', run: (a, s) => { if (s.filter) a.clearFilter(); } },
  { keys: ['t', 'e', 'f5'], label: 't e F5', help: 'tree or flat list', group: 'View', run: (a) => a.toggleMode() },
  { keys: ['s', '>', 'f6'], label: 's > F6', help: 'sort by the next column (cpu, mem, score, pid, user, name)', group: 'View', run: (a) => a.cycleSort() },
  { keys: ['r'], label: 'r', help: 'reverse the sort order', group: 'View', run: (a) => a.reverseSort() },
  { keys: ['z', 'Z'], label: 'z', help: 'freeze the view (collection goes on)', group: 'View', run: (a) => a.toggleFreeze() },
  { keys: ['+', '='], label: '+', help: 'refresh slower', group: 'View', run: (a) => a.changeInterval(1) },
  { keys: ['-'], label: '-', help: 'refresh faster', group: 'View', run: (a) => a.changeInterval(-1) },
  { keys: ['x'], label: 'x', help: 'incident view: process, family, persistence', group: 'Respond', run: (a) => a.openIncident() },
  { keys: ['enter'], label: 'Enter', help: 'incident view if flagged, else inspect', group: 'Respond', run: (a, s) => (s.selectedPid !== null && s.assessments.has(s.selectedPid) ? a.openIncident() : a.openInspect()) },
  { keys: ['i'], label: 'i', help: 'inspect: identity, hashes, files, sockets, environment, logins', group: 'Respond', run: (a) => a.openInspect() },
  { keys: ['E'], label: 'E', help: 'incident record: evidence and audit log', group: 'Respond', run: (a) => a.openRecord() },
  { keys: ['a'], label: 'a', help: 'known-good by exe hash and path (asks)', group: 'Respond', run: (a) => a.allowSelected() },
  { keys: ['c'], label: 'c', help: 'persistence that starts the process (crontab, units, rc, keys)', group: 'Respond', run: (a) => a.openPersistence(false) },
  { keys: ['P'], label: 'P', help: 'persistence on the whole host', group: 'Respond', run: (a) => a.openPersistence(true) },
  { keys: ['K', 'f9'], label: 'K F9', help: 'signal the process (asks first; evidence kept, audited)', group: 'Respond', run: (a) => a.openKill() },
  { keys: ['D'], label: 'D', help: 'deep scan: hidden processes, CPU no process accounts for, kernel taint and modules (in the background)', group: 'Respond', run: (a) => a.runDeepScan() },
  { keys: ['?', 'f1'], label: '? F1', help: 'this help', group: 'General', run: (a) => a.showHelp() },
  { keys: ['q', 'ctrl+c', 'f10'], label: 'q F10', help: 'quit', group: 'General', run: (a) => a.requestQuit() },
];

/** Keys while an inspect or persistence pane is open. */
export const PANE_BINDINGS: readonly Binding[] = [
  { keys: ['up', 'k'], label: '↑ k', help: 'scroll up', group: 'In a pane', run: (a) => a.scrollPane(-1) },
  { keys: ['down', 'j'], label: '↓ j', help: 'scroll down', group: 'In a pane', run: (a) => a.scrollPane(1) },
  { keys: ['pageup', 'ctrl+b'], label: 'PgUp', help: 'page up', group: 'In a pane', run: (a, s) => a.scrollPane(-Math.max(1, s.viewportRows - 1)) },
  { keys: ['pagedown', 'ctrl+f', 'space'], label: 'PgDn', help: 'page down', group: 'In a pane', run: (a, s) => a.scrollPane(Math.max(1, s.viewportRows - 1)) },
  { keys: ['home', 'g'], label: 'Home g', help: 'top', group: 'In a pane', run: (a) => a.scrollPane(-1e9) },
  { keys: ['end', 'G'], label: 'End G', help: 'bottom', group: 'In a pane', run: (a) => a.scrollPane(1e9) },
  { keys: ['tab'], label: 'Tab', help: 'persistence: choose the next entry that can be disabled', group: 'In a pane', run: (a) => a.paneNextAction() },
  { keys: ['d'], label: 'd', help: 'persistence: disable the chosen entry (asks; backup kept; audited)', group: 'In a pane', run: (a) => a.paneAskDisable() },
  { keys: ['y'], label: 'y', help: 'yes, disable it', group: 'In a pane', run: (a) => a.paneAnswer(true) },
  { keys: ['n'], label: 'n', help: 'no, keep it', group: 'In a pane', run: (a) => a.paneAnswer(false) },
  { keys: ['E'], label: 'E', help: 'the incident record (again: read it anew)', group: 'In a pane', run: (a) => a.openRecord() },
  { keys: ['escape', 'q', 'f10'], label: 'Esc q F10', help: 'close the pane (or cancel the question)', group: 'In a pane', run: (a, s) => (s.pane?.confirming ? a.paneAnswer(false) : a.closeOverlay()) },
];

/** Keys in the signal dialog: nothing is sent without Enter or y on a chosen signal. */
export const DIALOG_BINDINGS: readonly Binding[] = [
  { keys: ['up', 'k'], label: '↑ k', help: 'previous choice (once done: scroll the outcome)', group: 'In the signal dialog', run: (a, s) => (s.kill?.phase === 'choose' ? a.killMove(-1) : a.killScrollMembers(-1)) },
  { keys: ['down', 'j', 'tab'], label: '↓ j', help: 'next choice (once done: scroll the outcome)', group: 'In the signal dialog', run: (a, s) => (s.kill?.phase === 'choose' ? a.killMove(1) : a.killScrollMembers(1)) },
  { keys: ['pageup', 'ctrl+b'], label: 'PgUp', help: 'scroll the family list (or the outcome) up', group: 'In the signal dialog', run: (a) => a.killPage(-1) },
  { keys: ['pagedown', 'ctrl+f', 'space'], label: 'PgDn', help: 'scroll the family list (or the outcome) down', group: 'In the signal dialog', run: (a) => a.killPage(1) },
  { keys: ['a'], label: 'a', help: 'include the whole family (launcher, children), frozen first', group: 'In the signal dialog', run: (a) => a.killToggleFamily() },
  { keys: ['enter', 'y'], label: 'Enter y', help: 'do the chosen action', group: 'In the signal dialog', run: (a, s) => (s.kill?.phase === 'done' ? a.closeOverlay() : a.killConfirm()) },
  { keys: ['escape', 'n', 'q', 'f10'], label: 'Esc n F10', help: 'cancel (close)', group: 'In the signal dialog', run: (a) => a.closeOverlay() },
];

/** Keys in the incident view: the plan runs only on y, once, after the user has seen it. */
export const INCIDENT_BINDINGS: readonly Binding[] = [
  { keys: ['up', 'k'], label: '↑ k', help: 'previous step (or scroll up)', group: 'In the incident view', run: (a) => a.incidentMove(-1) },
  { keys: ['down', 'j'], label: '↓ j', help: 'next step (or scroll down)', group: 'In the incident view', run: (a) => a.incidentMove(1) },
  { keys: ['pageup', 'ctrl+b'], label: 'PgUp', help: 'scroll up', group: 'In the incident view', run: (a, s) => a.incidentScroll(-Math.max(1, s.viewportRows - 1)) },
  { keys: ['pagedown', 'ctrl+f'], label: 'PgDn', help: 'scroll down', group: 'In the incident view', run: (a, s) => a.incidentScroll(Math.max(1, s.viewportRows - 1)) },
  { keys: ['c', 'enter'], label: 'c Enter', help: 'contain: propose the plan (Enter: close)', group: 'In the incident view', run: (a, s) => (s.incident?.plan?.phase === 'done' ? a.closeOverlay() : a.incidentContain()) },
  { keys: ['space'], label: 'Space', help: 'tick or untick the chosen step', group: 'In the incident view', run: (a) => a.incidentToggle() },
  { keys: ['y'], label: 'y', help: 'run the ticked steps (the one yes)', group: 'In the incident view', run: (a) => a.incidentConfirm() },
  { keys: ['escape', 'q', 'n'], label: 'Esc q', help: 'back from the plan, or close', group: 'In the incident view', run: (a) => a.incidentBack() },
];

export const GROUPS: Group[] = ['Move', 'Tree', 'Find', 'View', 'Respond', 'General', 'In a pane', 'In the signal dialog', 'In the incident view'];
export const ALL_BINDINGS: readonly Binding[] = [...BINDINGS, ...PANE_BINDINGS, ...DIALOG_BINDINGS, ...INCIDENT_BINDINGS];

function index(list: readonly Binding[]): Map<string, Binding> {
  const byKey = new Map<string, Binding>();
  for (const b of list) for (const k of b.keys) {
    if (byKey.has(k)) throw new Error(`key ${k} bound twice`);
    byKey.set(k, b);
  }
  return byKey;
}
const MAIN = index(BINDINGS);
const PANE = index(PANE_BINDINGS);
const DIALOG = index(DIALOG_BINDINGS);
const INCIDENT = index(INCIDENT_BINDINGS);

export function bindingFor(name: string): Binding | undefined {
  return MAIN.get(name);
}

/** The status-line answer to a key that is bound to nothing where it was pressed. */
export function noSuchKey(name: string): string {
  return `${keyLabel(name)}: no such key here; ? for help`;
}

/** Route one key press: the filter prompt and the help overlay own the keyboard while open. */
export function handleKey(state: AppState, press: KeyPress): void {
  const a = state.actions;
  const { name, text } = press;
  if (state.editingFilter) {
    if (name === 'enter') a.acceptFilter();
    else if (name === 'escape') a.clearFilter();
    else if (name === 'backspace') a.backspaceFilter();
    else if (name === 'ctrl+c') a.requestQuit();
    else if (name === 'up' || name === 'down') a.move(name === 'up' ? -1 : 1);
    else if (text) a.typeFilter(text);
    return;
  }
  if (name === 'ctrl+c') { a.requestQuit(); return; }
  if (state.allowAsk) { a.allowAnswer(name === 'y'); return; }
  if (state.overlay === 'pane') { PANE.get(name)?.run(a, state); return; }
  if (state.overlay === 'kill') { DIALOG.get(name)?.run(a, state); return; }
  if (state.overlay === 'incident') { INCIDENT.get(name)?.run(a, state); return; }
  if (state.overlay === 'help') {
    if (name === 'escape' || name === 'q' || name === '?' || name === 'enter' || name === 'f1' || name === 'f10') a.closeOverlay();
    else if (name === 'down' || name === 'j' || name === 'pagedown' || name === 'space' || name === 'right') a.scrollHelp(1);
    else if (name === 'up' || name === 'k' || name === 'pageup' || name === 'left') a.scrollHelp(-1);
    return;
  }
  if (state.message) a.say(null);
  const binding = bindingFor(name);
  if (binding) binding.run(a, state);
  else a.say(noSuchKey(name));
}
