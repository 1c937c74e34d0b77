import { BrainerError, RemoteError, TimeoutError, type Op, type Reply, type ReplyValue } from '@brainer/protocol';

/** Op without its id: the queue assigns ids. */
export type OpInput = Op extends infer T ? (T extends Op ? Omit<T, 'id'> : never) : never;

interface Pending {
  resolve(value: ReplyValue): void;
  reject(error: Error): void;
  deadline: number;
  op: OpInput['op'];
}

/**
 * Matches replies to calls by request id, and coalesces the calls made in one tick into one
 * request frame. Every call has a deadline; one timer sweeps them in order.
 */
export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private queued: Op[] = [];
  private lastId = 0;
  private flushScheduled = false;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly send: (ops: Op[]) => void,
    private readonly timeoutMs: number,
    private readonly now: () => number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(250, Math.max(5, timeoutMs / 10)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.pending.size;
  }

  call(input: OpInput): Promise<ReplyValue> {
    return new Promise<ReplyValue>((resolve, reject) => {
      const id = this.nextId();
      this.pending.set(id, { resolve, reject, deadline: this.now() + this.timeoutMs, op: input.op });
      this.queued.push({ ...input, id } as Op);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  onReply(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new RemoteError(reply.code, reply.message));
  }

  /** Rejects every call still waiting, as when the client closes. */
  failAll(error: BrainerError): void {
    this.queued = [];
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private flush(): void {
    this.flushScheduled = false;
    const ops = this.queued;
    this.queued = [];
    if (ops.length > 0) this.send(ops);
  }

  /** Calls share one timeout, so deadlines rise in insertion order and the sweep stops at the first live one. */
  private sweep(): void {
    const now = this.now();
    for (const [id, pending] of this.pending) {
      if (pending.deadline > now) break;
      this.pending.delete(id);
      pending.reject(new TimeoutError(`${pending.op} got no answer within ${this.timeoutMs} ms`));
    }
  }

  private nextId(): number {
    do this.lastId = this.lastId >= 0xffffffff ? 1 : this.lastId + 1;
    while (this.pending.has(this.lastId));
    return this.lastId;
  }
}
