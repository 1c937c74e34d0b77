import { decode, encode, type Message } from '@brainer/protocol';
import { Router } from 'zeromq';

/** A message a raw broker received, with the peer it came from. */
export interface RawBrokerMessage {
  peer: Buffer;
  message: Message;
}

/** What a raw broker does with each message it receives. */
export type RawBrokerHandler = (broker: RawBroker, received: RawBrokerMessage) => void | Promise<void>;

/**
 * A bare ROUTER bound on loopback that plays a broker in a test: a standby that answers
 * ERR_NOT_LEADER, or a deposed leader sending stale frames. `onMessage` decides what it answers;
 * every message it decodes is kept in `received`.
 */
export class RawBroker {
  readonly received: RawBrokerMessage[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Router,
    readonly endpoint: string,
    private readonly onMessage: RawBrokerHandler,
  ) {}

  /** Binds `tcp://127.0.0.1:*` (a free port) and starts answering with `onMessage`. */
  static async start(onMessage: RawBrokerHandler): Promise<RawBroker> {
    const socket = new Router({ linger: 0 });
    await socket.bind('tcp://127.0.0.1:*');
    const broker = new RawBroker(socket, socket.lastEndpoint!, onMessage);
    void broker.receive();
    return broker;
  }

  async send(peer: Buffer, message: Message): Promise<void> {
    await this.socket.send([peer, encode(message)]);
  }

  /** The messages received so far of that type. */
  of<T extends Message['type']>(type: T): Extract<Message, { type: T }>[] {
    return this.received.filter((entry) => entry.message.type === type).map((entry) => entry.message as Extract<Message, { type: T }>);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private async receive(): Promise<void> {
    try {
      for await (const [peer, frame] of this.socket) {
        if (peer === undefined || frame === undefined) continue;
        const entry = { peer, message: decode(frame) };
        this.received.push(entry);
        await this.onMessage(this, entry);
      }
    } catch (error) {
      if (!this.closed) throw error;
    }
  }
}
