/** What a `SocketSender` sends through: a ZeroMQ socket, whose `send` may have only one call waiting. */
export interface SendingSocket {
  send(frame: Buffer): Promise<void>;
}

/**
 * Sends frames through one socket in the order given, one `send` at a time as zeromq.js requires;
 * frames given while a send waits (on a full peer) queue in memory behind it. A frame given when
 * none waits goes straight to `socket.send`, with no queue or async function in between: on the
 * path of every ack and request that is most frames.
 */
export class SocketSender {
  private readonly queue: Buffer[] = [];
  private waiting = false;
  private readonly sent = (): void => this.next();
  private readonly failed = (error: unknown): void => {
    this.report(error);
    this.next();
  };

  constructor(
    private readonly socket: SendingSocket,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Frames given but not yet handed to the socket. */
  get queued(): number {
    return this.queue.length;
  }

  send(frame: Buffer): void {
    if (this.waiting) this.queue.push(frame);
    else this.start(frame);
  }

  /** Drops whatever is still queued, as when the socket closes; a send already handed over goes on. */
  clear(): void {
    this.queue.length = 0;
  }

  private start(first: Buffer): void {
    let frame: Buffer | undefined = first;
    while (frame !== undefined) {
      this.waiting = true;
      try {
        this.socket.send(frame).then(this.sent, this.failed);
        return;
      } catch (error) {
        // zeromq.js throws, rather than rejects, on a closed socket; a loop, not recursion, for a long queue.
        this.report(error);
      }
      this.waiting = false;
      frame = this.queue.shift();
    }
  }

  private next(): void {
    this.waiting = false;
    const frame = this.queue.shift();
    if (frame !== undefined) this.start(frame);
  }

  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // An error handler that throws must not stop the queue.
    }
  }
}
