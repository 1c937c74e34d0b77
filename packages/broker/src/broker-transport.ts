import { socketMaxMessageSize, type Limits, type Logger } from '@brainer/protocol';
import { receiveLoop, ServerRouter } from '@brainer/transport';
import type { Router } from 'zeromq';
import type { PeerId } from './ports.js';

/** A loop whose handler last returned this long ago, in ms, is waiting on the socket: its input is drained. */
const IDLE_MS = 100;
/** Routing ids kept for sends, so that a reply needs no hex decoding: more than any cluster's peers. */
const ROUTING_IDS_KEPT = 10_000;

export type FrameHandler = (peer: PeerId, frames: Buffer[]) => void;
export type SendErrorHandler = (peer: PeerId, error: unknown) => void;
export type HandlerErrorHandler = (error: unknown) => void;

/** What the transport takes from the broker's options: access control, and where it logs refusals. */
export interface BrokerTransportOptions {
  /** Z85 secret key: when set, the ROUTER is a CURVE server and only `allowedClientKeys` get in. */
  curveSecretKey: string | undefined;
  allowedClientKeys: ReadonlySet<string>;
  /** Mode of an ipc socket file, set right after bind. */
  ipcSocketMode: number;
  /** `maxFrameBytes` sets the socket's `maxMessageSize`, with room above it for a coded refusal. */
  limits: Limits;
  logger: Logger;
  now: () => number;
  /**
   * The broker's heartbeat period, in ms: `inputDrainedAt` is kept fresh to within a tenth of it (at
   * most 10 ms), which is all that judging the nodes' silence by it needs. Default 100.
   */
  heartbeatMs?: number;
}

/**
 * The broker's only contact with ZeroMQ: one ROUTER that clients and nodes connect to. A peer's id
 * is its routing id in hex, which the broker core keeps without looking inside. Sends never
 * block: a peer that is gone or full makes the send fail, and the failure is reported, not dropped.
 * With a CURVE secret key, the ROUTER is a CURVE server in a context of its own, whose ZAP handler
 * (`serveZap` on a second ROUTER) admits only the allowlisted public keys; refusals and failed handshakes
 * are logged, at most one line per 5 s of each kind.
 */
export class BrokerTransport {
  private readonly server: ServerRouter;
  private readonly router: Router;
  private closed = false;
  private drainedAt: number;
  /** The last message handled found no other waiting: the loop has been waiting on the socket since. */
  private idle = true;
  /** When the handler last returned; and whether it runs now. */
  private lastHandledAt = -Infinity;
  private handling = false;
  /** Open connections to the endpoint (accepted, not yet disconnected), of clients and nodes. */
  connections = 0;
  private readonly routingIds = new Map<PeerId, Buffer>();

  constructor(
    private readonly onFrames: FrameHandler,
    private readonly onSendError: SendErrorHandler,
    private readonly onHandlerError: HandlerErrorHandler,
    private readonly options: BrokerTransportOptions,
  ) {
    const { curveSecretKey, allowedClientKeys, logger, now, limits } = options;
    this.server = new ServerRouter(
      {
        mandatory: true,
        handover: true,
        sendTimeout: 0,
        sendHighWaterMark: 20_000,
        receiveHighWaterMark: 100_000,
        linger: 0,
        maxMessageSize: socketMaxMessageSize(limits.maxFrameBytes),
      },
      curveSecretKey === undefined
        ? undefined
        : { secretKey: curveSecretKey, allowedKeys: allowedClientKeys, logger, now, serverKeyName: 'broker key' },
    );
    this.router = this.server.socket;
    this.drainedAt = now();
    this.router.events.on('accept', () => this.connections++);
    this.router.events.on('disconnect', () => this.connections--);
  }

  /**
   * The last time no input was waiting in the socket: every message that reached the broker before
   * it has been handled. A peer heard from before that time and not since was silent; one whose
   * message still waits in the queue was not. Asked while input waits, it may be up to a tenth of a
   * heartbeat older than the last time the socket ran dry (see `receive`); never newer.
   */
  get inputDrainedAt(): number {
    // Never asks the socket (`readable`) from here: outside the receive loop, that getsockopt takes
    // the wake-up meant for the loop's pending receive, which then sleeps until the next connection.
    const now = this.options.now();
    if (!this.handling && (this.idle || now - this.lastHandledAt >= IDLE_MS)) this.drainedAt = now;
    return this.drainedAt;
  }

  /** Binds and starts receiving. Resolves with the bound endpoint (the real port for `tcp://...:*`). */
  async bind(endpoint: string): Promise<string> {
    const bound = await this.server.bind(endpoint, this.options.ipcSocketMode);
    void this.receive();
    return bound;
  }

  /** Replaces the CURVE allowlist; peers already connected stay. */
  setAllowedKeys(keys: ReadonlySet<string>): void {
    this.server.setAllowedKeys(keys);
  }

  send(peer: PeerId, frame: Buffer): void {
    if (this.closed) return;
    this.router.send([this.routingId(peer), frame]).catch((error: unknown) => this.onSendError(peer, error));
  }

  /**
   * Sends `frame` and resolves whether `peer` is still connected. With `mandatory`, a send to a
   * peer whose connection is gone fails at once with EHOSTUNREACH; a peer that is only full (or a
   * half-open connection the kernel has not yet closed) counts as there.
   */
  async reaches(peer: PeerId, frame: Buffer): Promise<boolean> {
    if (this.closed) return false;
    return this.router.send([this.routingId(peer), frame]).then(
      () => true,
      (error: unknown) => (error as { code?: string }).code !== 'EHOSTUNREACH',
    );
  }

  /** The routing id a peer sent from, as its hex `PeerId`; the buffer is kept for sends to it. */
  private peerId(routingId: Buffer): PeerId {
    const peer = routingId.toString('hex');
    if (!this.routingIds.has(peer)) {
      // Bounded: peers come and go; a peer forgotten is only decoded again.
      if (this.routingIds.size >= ROUTING_IDS_KEPT) this.routingIds.clear();
      this.routingIds.set(peer, routingId);
    }
    return peer;
  }

  private routingId(peer: PeerId): Buffer {
    return this.routingIds.get(peer) ?? Buffer.from(peer, 'hex');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
  }

  private receive(): Promise<void> {
    return receiveLoop(
      this.router,
      ([peer, ...frames]) => {
        this.idle = false;
        this.handling = true;
        try {
          this.onFrames(this.peerId(peer!), frames);
        } finally {
          this.handling = false;
          this.lastHandledAt = this.options.now();
        }
      },
      {
        onHandlerError: (error) => this.onHandlerError(error),
        onDrained: () => {
          this.idle = true;
          this.drainedAt = this.options.now();
        },
        // Asking the ROUTER whether input waits costs system calls (about 4 µs); asked after every
        // message, that was four times a write with one write in flight.
        drainCheckEveryMs: Math.min(10, (this.options.heartbeatMs ?? 100) / 10),
        closing: () => this.closed,
      },
    );
  }
}
