import { logArgs, type LogOptions } from './log-args.js';
import { spawnReady, type ManagedProcess, type SpawnReadyOptions } from './managed-process.js';

export interface StartGatewayOptions extends SpawnReadyOptions, LogOptions {
  /** The broker endpoint it serves through. */
  broker: string;
  /** Serve HTTP on a free loopback port (the ready line's `http`). Default true. */
  http?: boolean;
  /** Serve JSON ops on this endpoint, such as `tcp://127.0.0.1:*` (the ready line's `json`). Default: none. */
  jsonEndpoint?: string;
  /** More arguments for run-gateway. */
  args?: readonly string[];
}

/** Starts `run-gateway` as a child process and resolves once it serves. */
export function startGateway(options: StartGatewayOptions): Promise<ManagedProcess> {
  return spawnReady(
    'run-gateway',
    [
      '--broker',
      options.broker,
      ...(options.http === false ? [] : ['--http', '0']),
      ...(options.jsonEndpoint === undefined ? [] : ['--json-endpoint', options.jsonEndpoint]),
      ...logArgs(options),
      ...(options.args ?? []),
    ],
    options,
  );
}
