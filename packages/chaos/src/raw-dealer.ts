import { decode, encode } from '@brainer/protocol';
import { receiveLoop } from '@brainer/transport';
import { Dealer } from 'zeromq';

/**
 * A bare DEALER that sends hand-made messages of any number of frames, as a foreign or hostile peer
 * would, and tallies what comes back: each reply by its code (`ok` for a success), each `error`
 * message by its code, anything else by its type. Pings with ids of its own serve as barriers: once
 * one is answered, the peer has read everything sent before it.
 */
export class RawDealer {
  private readonly socket = new Dealer({ linger: 0, sendHighWaterMark: 10_000, receiveHighWaterMark: 0 });
  private readonly waiting = new Map<number, () => void>();
  private readonly receiving: Promise<void>;
  /** What came back, by code or message type. */
  readonly received = new Map<string, number>();

  constructor(readonly endpoint: string) {
    this.socket.connect(endpoint);
    this.receiving = this.receive();
  }

  async send(frames: Buffer[]): Promise<void> {
    await this.socket.send(frames);
  }

  /**
   * Sends a `ping` with the given id and resolves true once it is answered, or false after
   * `timeoutMs`.
   */
  async ping(id: number, timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<boolean>((resolve) => {
      this.waiting.set(id, () => resolve(true));
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      await this.send([encode({ type: 'request', ops: [{ op: 'ping', id }] })]);
      return await answered;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.receiving;
  }

  private count(what: string, n = 1): void {
    this.received.set(what, (this.received.get(what) ?? 0) + n);
  }

  private receive(): Promise<void> {
    // A hostile peer's tally: no handler error is expected, and there are no timers to make room for.
    return receiveLoop(this.socket, (frames) => this.tally(frames), { yieldEveryMs: 0 });
  }

  private tally(frames: Buffer[]): void {
    if (frames.length !== 1) {
      this.count('multi-frame message');
      return;
    }
    let message;
    try {
      message = decode(frames[0]!);
    } catch {
      this.count('undecodable');
      return;
    }
    if (message.type === 'reply') {
      for (const reply of message.replies) {
        const barrier = this.waiting.get(reply.id);
        if (barrier && reply.ok) {
          barrier();
          continue;
        }
        this.count(reply.ok ? 'ok' : reply.code);
      }
    } else if (message.type === 'error') {
      this.count(message.code);
    } else {
      this.count(`message:${message.type}`);
    }
  }
}
