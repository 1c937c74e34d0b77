import { Dealer, Router } from 'zeromq';
import { SerialSender, eventLoopYielder } from '@brainer/protocol';

export interface NodeTransportHandlers {
  fromBroker(frames: Buffer[]): void;
  fromPeer(peer: Buffer, frames: Buffer[]): void;
  fromSource(frames: Buffer[]): void;
  sendFailed(to: string, error: unknown): void;
  handlerFailed(error: unknown): void;
}

const DEALER_OPTIONS = { sendHighWaterMark: 100_000, receiveHighWaterMark: 100_000, linger: 500 } as const;

/**
 * The node's only contact with ZeroMQ: a DEALER to the broker, a ROUTER bound at the node's own
 * endpoint (snapshot requests from joiners, direct reads), and while joining a DEALER to the
 * snapshot source.
 */
export class NodeTransport {
  private readonly server = new Router({ mandatory: true, sendTimeout: 0, sendHighWaterMark: 10_000, linger: 0 });
  private broker: { socket: Dealer; sender: SerialSender<Buffer> } | undefined;
  private source: { socket: Dealer; sender: SerialSender<Buffer> } | undefined;
  private closed = false;

  constructor(private readonly handlers: NodeTransportHandlers) {}

  async bind(endpoint: string): Promise<string> {
    await this.server.bind(endpoint);
    void this.receive(this.server, (frames) => this.handlers.fromPeer(frames[0]!, frames.slice(1)));
    return this.server.lastEndpoint ?? endpoint;
  }

  /** (Re)connects to the broker on a fresh socket, dropping anything queued on the old one. */
  connectBroker(endpoint: string): void {
    this.broker?.socket.close();
    this.broker = this.connect(endpoint, 'broker', (frames) => this.handlers.fromBroker(frames));
  }

  toBroker(frame: Buffer): void {
    this.broker?.sender.send(frame);
  }

  toPeer(peer: Buffer, frame: Buffer): void {
    if (this.closed) return;
    this.server.send([peer, frame]).catch((error: unknown) => this.handlers.sendFailed('peer', error));
  }

  connectSource(endpoint: string): void {
    this.closeSource();
    this.source = this.connect(endpoint, 'source', (frames) => this.handlers.fromSource(frames));
  }

  toSource(frame: Buffer): void {
    this.source?.sender.send(frame);
  }

  closeSource(): void {
    if (!this.source) return;
    this.source.sender.clear();
    this.source.socket.close();
    this.source = undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSource();
    this.broker?.socket.close();
    this.server.close();
  }

  private connect(endpoint: string, name: string, onFrames: (frames: Buffer[]) => void) {
    const socket = new Dealer(DEALER_OPTIONS);
    socket.connect(endpoint);
    const sender = new SerialSender<Buffer>(
      (frame) => socket.send(frame),
      (error) => this.handlers.sendFailed(name, error),
    );
    void this.receive(socket, onFrames);
    return { socket, sender };
  }

  private async receive(socket: Dealer | Router, onFrames: (frames: Buffer[]) => void): Promise<void> {
    const yieldNow = eventLoopYielder();
    try {
      for await (const frames of socket) {
        try {
          onFrames(frames);
        } catch (error) {
          this.handlers.handlerFailed(error);
        }
        await yieldNow();
      }
    } catch (error) {
      if (!socket.closed) throw error;
    }
  }
}
