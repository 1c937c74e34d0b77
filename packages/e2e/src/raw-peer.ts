import { decode, encode, type Message, type Op } from '@brainer/protocol';
import { Dealer } from 'zeromq';

/**
 * A bare DEALER for sending hand-made frames to a broker or node and reading what comes back, as a
 * misbehaving or foreign peer would.
 */
export class RawPeer {
  private readonly socket: Dealer;

  /** `routingId` fixes the peer's identity, as a client does so that its retries are recognised. */
  constructor(endpoint: string, routingId?: string) {
    this.socket = new Dealer({ linger: 0, receiveTimeout: 3000, ...(routingId === undefined ? {} : { routingId }) });
    this.socket.connect(endpoint);
  }

  async send(frames: Buffer | Buffer[]): Promise<void> {
    await this.socket.send(frames);
  }

  /** The next message's frames; rejects after 3 s of silence. */
  async receive(): Promise<Buffer[]> {
    return this.socket.receive();
  }

  close(): void {
    this.socket.close();
  }
}

/** Sends one op in a request from `peer` and answers the next message that comes back. */
export async function callRaw(peer: RawPeer, op: Op): Promise<Message> {
  await peer.send(encode({ type: 'request', ops: [op] }));
  return decode((await peer.receive())[0]!);
}

/** A `set` op of a string value, no TTL, waiting for every node. */
export const setOp = (id: number, key: string, value: string): Op => ({
  op: 'set',
  id,
  key,
  value: Buffer.from(value),
  ttlMs: 0,
  wait: 'all',
});
