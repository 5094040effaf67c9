// `minewatch inspect` prints the inspector's sections, then Detection and Started by, from the same
// typed formatters the dashboard's inspector pane uses: one formatter per section, no faked report.
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices } from '../../src/app/services';
import { runInspectCommand } from '../../src/cli/inspect';
import { lookAtHost } from '../../src/scan/context';
import { toText, type Line } from '../../src/text/content';
import { fakeElf, makeFixture, type Fixture } from './helpers';

let fx: Fixture;
beforeEach(() => {
  fx = makeFixture();
  const exe = path.join(fx.dir, 'rcu-sched');
  fs.writeFileSync(exe, fakeElf());
  fs.symlinkSync(exe, path.join(fx.procRoot, '4242', 'exe'));
});
afterEach(() => fx.cleanup());

async function cliText(pid: number): Promise<string[]> {
  let text = '';
  const out = new Writable({ write(c, _e, cb) { text += c; cb(); } });
  expect(await runInspectCommand([String(pid), '--proc', fx.procRoot, '--root', fx.root], out)).toBe(0);
  return text.trimEnd().split('\n');
}

describe('minewatch inspect (text)', () => {
  it('shows the findings with their severity words and the persistence that starts the process', async () => {
    const lines = await cliText(4242);
    expect(lines[0]).toMatch(/^Process 4242 "rcu-sched"/);
    const d = lines.indexOf(lines.find((l) => l.startsWith('Detection: '))!);
    expect(lines[d]).toMatch(/^Detection: CRITICAL, score \d+$/);
    // findings follow, strongest first (the LD_PRELOAD from /tmp weighs as much as one XMRig option)
    expect(lines[d + 1]).toMatch(/^ {2}(HIGH|CRITICAL) +H\d\d /);
    expect(lines.slice(d + 1)).toContainEqual(expect.stringMatching(/^ {2}HIGH {5}H31 XMRig-style miner options: .*\[T1496\.001\]$/));
    expect(lines).toContain('Started by');
    expect(lines.join('\n')).not.toMatch(/minewatch scan:|SEVERITY +SCORE/); // no faked scan report
    // who installed the executable, from the same package index the verdict used
    expect(lines.filter((l) => /^ {2}package {3}/.test(l))).toHaveLength(1);
  });

  it('the pane shows the same Detection lines as the command, from the same formatter', async () => {
    const cli = await cliText(4242);
    const look = await lookAtHost({ procRoot: fx.procRoot, root: fx.root, sampleMs: 0 });
    const services = createServices({ procRoot: fx.procRoot, root: fx.root, evidenceDir: fx.dir, readonly: true, packages: look.packages });
    const pane = await new Promise<Line[]>((resolve) => {
      services.inspect(4242, look, (content, status) => { if (content && status === null) resolve(content.lines); });
    });
    const text = toText(pane);
    const from = (xs: string[]) => xs.slice(xs.findIndex((l) => l.startsWith('Detection: ')));
    expect(from(text)).toEqual(from(cli));
    const pkg = (xs: string[]) => xs.filter((l) => /^ {2}(package|verified) /.test(l));
    expect(pkg(text)).toEqual(pkg(cli));
    expect(pkg(text)).not.toEqual([]);
    expect(pane.find((l) => l.text.startsWith('H31'))).toMatchObject({ severity: 'high', label: 'HIGH' });
  });
});
