// `minewatch` with no subcommand: the live dashboard (built in the dashboard issue).
export async function runDashboardCommand(_argv: string[]): Promise<number> {
  process.stderr.write('minewatch: the live dashboard is not built yet; use `minewatch scan`.\n');
  return 2;
}
