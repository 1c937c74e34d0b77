/**
 * Sends messages one at a time through a socket whose `send` may only have one call pending, keeping
 * their order. Messages queue in memory while a send waits on a full peer.
 */
export class SerialSender<M> {
  private readonly queue: M[] = [];
  private sending = false;

  constructor(
    private readonly sendOne: (message: M) => Promise<void>,
    private readonly onError: (error: unknown, message: M) => void,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  send(message: M): void {
    this.queue.push(message);
    if (!this.sending) void this.pump();
  }

  private async pump(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const message = this.queue.shift()!;
      try {
        await this.sendOne(message);
      } catch (error) {
        try {
          this.onError(error, message);
        } catch {
          // An error handler that throws must not stop the queue.
        }
      }
    }
    this.sending = false;
  }

  /** Drops whatever is still queued, as when the socket closes. */
  clear(): void {
    this.queue.length = 0;
  }
}
