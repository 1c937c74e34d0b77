import { eventLoopYielder } from '@brainer/protocol';
import { Router } from 'zeromq';

export type FrameHandler = (peer: Buffer, frames: Buffer[]) => void;
export type SendErrorHandler = (peer: Buffer, error: unknown) => void;
export type HandlerErrorHandler = (error: unknown) => void;

/**
 * The broker's only contact with ZeroMQ: one ROUTER that clients and nodes connect to. Sends never
 * block: a peer that is gone or full makes the send fail, and the failure is reported, not dropped.
 */
export class BrokerTransport {
  private readonly router = new Router({
    mandatory: true,
    handover: true,
    sendTimeout: 0,
    sendHighWaterMark: 20_000,
    receiveHighWaterMark: 100_000,
    linger: 0,
  });
  private closed = false;

  constructor(
    private readonly onFrames: FrameHandler,
    private readonly onSendError: SendErrorHandler,
    private readonly onHandlerError: HandlerErrorHandler,
  ) {}

  /** Binds and starts receiving. Resolves with the bound endpoint (the real port for `tcp://...:*`). */
  async bind(endpoint: string): Promise<string> {
    await this.router.bind(endpoint);
    void this.receive();
    return this.router.lastEndpoint ?? endpoint;
  }

  send(peer: Buffer, frame: Buffer): void {
    if (this.closed) return;
    this.router.send([peer, frame]).catch((error: unknown) => this.onSendError(peer, error));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.router.close();
  }

  private async receive(): Promise<void> {
    const yieldNow = eventLoopYielder();
    try {
      for await (const [peer, ...frames] of this.router) {
        try {
          this.onFrames(peer!, frames);
        } catch (error) {
          this.onHandlerError(error);
        }
        await yieldNow();
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }
}
