import { InvalidOptionError, requireInteger, silentLogger, type Logger } from '@brainer/protocol';
import { requireCurveClientOptions, type CurveClientOptions } from './curve-options.js';

export interface BrainerOptions {
  /** How long each call waits for its answer, retries included, before it rejects with ERR_TIMEOUT, in ms. Default 5000. */
  timeoutMs: number;
  /**
   * How long one attempt waits before the call is sent again, in ms. Retries reuse the op's id and
   * the client's identity, so the broker applies a retried write at most once. Default 2000.
   */
  attemptTimeoutMs: number;
  /** Whether calls are retried at all (after an attempt timeout or a retryable error). Default true. */
  retry: boolean;
  /**
   * Whether the client goes to another broker: to the leader a standby names (ERR_NOT_LEADER, or
   * `stats` answered by a standby), or to the next broker of its list when one is a standby that
   * knows no leader, refuses the connection or leaves an attempt unanswered. False keeps it at the
   * first broker, to ask that one broker (as `brainer-cli brokers` does). Default true.
   */
  followLeader: boolean;
  /**
   * Where `get` goes. `direct` (default): straight to the key's primary node, using the membership
   * the broker pushes, and on to the next node when one refuses or is slow; through the broker when
   * no node can answer. `broker`: always through the broker, for clients that cannot reach the nodes.
   */
  reads: 'direct' | 'broker';
  /**
   * Which node a direct read goes to first. `primary` (default): the key's primary, so that a write
   * acknowledged with `wait=primary` is read back at once. `any-node`: one node this client picks
   * among the ready ones and keeps while it is in the ring, for every key: the reads of many callers
   * go to one node in few frames, and clients spread over the nodes. Every ready node applied a
   * `wait=all` write before it was acknowledged, and serves only under its read lease, so this
   * reads the client's acknowledged writes back for `wait=all` writes only.
   */
  readFrom: 'primary' | 'any-node';
  /** How long a direct read waits for one node before it tries the next, in ms. Default 1000. */
  directReadTimeoutMs: number;
  /** CURVE encryption and authentication, for a broker started with a CURVE secret key. Default: none. */
  curve: CurveClientOptions | undefined;
  /**
   * Most bytes of ops the client packs into one request frame; the calls of one tick that need more
   * go in several frames. Keep it at or under the broker's `maxFrameBytes`. Default 64 MiB.
   */
  maxFrameBytes: number;
  /**
   * Connect to an ipc socket, or a socket in a directory, that belongs to another local user (not
   * root). Default false: the call fails with ERR_UNSAFE_ENDPOINT, since that user's process would
   * receive every key and value sent.
   */
  allowForeignSocket: boolean;
  /** Where the client logs. Default: silent. */
  logger: Logger;
  /** A monotonic clock in ms. Default `performance.now`. */
  now: () => number;
}

export const DEFAULT_BRAINER_OPTIONS: BrainerOptions = {
  timeoutMs: 5000,
  attemptTimeoutMs: 2000,
  retry: true,
  followLeader: true,
  reads: 'direct',
  readFrom: 'primary',
  directReadTimeoutMs: 1000,
  curve: undefined,
  maxFrameBytes: 64 * 1024 * 1024,
  allowForeignSocket: false,
  logger: silentLogger,
  now: () => performance.now(),
};

export function resolveBrainerOptions(options: Partial<BrainerOptions>): BrainerOptions {
  const resolved = { ...DEFAULT_BRAINER_OPTIONS, ...options };
  requireInteger('timeoutMs', resolved.timeoutMs, 1, 3_600_000);
  requireInteger('attemptTimeoutMs', resolved.attemptTimeoutMs, 1, 3_600_000);
  requireInteger('directReadTimeoutMs', resolved.directReadTimeoutMs, 1, 3_600_000);
  requireInteger('maxFrameBytes', resolved.maxFrameBytes, 1024);
  if (resolved.reads !== 'direct' && resolved.reads !== 'broker') throw new InvalidOptionError('reads', "must be 'direct' or 'broker'");
  if (resolved.readFrom !== 'primary' && resolved.readFrom !== 'any-node') {
    throw new InvalidOptionError('readFrom', "must be 'primary' or 'any-node'");
  }
  if (resolved.curve !== undefined) resolved.curve = requireCurveClientOptions(resolved.curve);
  return resolved;
}
