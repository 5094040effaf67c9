export {
  CRON_MARK, LAUNCHER_NAME, MINER_NAME, defaultStateDir, findCronDaemon, parseDuration, readState, runSimulateCommand, startSimulation, stopSimulation,
  type SimProcess, type SimState, type StartOptions, type StartResult, type StopResult,
} from './simulate';
