import { decode, encode, type Message, type MessageOf, type Op, type Reply } from '@brainer/protocol';
import { BrokerCore } from '../src/broker-core.js';
import type { BrokerEvent } from '../src/events.js';
import { resolveBrokerOptions, type BrokerOptions } from '../src/options.js';

export const HEARTBEAT_MS = 100;
export const LEASE_MS = 200;
export const TIMEOUT_MS = 100;

/** What a node says of its data when it registers. */
export interface Holding {
  type?: 'register' | 'resume';
  epoch?: number;
  seq?: number;
  digest?: string;
  keys?: number;
}

/**
 * A broker core driven by hand: a clock that moves only when told, ports that record every frame
 * sent, and the timers' work (flush, sweep, liveness, wake-ups) run as the clock passes them.
 */
export class CoreHarness {
  now = 0;
  readonly sent: { peer: string; message: Message }[] = [];
  readonly events: BrokerEvent[] = [];
  readonly core: BrokerCore;
  readonly options: BrokerOptions;
  /** Whether `reaches` finds a peer connected. */
  reachable = true;
  /** Whether the leader's lease is certainly alive, as an election would say. */
  leaseAlive = true;
  /** The leader a standby names. */
  leader: string | undefined = 'tcp://127.0.0.1:7001';
  private flushRequested = false;
  private wakeAt = Infinity;
  private lastSweepAt = 0;
  private lastLivenessAt = 0;

  constructor(options: Partial<BrokerOptions> = {}) {
    this.options = resolveBrokerOptions({
      heartbeatMs: HEARTBEAT_MS,
      leaseMs: LEASE_MS,
      readTimeoutMs: TIMEOUT_MS,
      ...options,
      now: () => this.now,
    });
    this.core = new BrokerCore(this.options, {
      send: (peer, frame) => this.sent.push({ peer, message: decode(frame) }),
      reaches: async (peer, frame) => {
        this.sent.push({ peer, message: decode(frame) });
        return this.reachable;
      },
      inputDrainedAt: () => this.now,
      connections: () => 0,
      now: () => this.now,
      requestFlush: () => (this.flushRequested = true),
      requestWake: (at) => (this.wakeAt = Math.min(this.wakeAt, at)),
      nextEpoch: (atLeast) => atLeast,
      holdsLeadership: () => this.leaseAlive,
      leader: () => this.leader,
    });
    this.core.events$.subscribe((event) => this.events.push(event));
  }

  /** Leads, waits out the start-up wait, and serves. */
  serve(): void {
    this.core.lead();
    this.advance(this.options.startupWaitMs);
    this.core.serve();
    this.settle();
  }

  /** Moves the clock in 10 ms steps, running what the broker's timers would; `heartbeats` come from these nodes each period. */
  advance(ms: number, heartbeats: readonly string[] = []): void {
    const until = this.now + ms;
    while (this.now < until) {
      this.now = Math.min(until, this.now + 10);
      if (this.now >= this.wakeAt) {
        this.wakeAt = Infinity;
        this.core.wake();
      }
      if (this.now - this.lastSweepAt >= 50) {
        this.lastSweepAt = this.now;
        this.core.sweep();
      }
      if (this.now - this.lastLivenessAt >= HEARTBEAT_MS) {
        this.lastLivenessAt = this.now;
        for (const id of heartbeats) this.heartbeat(id);
        this.core.checkLiveness();
      }
      this.settle();
    }
  }

  /** Runs the flushes asked for, as the end of a turn would. */
  settle(): void {
    while (this.flushRequested) {
      this.flushRequested = false;
      this.core.flush();
    }
  }

  /** A message from `peer`, handled in a turn of its own. */
  from(peer: string, message: Message): void {
    this.core.receive(peer, [encode(message)]);
    this.settle();
  }

  /** The messages sent to `peer` since the last `take`, and forgets them. */
  take(peer: string): Message[] {
    const mine = this.sent.filter((sent) => sent.peer === peer);
    for (let i = this.sent.length - 1; i >= 0; i--) if (this.sent[i]!.peer === peer) this.sent.splice(i, 1);
    return mine.map((sent) => sent.message);
  }

  // ---- nodes ----------------------------------------------------------------------------------

  register(id: string, holding: Holding = {}): void {
    const { type = 'register', epoch = 0, seq = 0, digest = '', keys = 0 } = holding;
    this.from(`node-${id}`, {
      type,
      nodeId: id,
      incarnation: `${id}-1`,
      endpoint: `tcp://127.0.0.1:1${id.charCodeAt(0)}`,
      epoch,
      seq,
      keys,
      digest,
    });
  }

  heartbeat(id: string, seq = 0): void {
    this.from(`node-${id}`, {
      type: 'heartbeat',
      nodeId: id,
      sentAt: this.now,
      epoch: this.core.stats().epoch as number,
      seq,
      keys: 0,
      digest: '',
      state: 'ready',
      progress: { received: 0, total: 0 },
    });
  }

  ack(id: string, seq: number, removed: number[] = []): void {
    this.from(`node-${id}`, { type: 'ack', epoch: this.core.stats().epoch as number, seq, removed });
  }

  /** The last welcome or catch-up sent to a node. */
  lastWelcome(id: string): MessageOf<'welcome'> | undefined {
    return this.sent
      .filter((sent) => sent.peer === `node-${id}` && sent.message.type === 'welcome')
      .map((sent) => sent.message as MessageOf<'welcome'>)
      .at(-1);
  }

  /** A node that joined says it caught up at `seq`. */
  caughtUp(id: string, seq: number): void {
    this.from(`node-${id}`, { type: 'caught-up', joinId: this.lastWelcome(id)!.joinId, seq });
  }

  /** Starts serving with these fresh nodes, all ready: the first seeds, the rest join from it. */
  cluster(ids: readonly string[]): void {
    this.serve();
    for (const id of ids) this.register(id);
    for (const id of ids.slice(1)) this.caughtUp(id, this.core.stats().seq as number);
  }

  /** The `writes` frames sent to a node since the last `take`, flattened to [seq, write]. */
  writesTo(id: string): { seq: number; kind: string; key?: string }[] {
    const out: { seq: number; kind: string; key?: string }[] = [];
    for (const message of this.take(`node-${id}`)) {
      if (message.type !== 'writes') continue;
      message.writes.forEach((write, i) =>
        out.push({ seq: message.firstSeq + i, kind: write.kind, key: 'key' in write ? write.key : undefined }),
      );
    }
    return out;
  }

  // ---- clients --------------------------------------------------------------------------------

  request(client: string, ...ops: Op[]): void {
    this.from(client, { type: 'request', ops });
  }

  /** The replies sent to a client since the last `take`. */
  replies(client: string): Reply[] {
    return this.take(client).flatMap((message) => (message.type === 'reply' ? message.replies : []));
  }
}

export const set = (id: number, key: string, wait: 'all' | 'primary' = 'all', ttlMs = 0): Op => ({
  op: 'set',
  id,
  key,
  value: Buffer.from(`v${id}`),
  ttlMs,
  wait,
});
