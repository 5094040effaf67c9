import { afterEach, describe, expect, it } from 'vitest';
import { BINDINGS } from '../../src/app/keymap';
import { incidentProcs, proc } from '../helpers/snapshot';
import { KEY, renderApp, rowOf, tick } from './render';

let app: ReturnType<typeof renderApp> | null = null;
afterEach(() => { app?.ui.unmount(); app = null; });

describe('process tree', () => {
  it('draws the tree with branches, and flagged rows with a glyph and a why line', async () => {
    app = renderApp(incidentProcs(), { sort: 'tree' });
    await tick();
    const f = app.frame();
    expect(rowOf(f, 1)).toMatch(/systemd/);
    expect(rowOf(f, 3001)).toMatch(/^‼ +3001 abc .*└─sshd \/bin\/sh \.\/sshd/);
    expect(rowOf(f, 3002)).toMatch(/^‼ +3002 abc .*180\.0 .* └─rcu-sched/);
    expect(f).toMatch(/└ why: CRITICAL \d+: H02 daemon-name impostor · H11 runs from/);
    expect(f).toMatch(/└ why: CRITICAL \d+: H30 mining-pool url on the command line/);
    expect(rowOf(f, 412)).toMatch(/^ +412 dev .*└─vim vim notes\.txt/); // unflagged: no glyph
    expect(f).toMatch(/flagged: ‼2 critical/);
  });

  it('shows the selected process in full in the detail panel', async () => {
    app = renderApp(incidentProcs());
    await app.press('n');
    const f = app.frame();
    expect(f).toMatch(/PID 3001 sshd · ‼ CRITICAL score \d+ · user abc \(1001\)/);
    const joined = f.replace(/\n  /g, ' '); // the explanation wraps onto indented lines, it is not cut
    expect(joined).toMatch(/! H02 Daemon-name impostor \[T1036\.005\]: named like the system daemon sshd, but the kernel says it runs \/usr\/bin\/dash running the script \.\/sshd/);
    expect(joined).toMatch(/~ H12 Started from a relative path, detached \[T1036\]/);
  });

  it('folds a subtree and says how many flagged processes it hides', async () => {
    app = renderApp(incidentProcs());
    await app.press('n'); // on 3001, the launcher
    await app.press(' ');
    let f = app.frame();
    expect(rowOf(f, 3001)).toMatch(/\+sshd \[\+1 hidden, 1 flagged !\]/);
    expect(rowOf(f, 3002)).toBeUndefined();
    await app.press(' ');
    f = app.frame();
    expect(rowOf(f, 3002)).toBeDefined();
    await app.press('C'); // fold everything below the roots
    f = app.frame();
    expect(rowOf(f, 3002)).toBeUndefined();
    expect(f).toMatch(/\[\+1 hidden, 1 flagged/);
    await app.press('X');
    expect(rowOf(app.frame(), 3002)).toBeDefined();
  });

  it('switches to a flat list sorted by CPU', async () => {
    app = renderApp(incidentProcs());
    await app.press('t');
    const lines = app.frame().split('\n').filter((l) => /^.\s+\d+ /.test(l));
    expect(lines[0]).toMatch(/3002 .*rcu-sched/);
    expect(app.frame()).not.toMatch(/├─/);
  });
});

describe('navigation and filtering', () => {
  it('n and N jump between flagged processes', async () => {
    app = renderApp(incidentProcs());
    await app.press('n');
    expect(app.store.getState().selectedPid).toBe(3001);
    await app.press('n');
    expect(app.store.getState().selectedPid).toBe(3002);
    await app.press('N');
    expect(app.store.getState().selectedPid).toBe(3001);
    expect(rowOf(app.frame(), 3001)).toBeDefined();
  });

  it('a burst of keys in one chunk is every key, in order', async () => {
    app = renderApp(incidentProcs(), { sort: 'tree' });
    await app.press(KEY.home);
    const order = app.store.getState().rows.filter((r) => r.kind === 'proc').map((r) => r.pid);
    await app.press('jjjjj'); // one write: the terminal hands it over as one chunk
    expect(app.store.getState().selectedPid).toBe(order[5]);
    await app.press('kk\u001B[B\u001B[Bj');
    expect(app.store.getState().selectedPid).toBe(order[6]);
    await app.press('/3002\r');
    expect(app.store.getState().filter).toBe('3002');
    expect(app.store.getState().editingFilter).toBe(false);
  });

  it('F1 opens help, F9 the signal dialog, F10 quits, and an unbound key says so', async () => {
    app = renderApp(incidentProcs());
    await app.press('\u001BOP');
    expect(app.store.getState().overlay).toBe('help');
    await app.press('\u001B[21~'); // F10 closes help first
    expect(app.store.getState().overlay).toBe('none');
    await app.press('n', '\u001B[20~'); // F9 asks for the signal dialog (this fixture has no services to send one)
    expect(app.store.getState().message).toBe('signals are not available here');
    await app.press('\u001B[12~');
    expect(app.frame()).toMatch(/F2: no such key here; \? for help/);
    await app.press('\u001B[21~');
    expect(app.store.getState().quit).toBe(true);
  });

  it('arrows, j/k, Home and End move the cursor', async () => {
    app = renderApp(incidentProcs(), { sort: 'tree' });
    await app.press(KEY.home);
    const order = app.store.getState().rows.filter((r) => r.kind === 'proc').map((r) => r.pid);
    expect(order.slice(0, 4)).toEqual([1, 400, 410, 411]);
    await app.press(KEY.down, 'j');
    expect(app.store.getState().selectedPid).toBe(410);
    await app.press('k', KEY.up, KEY.up);
    expect(app.store.getState().selectedPid).toBe(1);
    await app.press(KEY.end);
    expect(app.store.getState().selectedPid).toBe(order[order.length - 1]);
    await app.press(KEY.home);
    expect(app.store.getState().selectedPid).toBe(1);
    await app.press(KEY.pageDown);
    expect(order.indexOf(app.store.getState().selectedPid!)).toBeGreaterThan(1);
  });

  it('/ filters incrementally on name, command, user and PID, keeping ancestors', async () => {
    app = renderApp(incidentProcs());
    await app.press('/', 'n', 'o', 't', 'e', 's');
    let f = app.frame();
    expect(f).toMatch(/filter: notes/);
    expect(rowOf(f, 412)).toMatch(/vim/);
    expect(rowOf(f, 411)).toBeDefined(); // its ancestors stay for context
    expect(rowOf(f, 3002)).toBeUndefined();
    await app.press(KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, KEY.backspace, 'a', 'b', 'c', KEY.enter);
    f = app.frame();
    expect(rowOf(f, 3001)).toBeDefined();
    expect(rowOf(f, 412)).toBeUndefined();
    expect(f).toMatch(/\[filter "abc"\]/);
    await app.press(KEY.esc);
    await tick();
    expect(rowOf(app.frame(), 412)).toBeDefined();
  });

  it('! shows flagged processes only', async () => {
    app = renderApp(incidentProcs());
    await app.press('!');
    const f = app.frame();
    expect(rowOf(f, 3002)).toBeDefined();
    expect(rowOf(f, 412)).toBeUndefined();
    expect(f).toMatch(/flagged only/);
  });

  it('starts filtered with --filter and --flagged', async () => {
    app = renderApp(incidentProcs(), { filter: 'vim', flaggedOnly: false });
    await tick();
    expect(rowOf(app.frame(), 3002)).toBeUndefined();
    expect(rowOf(app.frame(), 412)).toBeDefined();
  });
});

describe('selection follows the process, not the row', () => {
  it('stays on the same PID when processes come and go and rows move', async () => {
    app = renderApp(incidentProcs());
    await app.press('n', 'n');
    expect(app.store.getState().selectedPid).toBe(3002);
    const more = [...incidentProcs(), proc({ pid: 20, name: 'early', ppid: 1 }), proc({ pid: 21, name: 'early2', ppid: 1 })];
    await app.update(more.filter((p) => p.pid !== 412));
    expect(app.store.getState().selectedPid).toBe(3002);
    expect(rowOf(app.frame(), 3002)).toBeDefined();
  });

  it('says the selected process exited and stands on its neighbour', async () => {
    app = renderApp(incidentProcs());
    await app.press('n', 'n');
    await app.update(incidentProcs().filter((p) => p.pid !== 3002));
    expect(app.frame()).toMatch(/process 3002 exited/);
    expect(app.store.getState().selectedPid).not.toBe(3002);
  });

  it('freezes the view while collection goes on', async () => {
    app = renderApp(incidentProcs());
    await app.press('z');
    await app.update([...incidentProcs(), proc({ pid: 5000, name: 'newcomer' })]);
    expect(app.frame()).toMatch(/FROZEN/);
    expect(app.frame()).not.toMatch(/newcomer/);
    await app.press('z');
    expect(app.frame()).toMatch(/newcomer/);
  });
});

describe('help, size, colour, hostile strings', () => {
  it('? shows every binding from the keybinding table, each description whole (wrapped, never cut)', async () => {
    app = renderApp(incidentProcs(), { rows: 40, cols: 120 });
    await app.press('?');
    // read every page, column by column (two columns of 60 at this width): a key line, then the lines
    // that go on under its description
    const described: string[] = [];
    for (let page = 0; page < 10; page++) {
      const lines = app.frame().split('\n');
      for (const c of [0, 1]) {
        let open = false;
        for (const l of lines.slice(1)) {
          const cell = l.slice(c * 60, c * 60 + 60).trimEnd();
          expect(cell).not.toMatch(/…$/);
          const key = /^  (\S.{7}) (.+)$/.exec(cell);
          if (key) { described.push(key[2]); open = true; continue; }
          const more = /^ {11}(\S.*)$/.exec(cell);
          if (more && open) described[described.length - 1] += ` ${more[1]}`;
          else open = false;
        }
      }
      const m = /columns (\d+)-(\d+) of (\d+)/.exec(app.frame());
      if (!m || m[2] === m[3]) break;
      await app.press('j');
    }
    const whole = BINDINGS.filter((b) => described.includes(b.help));
    expect(BINDINGS.filter((b) => !whole.includes(b)).map((b) => b.help)).toEqual([]);
    await app.press(KEY.esc);
    await tick();
    expect(app.frame()).not.toMatch(/minewatch keys/);
  });

  it('at 80x24 the help scrolls by columns and never splits a group from its heading', async () => {
    app = renderApp(incidentProcs(), { cols: 80, rows: 24 });
    await app.press('?');
    let f = app.frame();
    expect(f).toMatch(/↓↑ more \(columns 1-1 of \d+\)/);
    expect(f).toMatch(/^Move/m);
    // one column per j, until the signal dialog's group is in view (more groups: more columns)
    for (let i = 0; i < 12 && !/^In the signal dialog/m.test(app.frame()); i++) await app.press('j');
    f = app.frame();
    expect(f).toMatch(/In the signal dialog/);
    const lines = f.split('\n');
    const heading = lines.findIndex((l) => /^In the signal dialog/.test(l));
    expect(lines[heading + 1]).toMatch(/previous choice/);
  });

  it('works at 80x24 and shows a clear screen when too small', async () => {
    app = renderApp(incidentProcs(), { cols: 80, rows: 24 });
    await tick();
    expect(app.frame().split('\n').length).toBeLessThanOrEqual(23);
    expect(app.frame().split('\n').every((l) => l.length <= 80)).toBe(true);
    app.ui.unmount();
    app = renderApp(incidentProcs(), { cols: 50, rows: 10 });
    await tick();
    expect(app.frame()).toMatch(/terminal too small: need 60x16/);
    expect(app.frame()).toMatch(/now 50x10/);
  });

  it('with colour off keeps the glyphs and bold/inverse but emits no colour codes', async () => {
    app = renderApp(incidentProcs(), { color: false });
    await tick();
    const raw = app.ui.lastFrame()!;
    expect(raw).not.toMatch(/\u001B\[(3\d|9\d|4\d|10\d)(;\d+)*m/); // no foreground/background colours
    expect(raw).toMatch(/\u001B\[7m/); // the selection bar (inverse) is still there
    expect(app.frame()).toMatch(/‼ +3001/);
    app.ui.unmount();
    app = renderApp(incidentProcs(), { color: true });
    await tick();
    expect(app.ui.lastFrame()!).toMatch(/\u001B\[31m/); // and with colour on, critical is red
  });

  it('renders escape sequences in a process name as visible text', async () => {
    const evil = proc({ pid: 666, name: 'x\x1b[31mRED\x1b[2J', cmdline: ['x\x1b]8;;http://evil\x07link\n'], ppid: 1 });
    app = renderApp([...incidentProcs(), evil]);
    await tick();
    const raw = app.ui.lastFrame()!;
    expect(raw).not.toContain('\x1b[2J');
    expect(raw).not.toContain('\x1b]8');
    expect(app.frame()).toContain('x\\x1b[31mRED\\x1b[2J');
    expect(app.frame()).toContain('\\x1b]8;;http://evil\\x07link\\n');
  });
});
