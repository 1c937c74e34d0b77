import { BrainerError, RemoteError, TimeoutError, type ErrorCode, type Op, type Reply, type ReplyValue } from '@brainer/protocol';

/** Op without its id: the queue assigns ids. */
export type OpInput = Op extends infer T ? (T extends Op ? Omit<T, 'id'> : never) : never;

/** Answers after which the same op is sent again: nothing was applied, or a retry is deduplicated. */
// ERR_NOT_READY covers a write that found no ready node: it waits, within its timeout, for one.
// ERR_NO_NODES (a read with no ready node) is final: a read fails fast instead of waiting.
// ERR_NOT_LEADER (a standby broker) is sent again to the leader, or the next broker (PROTOCOL.md 5.17).
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['ERR_NOT_READY', 'ERR_NO_LEASE', 'ERR_BACKPRESSURE', 'ERR_TIMEOUT', 'ERR_NOT_LEADER']);

/** Retryable answers from a broker about to serve (a take-over, a start-up): retried within 200 ms, not 500. */
const SOON_CODES: ReadonlySet<ErrorCode> = new Set(['ERR_NOT_READY', 'ERR_NOT_LEADER']);

interface Pending {
  resolve(value: ReplyValue): void;
  reject(error: Error): void;
  op: Op;
  /** When the call gives up, and after how long. */
  deadline: number;
  timeoutMs: number;
  /** When the op is sent again if no answer has come. */
  resendAt: number;
  attempts: number;
  lastError: Error | undefined;
  /** Whether the next send is after a retryable error's backoff, not after an attempt that went unanswered. */
  backingOff: boolean;
}

export interface PendingRequestsOptions {
  timeoutMs: number;
  attemptTimeoutMs: number;
  retry: boolean;
  now: () => number;
  /** The endpoint the requests go to, named in the errors raised here. */
  endpoint: string;
  /** Most bytes of ops packed into one request frame; more go in further frames. Default: no limit. */
  maxFrameBytes?: number;
  /**
   * Send at most one frame at a time: ops called while a frame is unanswered wait, and go together
   * in one frame once it is answered (Nagle's rule). It keeps many concurrent calls in few frames,
   * where each frame costs far more than each op; a lone call is never delayed. Default false.
   */
  oneFrameInFlight?: boolean;
  /** Called after a sweep that sent calls again because their attempt went unanswered. */
  onAttemptTimeout?: () => void;
}

/**
 * Matches replies to calls by request id, and coalesces the calls made in one tick into one request
 * frame. A call that gets no answer within the attempt timeout, or a retryable error, is sent again
 * with the same id (with backoff) until its deadline: the broker answers a retried write with the
 * first attempt's outcome, so a write is applied at most once.
 */
export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private queued: Op[] = [];
  private lastId = 0;
  private flushScheduled = false;
  /** With `oneFrameInFlight`: the ids of the ops sent and not yet answered. */
  private readonly inFlight = new Set<number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly flushNow = (): void => this.flush();

  constructor(
    private readonly send: (ops: Op[]) => void,
    private readonly options: PendingRequestsOptions,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(50, Math.max(5, options.timeoutMs / 10)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends `input`, which becomes the op sent: it gets its id set, so pass a fresh object. The call
   * gives up after `timeoutMs`, by default the queue's.
   */
  call(input: OpInput, timeoutMs = this.options.timeoutMs): Promise<ReplyValue> {
    return new Promise<ReplyValue>((resolve, reject) => {
      const now = this.options.now();
      // Setting the id in place, rather than spreading into a new object, saves a copy of every op.
      const op = input as Op;
      op.id = this.nextId();
      this.pending.set(op.id, {
        resolve,
        reject,
        op,
        deadline: now + timeoutMs,
        timeoutMs,
        resendAt: now + this.options.attemptTimeoutMs,
        attempts: 1,
        lastError: undefined,
        backingOff: false,
      });
      this.enqueue(op);
    });
  }

  onReply(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.landed(reply.id);
    if (reply.ok) {
      this.pending.delete(reply.id);
      pending.resolve(reply.value);
      return;
    }
    const error = new RemoteError(reply.code, reply.message);
    const backoff = Math.min(SOON_CODES.has(reply.code) ? 200 : 500, 25 * 2 ** pending.attempts);
    if (this.options.retry && RETRYABLE.has(reply.code) && this.options.now() + backoff < pending.deadline) {
      pending.lastError = error;
      pending.resendAt = this.options.now() + backoff;
      pending.backingOff = true;
      return;
    }
    this.pending.delete(reply.id);
    pending.reject(error);
  }

  /**
   * Sends every call still waiting again at once, with the same ids, as after a move to another
   * broker; calls already queued are sent once.
   */
  resendAll(): void {
    const queued = new Set(this.queued.map((op) => op.id));
    this.inFlight.clear();
    const resendAt = this.options.now() + this.options.attemptTimeoutMs;
    for (const pending of this.pending.values()) {
      pending.resendAt = resendAt;
      pending.backingOff = false;
      if (queued.has(pending.op.id)) continue;
      pending.attempts++;
      this.enqueue(pending.op);
    }
  }

  /** Rejects every call still waiting, as when the client closes. */
  failAll(error: BrainerError): void {
    this.queued = [];
    this.inFlight.clear();
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private enqueue(op: Op): void {
    this.queued.push(op);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flushNow);
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.options.oneFrameInFlight && this.inFlight.size > 0) return;
    const ops = this.queued;
    this.queued = [];
    if (ops.length === 0) return;
    if (this.options.oneFrameInFlight) for (const op of ops) this.inFlight.add(op.id);
    for (const frameOps of splitByBytes(ops, this.options.maxFrameBytes ?? Infinity)) this.send(frameOps);
  }

  /** An op sent is answered or given up on; the last one of a frame lets the waiting ops go. */
  private landed(id: number): void {
    if (!this.inFlight.delete(id) || this.inFlight.size > 0 || this.queued.length === 0 || this.flushScheduled) return;
    // After this turn's callbacks, so that every call made in answer to this frame goes in the next.
    this.flushScheduled = true;
    setImmediate(this.flushNow);
  }

  private sweep(): void {
    const now = this.options.now();
    let timedOut = false;
    for (const [id, pending] of this.pending) {
      if (pending.deadline <= now) {
        this.pending.delete(id);
        this.landed(id);
        pending.reject(
          pending.lastError ??
            new TimeoutError(
              `${pending.op.op} got no answer from ${this.options.endpoint} within ${pending.timeoutMs} ms (${attempts(pending.attempts)})`,
            ),
        );
      } else if (this.options.retry && pending.resendAt <= now) {
        // A call waiting out a retryable error's backoff had its answer: only silence counts.
        if (!pending.backingOff) timedOut = true;
        pending.backingOff = false;
        pending.attempts++;
        pending.resendAt = now + this.options.attemptTimeoutMs;
        this.enqueue(pending.op);
      }
    }
    if (timedOut) this.options.onAttemptTimeout?.();
  }

  private nextId(): number {
    do this.lastId = this.lastId >= 0xffffffff ? 1 : this.lastId + 1;
    while (this.pending.has(this.lastId));
    return this.lastId;
  }
}

function attempts(count: number): string {
  return count === 1 ? '1 attempt' : `${count} attempts`;
}

/** Room for a frame's header and each op's fixed fields. */
const FRAME_OVERHEAD_BYTES = 1024;
const OP_OVERHEAD_BYTES = 64;

/** Splits ops into runs whose encoded size stays under `maxBytes` (a key counted at its UTF-8 worst case). */
function splitByBytes(ops: Op[], maxBytes: number): Op[][] {
  if (maxBytes === Infinity) return [ops];
  const frames: Op[][] = [];
  let current: Op[] = [];
  let bytes = FRAME_OVERHEAD_BYTES;
  for (const op of ops) {
    const opBytes = OP_OVERHEAD_BYTES + ('key' in op ? op.key.length * 3 : 0) + (op.op === 'set' ? op.value.length : 0);
    if (current.length > 0 && bytes + opBytes > maxBytes) {
      frames.push(current);
      current = [];
      bytes = FRAME_OVERHEAD_BYTES;
    }
    current.push(op);
    bytes += opBytes;
  }
  if (current.length > 0) frames.push(current);
  return frames;
}
