// Issue 9, item 11: processes in a parent cycle (possible only through a covered /proc entry or a
// hostile --proc tree) vanished from the tree while still being counted. Every process has one row.
import { afterEach, describe, expect, it } from 'vitest';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';
import { ancestry } from '../../src/inspect/identity';
import { buildForest, visibleRows, type ViewSettings } from '../../src/view/tree';

let tree: ProcTree;
afterEach(() => tree?.cleanup());

const settings: ViewSettings = { mode: 'tree', sort: 'tree', descending: false, filter: '', flaggedOnly: false, collapsed: new Set() };

describe('parent cycles (issue 9, item 11)', () => {
  it('every process of a cycle, and its descendants, get exactly one row', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 700, comm: 'a', ppid: 702 });
    tree.add({ pid: 701, comm: 'b', ppid: 700 });
    tree.add({ pid: 702, comm: 'c', ppid: 701 });
    tree.add({ pid: 703, comm: 'child', ppid: 701 });
    tree.add({ pid: 710, comm: 'self', ppid: 710 });
    tree.add({ pid: 720, comm: 'x', ppid: 721 });
    tree.add({ pid: 721, comm: 'y', ppid: 720 });
    const snap = new ProcReader({ procRoot: tree.proc, root: tree.root }).sample();
    const forest = buildForest(snap.processes);
    const rows = visibleRows({ processes: snap.processes, assessments: new Map(), forest, settings }).filter((r) => r.kind === 'proc');
    const pids = rows.map((r) => r.pid).sort((a, b) => a - b);
    expect(pids).toEqual([...snap.processes.keys()].sort((a, b) => a - b));
    expect(forest.roots).toEqual(expect.arrayContaining([700, 710, 720]));
  });

  it('the inspector\'s parent chain stops at the loop', () => {
    tree = new ProcTree().withBaseSystem();
    tree.add({ pid: 700, comm: 'a', ppid: 701 });
    tree.add({ pid: 701, comm: 'b', ppid: 700 });
    expect(ancestry(tree.proc, 701).map((a) => a.pid)).toEqual([701, 700]);
  });
});
