export * from './brainer.js';
export * from './bucket.js';
export * from './call-options.js';
export type { Value } from './call-arguments.js';
export * from './curve-options.js';
export * from './options.js';
export {
  DEFAULT_BROKER_ENDPOINT,
  BrainerError,
  RemoteError,
  TimeoutError,
  type ErrorCode,
  type NodeError,
  type NodeInfo,
  type SyncKind,
  type WaitMode,
} from '@brainer/protocol';
