import { logArgs, type LogOptions } from './log-args.js';
import { spawnReady, type ManagedProcess, type SpawnReadyOptions } from './managed-process.js';

export interface StartBrokerOptions extends SpawnReadyOptions, LogOptions {
  /** Endpoint to bind. Default `tcp://127.0.0.1:*`: a free loopback port, read back from the ready line. */
  endpoint?: string;
  /** Heartbeat interval in ms. Default: the broker's own (500). */
  heartbeatMs?: number;
  /** More arguments for run-broker. */
  args?: readonly string[];
}

/** Starts `run-broker` as a child process and resolves once it is serving. */
export function startBroker(options: StartBrokerOptions = {}): Promise<ManagedProcess> {
  return spawnReady(
    'run-broker',
    [
      '--endpoint',
      options.endpoint ?? 'tcp://127.0.0.1:*',
      ...(options.heartbeatMs === undefined ? [] : ['--heartbeat-ms', String(options.heartbeatMs)]),
      ...logArgs(options),
      ...(options.args ?? []),
    ],
    options,
  );
}
