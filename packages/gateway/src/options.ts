import {
  DEFAULT_LIMITS,
  InvalidOptionError,
  requireEndpoint,
  requireFileMode,
  requireInteger,
  silentLogger,
  type Limits,
  type Logger,
} from '@brainer/protocol';
import type { GatewayClient } from './gateway-client.js';

/** `GET /db` and `GET_ALL` answer at most this many keys when no limit is given. */
export const DEFAULT_LIST_LIMIT = 1000;
/** The largest `limit` that `GET /db` takes. */
export const MAX_LIST_LIMIT = 100_000;
/** The default of `maxGetAll`. */
export const DEFAULT_MAX_GET_ALL = 10_000;

export interface HttpGatewayOptions {
  /** The client the gateway serves through. The caller owns it and closes it. */
  client: GatewayClient;
  /** TCP port to listen on; 0 picks a free one (see `url`). Default 0. */
  port: number;
  /** Address to bind. Default `127.0.0.1`, so only this host can reach it. */
  host: string;
  /** The broker's size limits: a body over `maxValueBytes` is refused with 413 before it is read whole. Default DEFAULT_LIMITS. */
  limits: Limits;
  /** Where it logs. Default: silent. */
  logger: Logger;
}

export interface JsonGatewayOptions {
  /** The client the gateway serves through. The caller owns it and closes it. */
  client: GatewayClient;
  /** ZeroMQ endpoint for the ROUTER to bind, such as `tcp://127.0.0.1:5560`; `tcp://...:*` picks a free port. */
  endpoint: string;
  /** The broker's size limits; they bound the largest request accepted. Default DEFAULT_LIMITS. */
  limits: Limits;
  /** Mode of an ipc socket file, set right after bind. Default 0o600 (owner only). */
  ipcSocketMode: number;
  /**
   * The most items one `GET_ALL` returns, and its largest `limit`. Past it, a `GET_ALL` without a
   * limit fails with ERR_TOO_MANY_KEYS rather than answer part of the cache. Default 10,000.
   */
  maxGetAll: number;
  /** Where it logs. Default: silent. */
  logger: Logger;
  /** A monotonic clock in ms, for rate-limited warnings. Default `performance.now`. */
  now: () => number;
}

type WithRequired<T, K extends keyof T> = Partial<T> & Pick<T, K>;

export function resolveHttpGatewayOptions(options: WithRequired<HttpGatewayOptions, 'client'>): HttpGatewayOptions {
  const resolved: HttpGatewayOptions = { port: 0, host: '127.0.0.1', limits: DEFAULT_LIMITS, logger: silentLogger, ...options };
  requireInteger('port', resolved.port, 0, 65_535);
  if (typeof resolved.host !== 'string' || resolved.host === '') throw new InvalidOptionError('host', 'must be a host name or address');
  return resolved;
}

export function resolveJsonGatewayOptions(options: WithRequired<JsonGatewayOptions, 'client' | 'endpoint'>): JsonGatewayOptions {
  const resolved: JsonGatewayOptions = {
    limits: DEFAULT_LIMITS,
    ipcSocketMode: 0o600,
    maxGetAll: DEFAULT_MAX_GET_ALL,
    logger: silentLogger,
    now: () => performance.now(),
    ...options,
  };
  requireEndpoint('endpoint', resolved.endpoint);
  requireFileMode('ipcSocketMode', resolved.ipcSocketMode);
  requireInteger('maxGetAll', resolved.maxGetAll, 1, 10_000_000);
  return resolved;
}
