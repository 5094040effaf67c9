// Issue 9, item 11: with hidepid the warning was missing or misleading. It must say what this account
// actually misses: nothing as root (CAP_SYS_PTRACE) or in the mount's gid=; other users' processes
// invisible (hidepid=2/invisible, 4/ptraceable) or listed but unreadable (1/noaccess) otherwise; and it
// must read the proc mount in effect at the proc root (the last one mounted there).
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hidepidWarning, parseMountinfo } from '../../src/procfs/host';
import { ProcTree } from '../../src/procfs/fake';
import { ProcReader } from '../../src/procfs/reader';
import { BIN } from '../helpers/cli';

const USER = { ptraceAll: false, groups: [1001] };
const ROOT = { ptraceAll: true, groups: [0] };
const line = (mp: string, opts: string) => `22 1 0:21 / ${mp} rw,nosuid - proc proc ${opts}`;

let tree: ProcTree | null = null;
afterEach(() => { tree?.cleanup(); tree = null; });

describe('the hidepid warning (issue 9, item 11)', () => {
  it('reads every spelling of the mode, and the last proc mount at the proc root', () => {
    for (const [opt, mode] of [['hidepid=2', 'invisible'], ['hidepid=invisible', 'invisible'], ['hidepid=1', 'noaccess'],
      ['hidepid=noaccess', 'noaccess'], ['hidepid=4', 'ptraceable'], ['hidepid=ptraceable', 'ptraceable'], ['hidepid=0', 'off'], ['hidepid=off', 'off']]) {
      expect(parseMountinfo(line('/proc', `rw,${opt}`)).hidepidMode, opt).toBe(mode);
    }
    expect(parseMountinfo(line('/proc', 'rw')).hidepid).toBe(false);
    // A remount stacks over the boot-time mount: the last one is in effect, both ways round.
    expect(parseMountinfo([line('/proc', 'rw'), line('/proc', 'rw,hidepid=invisible')].join('\n')).hidepidMode).toBe('invisible');
    expect(parseMountinfo([line('/proc', 'rw,hidepid=invisible'), line('/proc', 'rw')].join('\n')).hidepidMode).toBe('off');
    // Another proc mount elsewhere says nothing about ours; the one at the chosen proc root does.
    expect(parseMountinfo(line('/host/proc', 'rw,hidepid=2')).hidepid).toBe(false);
    expect(parseMountinfo(line('/host/proc', 'rw,hidepid=2'), '/host/proc').hidepid).toBe(true);
    expect(parseMountinfo(line('/proc', 'rw,hidepid=2,gid=27')).hidepidGid).toBe(27);
  });

  it('says what this account misses, and nothing when it misses nothing', () => {
    const invisible = parseMountinfo(line('/proc', 'rw,hidepid=invisible'));
    expect(hidepidWarning(invisible, USER)).toMatch(/hidepid=invisible: other users' processes are invisible to this account .*run minewatch as root/);
    expect(hidepidWarning(invisible, ROOT)).toBeNull();
    expect(hidepidWarning(parseMountinfo(line('/proc', 'rw,hidepid=1')), USER)).toMatch(/hidepid=noaccess: other users' processes are listed but cannot be read/);
    const withGid = parseMountinfo(line('/proc', 'rw,hidepid=2,gid=27'));
    expect(hidepidWarning(withGid, { ptraceAll: false, groups: [1001, 27] })).toBeNull();
    expect(hidepidWarning(withGid, USER)).toMatch(/root or in group 27/);
    expect(hidepidWarning(parseMountinfo(line('/proc', 'rw')), USER)).toBeNull();
  });

  it('the reader puts it in the snapshot warnings (which scan and the dashboard header show)', () => {
    tree = new ProcTree().withBaseSystem();
    tree.procFile('self/mountinfo', line('/proc', 'rw,hidepid=2') + '\n');
    const asUser = new ProcReader({ procRoot: tree.proc, root: tree.root, viewer: USER }).sample();
    expect(asUser.host.hidepid).toBe(true);
    expect(asUser.warnings.join('\n')).toMatch(/hidepid=invisible/);
    const asRoot = new ProcReader({ procRoot: tree.proc, root: tree.root, viewer: ROOT }).sample();
    expect(asRoot.warnings.join('\n')).not.toMatch(/hidepid/);
  });

  it.runIf(process.getuid?.() === 0)('live, in a private PID and mount namespace with /proc remounted hidepid=2', () => {
    // sh is the namespace's init: when it exits, its sleep goes with it. Nothing outside is touched.
    const script = `
      mount -o remount,hidepid=2 /proc || exit 90
      sleep 30 & s=$!
      echo ---root; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} scan --json --all --sample 0
      echo ---nobody; cd / && setpriv --reuid 65534 --regid 65534 --clear-groups ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} scan --json --all --sample 0
      kill $s`;
    const r = spawnSync('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'sh', '-c', script], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
    expect(r.status, r.stderr).toBe(0);
    const [, rootOut, nobodyOut] = r.stdout.split(/^---(?:root|nobody)$/m);
    const asRoot = JSON.parse(rootOut) as { warnings: string[]; processes: { name: string }[] };
    const asNobody = JSON.parse(nobodyOut) as { warnings: string[]; processes: { name: string }[] };
    expect(asRoot.warnings.join('\n')).not.toMatch(/hidepid/);
    expect(asRoot.processes.some((p) => p.name === 'sleep')).toBe(true);
    expect(asNobody.warnings.join('\n')).toMatch(/hidepid=invisible: other users' processes are invisible to this account/);
    expect(asNobody.processes.some((p) => p.name === 'sleep')).toBe(false);
  });
});
