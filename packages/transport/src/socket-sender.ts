/** What a `SocketSender` sends through: a ZeroMQ socket, whose `send` may have only one call waiting. */
export interface SendingSocket {
  send(frame: Buffer): Promise<void>;
  /** ZMQ_SNDTIMEO in ms: 0 fails a send at once when the peer is full, -1 waits for room. */
  sendTimeout: number;
}

/**
 * Sends frames through one socket in the order given, one `send` at a time as zeromq.js requires;
 * frames given while a send waits (on a full peer) queue in memory behind it. A frame given when
 * none waits goes straight to `socket.send`, with no queue or async function in between: on the
 * path of every ack and request that is most frames.
 *
 * The socket's `sendTimeout` is 0 while nothing waits: zeromq.js then sends without first asking
 * libzmq whether the socket has room (a getsockopt of about 4 µs, on every send). When the peer
 * is full, the send fails with EAGAIN; that frame is sent again with `sendTimeout` -1, which
 * waits for room, and so are the frames queued behind it, until the queue is empty.
 */
export class SocketSender {
  private readonly queue: Buffer[] = [];
  private waiting = false;
  /** The frame handed to the socket and not yet sent. */
  private current: Buffer | undefined;
  /** Whether the socket waits for room (`sendTimeout` -1), since a send found the peer full. */
  private waitForRoom = false;
  private readonly sent = (): void => this.next();
  private readonly failed = (error: unknown): void => {
    if (!this.waitForRoom && (error as { code?: unknown } | undefined)?.code === 'EAGAIN') {
      this.setWaitForRoom(true);
      this.start(this.current!);
      return;
    }
    this.report(error);
    this.next();
  };

  constructor(
    private readonly socket: SendingSocket,
    private readonly onError: (error: unknown) => void,
  ) {
    socket.sendTimeout = 0;
  }

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
      this.current = frame;
      try {
        this.socket.send(frame).then(this.sent, this.failed);
        return;
      } catch (error) {
        // zeromq.js throws, rather than rejects, on a closed socket; a loop, not recursion, for a long queue.
        this.report(error);
      }
      this.waiting = false;
      this.current = undefined;
      frame = this.queue.shift();
    }
  }

  private next(): void {
    this.waiting = false;
    this.current = undefined;
    const frame = this.queue.shift();
    if (frame !== undefined) this.start(frame);
    else if (this.waitForRoom) this.setWaitForRoom(false);
  }

  private setWaitForRoom(wait: boolean): void {
    this.waitForRoom = wait;
    try {
      this.socket.sendTimeout = wait ? -1 : 0;
    } catch (error) {
      // The socket was closed: sends fail from now on, and are reported as they do.
      this.report(error);
    }
  }

  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // An error handler that throws must not stop the queue.
    }
  }
}
