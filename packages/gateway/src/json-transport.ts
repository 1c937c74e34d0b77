import { receiveLoop, ServerRouter } from '@brainer/transport';
import type { Router } from 'zeromq';
import { InFlightBytes } from './in-flight-bytes.js';

/** Messages ZeroMQ queues from one peer before it stops reading that peer's connection. */
const RECEIVE_QUEUE = 16;

/** Answers one request body (the frames after the envelope); never rejects. */
export type RequestHandler = (body: Buffer[]) => Promise<string>;

export interface JsonTransportOptions {
  /** Most requests answered at once; past it, the socket is not read until one finishes. */
  maxInFlight: number;
  /** Most bytes of requests being answered at once; past it, the socket is not read until some are answered. */
  maxInFlightBytes: number;
  /** Largest message accepted, in bytes; a peer that sends a larger one is disconnected by ZeroMQ. */
  maxMessageBytes: number;
  ipcSocketMode: number;
  onSendError: (error: unknown) => void;
}

/**
 * The JSON endpoint's only contact with ZeroMQ: a ROUTER, so that many REQ clients are served at
 * once. A REQ message arrives as `[identity, '', body]`, a DEALER's as `[identity, body]`; the
 * answer goes back under the same envelope, so every request gets exactly one reply.
 */
export class JsonTransport {
  private readonly server: ServerRouter;
  private readonly router: Router;
  private inFlight = 0;
  private readonly inFlightBytes: InFlightBytes;
  private wakeReceiver: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly handle: RequestHandler,
    private readonly options: JsonTransportOptions,
  ) {
    this.server = new ServerRouter({
      sendTimeout: 0,
      linger: 0,
      maxMessageSize: options.maxMessageBytes,
      receiveHighWaterMark: RECEIVE_QUEUE,
    });
    this.router = this.server.socket;
    this.inFlightBytes = new InFlightBytes(options.maxInFlightBytes);
  }

  /** Binds and starts serving. Resolves with the bound endpoint (the real port for `tcp://...:*`). */
  async bind(endpoint: string): Promise<string> {
    const bound = await this.server.bind(endpoint, this.options.ipcSocketMode);
    void this.receive();
    return bound;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    this.wakeReceiver?.();
  }

  private receive(): Promise<void> {
    return receiveLoop(this.router, (frames) => this.admit(frames), { closing: () => this.closed });
  }

  /** Starts answering one message once the caps allow: until then, the socket is not read. */
  private async admit(frames: Buffer[]): Promise<void> {
    const delimiter = frames.findIndex((frame, i) => i > 0 && frame.length === 0);
    const split = delimiter === -1 ? 1 : delimiter + 1;
    const body = frames.slice(split);
    const bytes = body.reduce((sum, frame) => sum + frame.length, 0);
    while (!this.closed && (this.inFlight >= this.options.maxInFlight || !this.inFlightBytes.tryHold(bytes))) {
      await new Promise<void>((resolve) => (this.wakeReceiver = resolve));
    }
    if (this.closed) return;
    void this.answer(frames.slice(0, split), body, bytes);
  }

  private async answer(envelope: Buffer[], body: Buffer[], bytes: number): Promise<void> {
    this.inFlight++;
    try {
      const reply = await this.handle(body);
      if (!this.closed) await this.router.send([...envelope, reply]);
    } catch (error) {
      // The peer left, or its queue is full: its REQ socket is gone or will resend.
      this.options.onSendError(error);
    } finally {
      this.inFlight--;
      this.inFlightBytes.release(bytes);
      const wake = this.wakeReceiver;
      this.wakeReceiver = undefined;
      wake?.();
    }
  }
}
