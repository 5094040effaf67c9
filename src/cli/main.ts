// Entry point of the `minewatch` binary: dispatches to the dashboard or a subcommand.
import { UsageError } from './args';
import { runScanCommand, SCAN_HELP } from './scan';
import { VERSION } from '../version';

const HELP = `minewatch ${VERSION}: a process monitor that spots masquerading crypto-miners and explains why.

Usage:
  minewatch [options]            live process tree with suspicious processes highlighted (press ? inside)
  minewatch scan [options]       detection without a UI: table or --json, exit code for scripts
  minewatch inspect PID          everything about one process: identity, hashes, files, sockets, persistence
  minewatch simulate [options]   start a harmless re-enactment of the incident to see minewatch catch it
  minewatch --help | --version

Run 'minewatch <command> --help' for the options of a command.
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'scan':
      return runScanCommand(rest);
    case 'inspect': {
      const { runInspectCommand } = await import('./inspect');
      return runInspectCommand(rest);
    }
    case 'simulate': {
      const { runSimulateCommand } = await import('../simulate/index');
      return runSimulateCommand(rest);
    }
    case '--version':
    case '-V':
      process.stdout.write(`minewatch ${VERSION}\n`);
      return 0;
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    default: {
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

export { HELP, SCAN_HELP };
