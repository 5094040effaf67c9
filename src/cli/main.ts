// Entry point of the `minewatch` binary: dispatches to the dashboard or a subcommand.
import { COMMANDS, formatHelp, formatMainHelp, UsageError } from './args';
import { runScanCommand } from './scan';
import { raisePriority } from './priority';
import { VERSION, versionText } from '../version';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'scan':
      return runScanCommand(rest);
    case 'inspect': {
      const { runInspectCommand } = await import('./inspect');
      return runInspectCommand(rest);
    }
    case 'report': {
      const { runReportCommand } = await import('./report');
      return runReportCommand(rest);
    }
    case 'simulate': {
      const { runSimulateCommand } = await import('../simulate/index');
      return runSimulateCommand(rest);
    }
    case '--version':
    case '-V':
      process.stdout.write(versionText());
      return 0;
    case 'help': { // minewatch help [COMMAND]
      const spec = rest.length ? COMMANDS.find((c) => c.name && c.name === rest[0]) : undefined;
      if (rest.length && !spec) throw new UsageError(`no command ${rest[0]}`);
      process.stdout.write(spec ? formatHelp(spec) : formatMainHelp(VERSION));
      return 0;
    }
    case '--help':
    case '-h':
      process.stdout.write(formatMainHelp(VERSION));
      return 0;
    default: {
      // Before the dashboard's modules (Ink, React, Yoga) are even evaluated: on a pegged host that is
      // most of the start-up (priority.ts). The flag is read here, before the arguments are parsed.
      if (!argv.includes('--no-renice')) raisePriority();
      const { runDashboardCommand } = await import('./dashboard');
      return runDashboardCommand(argv);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`minewatch: ${err.message}\n(see minewatch --help)\n`);
    } else {
      process.stderr.write(`minewatch: ${(err as Error)?.message ?? String(err)}\n`);
      if (process.env.MINEWATCH_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    }
    process.exitCode = 2;
  },
);
