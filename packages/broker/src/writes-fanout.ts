import type { MessageOf } from '@brainer/protocol';

/**
 * Most bytes of `writes` frames sent in one turn of the event loop. Encoding a frame copies its
 * values, so a burst of big values is spread over several turns, with the heartbeats, acks and
 * timers in between, instead of stalling the broker while it copies hundreds of MiB.
 */
export const FANOUT_TICK_BYTES = 8 * 1024 * 1024;

/**
 * Queues the `writes` messages to fan out, in seq order, and sends them a turn's worth at a time.
 * `send` encodes one message, sends it to every node and keeps it in the backlog, and returns the
 * frame's size.
 */
export class WritesFanout {
  private queue: MessageOf<'writes'>[] = [];
  private head = 0;

  constructor(
    private readonly send: (message: MessageOf<'writes'>) => number,
    private readonly tickBytes = FANOUT_TICK_BYTES,
  ) {}

  get pending(): boolean {
    return this.head < this.queue.length;
  }

  add(messages: readonly MessageOf<'writes'>[]): void {
    for (const message of messages) this.queue.push(message);
  }

  /** Sends queued messages, at least one, until `tickBytes` went out. Returns whether some are left. */
  sendTurn(): boolean {
    let sent = 0;
    while (this.pending && sent < this.tickBytes) sent += this.sendNext();
    return this.pending;
  }

  /** Sends every queued message now. */
  sendAll(): void {
    while (this.pending) this.sendNext();
  }

  private sendNext(): number {
    const message = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as MessageOf<'writes'>;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return this.send(message);
  }
}
