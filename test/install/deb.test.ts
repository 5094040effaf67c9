// The .deb (npm run package:deb): what it holds, and that it installs into a temporary root with
// dpkg --root, runs from there, and removes cleanly. lintian runs by hand (MINEWATCH_LINTIAN=1; not in
// CI: its 128 packages take minutes to install); the README explains every tag it reports.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(__dirname, '..', '..');
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;
const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;

let deb: string;
let units: string[];
let work: string;

beforeAll(async () => {
  if (!have('dpkg-deb') && !process.env.MINEWATCH_REQUIRE_TOOLS) return;
  // @ts-expect-error: a plain .mjs build script, no type declarations
  const { packageDeb } = await import('../../scripts/package-deb.mjs');
  const cwd = process.cwd();
  process.chdir(REPO);
  try {
    ({ deb, units } = await packageDeb({ log: () => {} }));
    deb = join(REPO, deb);
  } finally {
    process.chdir(cwd);
  }
  work = mkdtempSync(join(tmpdir(), 'mw-deb-'));
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

describe.runIf(have('dpkg-deb') || process.env.MINEWATCH_REQUIRE_TOOLS)('minewatch .deb', () => {
  it('holds the binary, the man page, the copyright, the changelog and the fleet units, and no maintainer script', () => {
    const list = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' });
    expect(list).toMatch(/^-rwxr-xr-x root\/root .* \.\/usr\/bin\/minewatch$/m);
    for (const f of ['usr/share/man/man1/minewatch.1.gz', 'usr/share/doc/minewatch/copyright', 'usr/share/doc/minewatch/changelog.gz']) {
      expect(list).toMatch(new RegExp(`^-rw-r--r-- root/root .* \\./${f.replace(/\./g, '\\.')}$`, 'm'));
    }
    const shipped = existsSync(join(REPO, 'deploy/systemd')) ? readdirSync(join(REPO, 'deploy/systemd')).filter((f) => /\.(service|timer)$/.test(f)) : [];
    expect(units.sort()).toEqual(shipped.sort());
    for (const u of shipped) expect(list).toContain(`./lib/systemd/system/${u}`);
    // what the units start is the binary the package installs (and the Ansible role installs the same file)
    for (const u of shipped) {
      for (const m of readFileSync(join(REPO, 'deploy/systemd', u), 'utf8').matchAll(/^Exec\w*=[-@:+!]*(\S+)/gm)) expect(list, u).toContain(` .${m[1]}\n`);
    }
    expect(readFileSync(join(REPO, 'deploy/ansible/roles/minewatch/defaults/main.yml'), 'utf8')).toContain('/dist/minewatch-linux-x64"');
    const control = execFileSync('dpkg-deb', ['-f', deb], { encoding: 'utf8' });
    expect(control).toMatch(new RegExp(`^Package: minewatch$`, 'm'));
    expect(control).toMatch(new RegExp(`^Version: ${version.replace(/\./g, '\\.')}$`, 'm'));
    expect(control).toMatch(/^Architecture: amd64$/m);
    expect(control).not.toMatch(/nodejs/); // Node.js is inside the binary
    const ctrlDir = join(work, 'control');
    execFileSync('dpkg-deb', ['-e', deb, ctrlDir]);
    expect(readdirSync(ctrlDir).sort()).toEqual(['control', 'md5sums']);
  });

  it('extracts (dpkg-deb -x) to a binary that runs with no node on PATH', () => {
    const root = join(work, 'x');
    execFileSync('dpkg-deb', ['-x', deb, root]);
    const r = spawnSync(join(root, 'usr/bin/minewatch'), ['--version'], { encoding: 'utf8', cwd: '/', env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^minewatch ${version.replace(/\./g, '\\.')}\ncommit [0-9a-f]{12}(-dirty)?\nNode\\.js v24\\.`));
  });

  it.runIf(isRoot && have('dpkg'))('installs into a temporary root with dpkg --root, runs there, and removes cleanly', () => {
    const root = join(work, 'root');
    const admin = join(root, 'var/lib/dpkg');
    for (const d of ['info', 'updates', 'triggers']) mkdirSync(join(admin, d), { recursive: true });
    writeFileSync(join(admin, 'status'), '');
    writeFileSync(join(admin, 'available'), '');
    const dpkg = (...args: string[]) => spawnSync('dpkg', [`--root=${root}`, '--force-not-root', '--log=/dev/null', ...args], { encoding: 'utf8' });
    // The temporary root has no libc6 package: only that dependency check is waived.
    const inst = dpkg('--force-depends', '-i', deb);
    expect(inst.status, inst.stderr).toBe(0);
    expect(dpkg('-s', 'minewatch').stdout).toMatch(/^Status: install ok installed$/m);
    const bin = join(root, 'usr/bin/minewatch');
    expect(statSync(bin).mode & 0o777).toBe(0o755);
    const r = spawnSync(bin, ['scan', '--sample', '0', '--json', '--fail-on', 'critical', '--proc', '/nonexistent'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(r.status).toBe(2); // it ran: a clean usage/runtime error, not a loader failure
    expect(r.stderr).toMatch(/cannot list \/nonexistent/);
    expect(spawnSync(bin, ['--help'], { encoding: 'utf8' }).stdout).toMatch(/^minewatch \d/);
    expect(existsSync(join(root, 'usr/share/man/man1/minewatch.1.gz'))).toBe(true);
    // nothing enabled: no symlink into a .wants directory
    expect(files(root).some((f) => f.includes('.wants/'))).toBe(false);

    const rm = dpkg('--purge', 'minewatch');
    expect(rm.status, rm.stderr).toBe(0);
    const left = files(root).map((f) => relative(root, f)).filter((f) => !f.startsWith('var/lib/dpkg/'));
    expect(left).toEqual([]);
    expect(dpkg('-s', 'minewatch').status).not.toBe(0);
  });

  // By hand (MINEWATCH_LINTIAN=1): lintian takes a minute of CPU, and CI does not install it (its
  // 128 packages take minutes).
  it.runIf(have('lintian') && process.env.MINEWATCH_LINTIAN)('lintian reports only the tags the README explains', () => {
    const r = spawnSync('lintian', ['--tag-display-limit', '0', deb], { encoding: 'utf8' });
    const tags = [...new Set(r.stdout.split('\n').filter(Boolean).map((l) => /^[EWIPX]: minewatch[^:]*: (\S+)/.exec(l)?.[1]).filter(Boolean))] as string[];
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const t of tags) expect(readme, `lintian tag ${t} is not explained in the README`).toContain(`\`${t}\``);
    expect(r.error).toBeUndefined();
    expect(r.stdout.split('\n').filter((l) => /^[EW]: /.test(l)).length).toBe(r.stdout.split('\n').filter((l) => /^[EW]: minewatch/.test(l)).length);
  }, 600_000);
});
