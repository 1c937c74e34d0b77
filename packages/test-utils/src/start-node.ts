import { logArgs, type LogOptions } from './log-args.js';
import { spawnReady, type ManagedProcess, type SpawnReadyOptions } from './managed-process.js';

export interface StartNodeOptions extends SpawnReadyOptions, LogOptions {
  /** Node id. Default: chosen by the node. */
  id?: string;
  /** The node's own endpoint. Default `tcp://127.0.0.1:*`: a free loopback port. */
  nodeEndpoint?: string;
  /** Keep the node's data in this directory (`--data-dir`). Default: memory only. */
  dataDir?: string;
  /** More arguments for run-node. */
  args?: readonly string[];
}

/** Starts `run-node` against a broker as a child process and resolves once it is serving. */
export function startNode(brokerEndpoint: string, options: StartNodeOptions = {}): Promise<ManagedProcess> {
  return spawnReady('run-node', ['--broker', brokerEndpoint, ...nodeArgs(options)], options);
}

/** Starts `run-node --standalone` (a node serving alone, no broker) and resolves once it is serving. */
export function startStandaloneNode(options: StartNodeOptions = {}): Promise<ManagedProcess> {
  return spawnReady('run-node', ['--standalone', ...nodeArgs(options)], options);
}

function nodeArgs(options: StartNodeOptions): string[] {
  return [
    '--node-endpoint',
    options.nodeEndpoint ?? 'tcp://127.0.0.1:*',
    ...(options.id === undefined ? [] : ['--id', options.id]),
    ...(options.dataDir === undefined ? [] : ['--data-dir', options.dataDir]),
    ...logArgs(options),
    ...(options.args ?? []),
  ];
}
