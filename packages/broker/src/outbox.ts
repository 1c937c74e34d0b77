import { encode, type Message, type Op, type Reply } from '@brainer/protocol';
import type { BrokerPorts, PeerId } from './ports.js';

/**
 * The broker's one way out, and its send gate: nothing leaves a broker that `maySend` forbids (one
 * deposed, or leading without a live lease). It gathers what is
 * sent in one tick so that each peer gets one frame: one request of forwarded ops per node, and one
 * reply of answers per client; `flush` sends them.
 */
export class Outbox {
  private readonly opsByNode = new Map<PeerId, Op[]>();
  private readonly repliesByClient = new Map<PeerId, Reply[]>();
  private scheduled = false;

  constructor(
    private readonly ports: Pick<BrokerPorts, 'send' | 'reaches' | 'requestFlush'>,
    private readonly maySend: () => boolean,
  ) {}

  reply(peer: PeerId, reply: Reply): void {
    const replies = this.repliesByClient.get(peer);
    if (replies) replies.push(reply);
    else this.repliesByClient.set(peer, [reply]);
    this.schedule();
  }

  op(peer: PeerId, op: Op): void {
    const ops = this.opsByNode.get(peer);
    if (ops) ops.push(op);
    else this.opsByNode.set(peer, [op]);
    this.schedule();
  }

  /** Sends one message now, outside any batch. */
  sendNow(peer: PeerId, message: Message): void {
    this.send(peer, encode(message));
  }

  /** Sends the same already-encoded frame to each peer. */
  broadcast(peers: Iterable<PeerId>, frame: Buffer): void {
    for (const peer of peers) this.send(peer, frame);
  }

  /** Sends `message` and resolves whether `peer` is still connected; a deposed broker reaches no one. */
  probe(peer: PeerId, message: Message): Promise<boolean> {
    if (!this.maySend()) return Promise.resolve(false);
    return this.ports.reaches(peer, encode(message));
  }

  /** Asks for a flush at the end of this turn. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.ports.requestFlush();
  }

  /** Sends the tick's batched ops and replies. */
  flush(): void {
    this.scheduled = false;
    for (const [peer, ops] of this.opsByNode) this.send(peer, encode({ type: 'request', ops }));
    this.opsByNode.clear();
    for (const [peer, replies] of this.repliesByClient) this.send(peer, encode({ type: 'reply', replies }));
    this.repliesByClient.clear();
  }

  private send(peer: PeerId, frame: Buffer): void {
    if (this.maySend()) this.ports.send(peer, frame);
  }
}
