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
  /** Called after a message is handled when no other is queued: the socket has been drained. */
  onDrained?: () => void;
  /** Whether the socket is being closed on purpose, so that a failed receive ends the loop quietly. Default: the socket is closed. */
  closing?: () => boolean;
  /**
   * Longest run of messages handled without a break, in ms: past it, the loop gives timers (such as
   * heartbeats) a turn before the next (`eventLoopYielder`). 0: never. Default 10.
   */
  yieldEveryMs?: number;
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
  const { onHandlerError, onDrained, closing = () => socket.closed, yieldEveryMs = 10 } = options;
  const yieldNow = yieldEveryMs > 0 ? eventLoopYielder(yieldEveryMs) : () => undefined;
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
      if (onDrained && !socket.readable) onDrained();
      await yieldNow();
    }
  } catch (error) {
    if (!closing()) throw error;
  }
}
