import { encode, type BrainerError, type Logger, type ReplyValue } from '@brainer/protocol';
import { ClientTransport } from './client-transport.js';
import type { CurveClientOptions } from './curve-options.js';
import { PendingRequests, type OpInput } from './pending-requests.js';
import { deliverReplies } from './reply-frames.js';

/**
 * A connection straight to one node, for direct reads. Calls made in one tick travel in one frame.
 * It never retries: a refused or unanswered read moves on to the next node instead.
 */
export class NodeChannel {
  private readonly transport: ClientTransport;
  private readonly requests: PendingRequests;

  constructor(
    readonly endpoint: string,
    timeoutMs: number,
    now: () => number,
    logger: Logger,
    curve: CurveClientOptions | undefined,
  ) {
    this.requests = new PendingRequests((ops) => this.transport.send(encode({ type: 'request', ops })), {
      timeoutMs,
      attemptTimeoutMs: timeoutMs,
      retry: false,
      now,
      endpoint,
      oneFrameInFlight: true,
    });
    this.transport = new ClientTransport(
      endpoint,
      (frames) => deliverReplies(frames, this.requests, logger),
      (error) => logger.warn('send to a node failed', { endpoint, error: String(error) }),
      curve,
    );
  }

  /** Sends `op`; it fails after `timeoutMs`, by default the channel's. */
  call(op: OpInput, timeoutMs?: number): Promise<ReplyValue> {
    return this.requests.call(op, timeoutMs);
  }

  close(error: BrainerError): void {
    this.requests.failAll(error);
    this.requests.close();
    this.transport.close();
  }
}
