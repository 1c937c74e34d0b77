import { encode, type Message, type Op, type Reply } from '@brainer/protocol';
import type { BrokerTransport } from './broker-transport.js';

/**
 * Gathers what the broker sends in one tick so that each peer gets one frame: the write batch for
 * every node, one request of forwarded ops per node, and one reply of answers per client.
 */
export class Outbox {
  private readonly opsByNode = new Map<string, { peer: Buffer; ops: Op[] }>();
  private readonly repliesByClient = new Map<string, { peer: Buffer; replies: Reply[] }>();
  private scheduled = false;

  constructor(
    private readonly transport: BrokerTransport,
    private readonly beforeFlush: () => void,
  ) {}

  reply(peer: Buffer, peerKey: string, reply: Reply): void {
    let entry = this.repliesByClient.get(peerKey);
    if (!entry) this.repliesByClient.set(peerKey, (entry = { peer, replies: [] }));
    entry.replies.push(reply);
    this.schedule();
  }

  op(peer: Buffer, peerKey: string, op: Op): void {
    let entry = this.opsByNode.get(peerKey);
    if (!entry) this.opsByNode.set(peerKey, (entry = { peer, ops: [] }));
    entry.ops.push(op);
    this.schedule();
  }

  /** Sends one message now, outside any batch. */
  sendNow(peer: Buffer, message: Message): void {
    this.transport.send(peer, encode(message));
  }

  /** Sends the same already-encoded frame to each peer. */
  broadcast(peers: Iterable<Buffer>, frame: Buffer): void {
    for (const peer of peers) this.transport.send(peer, frame);
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    this.beforeFlush();
    for (const { peer, ops } of this.opsByNode.values()) this.transport.send(peer, encode({ type: 'request', ops }));
    this.opsByNode.clear();
    for (const { peer, replies } of this.repliesByClient.values()) {
      this.transport.send(peer, encode({ type: 'reply', replies }));
    }
    this.repliesByClient.clear();
  }
}
