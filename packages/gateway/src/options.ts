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
import type { Registry } from 'prom-client';
import type { GatewayClient } from './gateway-client.js';

/** `GET /db` and `GET_ALL` answer at most this many keys when no limit is given. */
export const DEFAULT_LIST_LIMIT = 1000;
/** The largest `limit` that `GET /db` and `GET_ALL` take (a page is one `scan`, of at most 100,000 keys). */
export const MAX_LIST_LIMIT = 10_000;
/** The default of `maxGetAll`. */
export const DEFAULT_MAX_GET_ALL = 10_000;

export interface HttpGatewayOptions {
  /** The client the gateway serves through. The caller owns it and closes it. */
  client: GatewayClient;
  /** TCP port to listen on; 0 picks a free one (see `url`). Default 0. */
  port: number;
  /** Address to bind. Default `127.0.0.1`, so only this host can reach it. */
  host: string;
  /**
   * The broker's size limits: a body over `maxValueBytes` (a form body over it plus 1 KiB) is refused
   * with 413 before it is read whole. Default DEFAULT_LIMITS.
   */
  limits: Limits;
  /**
   * Most connections open at once; more are closed as soon as they are accepted. Keep it well
   * below the process's descriptor limit: the gateway's ZeroMQ client needs descriptors too. Default 1,000.
   */
  maxConnections: number;
  /** How long a client has to send the request line and headers, in ms (408 past it). Default 10,000. */
  headersTimeoutMs: number;
  /** How long a client has to send a whole request, body included, in ms (408 past it). Default 30,000. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open, in ms. Default 5,000. */
  keepAliveTimeoutMs: number;
  /**
   * Most bytes of request bodies held at once, by their Content-Length (a chunked body counts as the
   * largest allowed); a request past it gets 503 ERR_BACKPRESSURE before its body is read. Default 128 MiB.
   */
  maxInFlightBytes: number;
  /**
   * A prom-client registry for the `brainer_gateway_*` families, which `GET /metrics` then serves
   * (with whatever else the registry holds). Default: none, and no `/metrics`.
   */
  metrics: Registry | undefined;
  /** How often the status page's feed asks the broker for `nodes` and `stats` while a page is open, in ms. Default 1,000. */
  statusIntervalMs: number;
  /** Where it logs. Default: silent. */
  logger: Logger;
}

export interface JsonGatewayOptions {
  /** The client the gateway serves through. The caller owns it and closes it. */
  client: GatewayClient;
  /** ZeroMQ endpoint for the ROUTER to bind, such as `tcp://127.0.0.1:5560`; `tcp://...:*` picks a free port. */
  endpoint: string;
  /**
   * The broker's size limits. A request frame over `maxFrameBytes` gets one ERR_FRAME_TOO_LARGE
   * reply, unparsed; ZeroMQ itself drops a peer that sends more than twice that plus 1 MiB, with no
   * reply. Default DEFAULT_LIMITS.
   */
  limits: Limits;
  /** Most bytes of request frames being answered at once; past it, the socket is not read until some are answered. Default 128 MiB. */
  maxInFlightBytes: number;
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

/** The default of `maxInFlightBytes`, for both gateways. */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 128 * 1024 * 1024;

export const DEFAULT_HTTP_TIMEOUTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

export function resolveHttpGatewayOptions(options: WithRequired<HttpGatewayOptions, 'client'>): HttpGatewayOptions {
  const resolved: HttpGatewayOptions = {
    port: 0,
    host: '127.0.0.1',
    limits: DEFAULT_LIMITS,
    maxConnections: 1000,
    ...DEFAULT_HTTP_TIMEOUTS,
    maxInFlightBytes: DEFAULT_MAX_IN_FLIGHT_BYTES,
    metrics: undefined,
    statusIntervalMs: 1000,
    logger: silentLogger,
    ...options,
  };
  requireInteger('port', resolved.port, 0, 65_535);
  requireInteger('statusIntervalMs', resolved.statusIntervalMs, 10, 3_600_000);
  requireInteger('maxConnections', resolved.maxConnections, 1, 1_000_000);
  requireInteger('headersTimeoutMs', resolved.headersTimeoutMs, 1, 3_600_000);
  requireInteger('requestTimeoutMs', resolved.requestTimeoutMs, resolved.headersTimeoutMs, 3_600_000);
  requireInteger('keepAliveTimeoutMs', resolved.keepAliveTimeoutMs, 1, 3_600_000);
  requireInteger('maxInFlightBytes', resolved.maxInFlightBytes, 1, Number.MAX_SAFE_INTEGER);
  if (typeof resolved.host !== 'string' || resolved.host === '') throw new InvalidOptionError('host', 'must be a host name or address');
  return resolved;
}

export function resolveJsonGatewayOptions(options: WithRequired<JsonGatewayOptions, 'client' | 'endpoint'>): JsonGatewayOptions {
  const resolved: JsonGatewayOptions = {
    limits: DEFAULT_LIMITS,
    maxInFlightBytes: DEFAULT_MAX_IN_FLIGHT_BYTES,
    ipcSocketMode: 0o600,
    maxGetAll: DEFAULT_MAX_GET_ALL,
    logger: silentLogger,
    now: () => performance.now(),
    ...options,
  };
  requireEndpoint('endpoint', resolved.endpoint);
  requireFileMode('ipcSocketMode', resolved.ipcSocketMode);
  requireInteger('maxGetAll', resolved.maxGetAll, 1, MAX_LIST_LIMIT);
  requireInteger('maxInFlightBytes', resolved.maxInFlightBytes, 1, Number.MAX_SAFE_INTEGER);
  return resolved;
}
