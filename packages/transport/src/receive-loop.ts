import { eventLoopYielder } from '@brainer/protocol';

/** What a receive loop reads: a ZeroMQ socket, or anything that yields messages as one does. */
export interface ReceivingSocket extends AsyncIterable<Buffer[]> {
  readonly closed: boolean;
  /** Whether a message is queued, ready to be received at once. */
  readonly readable: boolean;
}

export interface ReceiveLoopOptions {
  /**
   * Called with what the handler throws (or its promise rejects with), and the loop goes on.
   * Without it, a handler's error ends the loop like a failed receive.
   */
  onHandlerError?: (error: unknown) => void;
  /**
   * Called after a message is handled when no other is queued: the socket has been drained. Asking
   * the socket (`readable`) is a system call of about 4 µs, so once a drain has been reported the
   * loop does not ask again for `drainCheckEveryMs`; after that it asks after every message until
   * it finds the socket drained. A drain is so reported at most `drainCheckEveryMs` late.
   */
  onDrained?: () => void;
  /** See `onDrained`, in ms. 0: ask after every message. Default 10. */
  drainCheckEveryMs?: number;
  /** Whether the socket is being closed on purpose, so that a failed receive ends the loop quietly. Default: the socket is closed. */
  closing?: () => boolean;
  /**
   * Longest run of messages handled without a break, in ms: past it, the loop gives timers (such as
   * heartbeats) a turn before the next (`eventLoopYielder`). 0: never. Default 10.
   */
  yieldEveryMs?: number;
  /** The monotonic clock of `drainCheckEveryMs`, in ms. Default `performance.now`. */
  now?: () => number;
}

/**
 * Every process's receive loop: hands each message to `handle` in order (awaiting it when it returns
 * a promise), until the socket closes. It resolves when the socket's messages end, and rejects only
 * when a receive fails (or, without `onHandlerError`, a handler fails) while the socket is not
 * being closed.
 */
export async function receiveLoop(
  socket: ReceivingSocket,
  handle: (frames: Buffer[]) => void | Promise<void>,
  options: ReceiveLoopOptions = {},
): Promise<void> {
  const {
    onHandlerError,
    onDrained,
    drainCheckEveryMs = 10,
    closing = () => socket.closed,
    yieldEveryMs = 10,
    now = () => performance.now(),
  } = options;
  const yieldNow = yieldEveryMs > 0 ? eventLoopYielder(yieldEveryMs) : () => undefined;
  let drainSeenAt = -Infinity;
  try {
    for await (const frames of socket) {
      if (onHandlerError) {
        try {
          const handled = handle(frames);
          if (handled) await handled;
        } catch (error) {
          onHandlerError(error);
        }
      } else {
        const handled = handle(frames);
        if (handled) await handled;
      }
      if (onDrained) {
        const at = now();
        if (at - drainSeenAt >= drainCheckEveryMs && !socket.readable) {
          drainSeenAt = at;
          onDrained();
        }
      }
      await yieldNow();
    }
  } catch (error) {
    if (!closing()) throw error;
  }
}
