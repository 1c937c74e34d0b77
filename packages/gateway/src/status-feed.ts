import { BrainerError, type Logger } from '@brainer/protocol';
import type { GatewayClient } from './gateway-client.js';
import { ringView, type RingView } from './ring-view.js';
import { brokerStatus, type BrokerStatus, type StatusSnapshot } from './status-snapshot.js';

/** Rate samples kept for the sparklines: a minute at the default interval. */
export const RATE_SAMPLES = 60;

export interface StatusFeedOptions {
  client: Pick<GatewayClient, 'nodes' | 'stats'>;
  /** How often to ask the broker while someone watches, in ms. */
  intervalMs: number;
  logger: Logger;
  /** Wall clock in ms, for the snapshot's `at`. */
  now: () => number;
}

/** Someone watching: gets every snapshot, and `end` when the feed closes. */
export interface StatusWatcher {
  send(snapshot: StatusSnapshot): void;
  end(): void;
}

/**
 * Asks the broker for `nodes` and `stats` once an interval while at least one page watches, and
 * hands each watcher the same snapshot: the broker is asked once however many pages are open, and
 * not at all when none is. It keeps the last minute of write and read rates, so a page opened now
 * draws its sparklines at once.
 */
export class StatusFeed {
  private readonly watchers = new Set<StatusWatcher>();
  private readonly rates: StatusSnapshot['rates'] = { writes: [], reads: [] };
  private last: StatusSnapshot | undefined;
  private previous: { at: number; broker: BrokerStatus } | undefined;
  private ring: { key: string; view: RingView } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;

  constructor(private readonly options: StatusFeedOptions) {}

  /** Adds a watcher, which gets the last snapshot at once if there is one; returns how to remove it. */
  watch(watcher: StatusWatcher): () => void {
    if (this.closed) {
      watcher.end();
      return () => undefined;
    }
    this.watchers.add(watcher);
    if (this.last !== undefined) watcher.send(this.last);
    if (this.timer === undefined && !this.polling) void this.poll();
    return () => this.watchers.delete(watcher);
  }

  /** Ends every watcher and stops polling. Idempotent. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const watcher of this.watchers) watcher.end();
    this.watchers.clear();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    this.polling = true;
    const snapshot = await this.take();
    this.polling = false;
    if (this.closed) return;
    this.last = snapshot;
    for (const watcher of this.watchers) watcher.send(snapshot);
    // With nobody left watching, stop; the next watcher starts it again.
    if (this.watchers.size > 0) this.timer = setTimeout(() => void this.poll(), this.options.intervalMs);
    else this.last = undefined;
  }

  private async take(): Promise<StatusSnapshot> {
    const { client, intervalMs, now } = this.options;
    try {
      const [nodes, stats] = await Promise.all([client.nodes(), client.stats()]);
      const at = now();
      const broker = brokerStatus(stats);
      this.sampleRates(at, broker);
      const ready = nodes.filter((node) => node.state === 'ready').map((node) => node.id);
      const ring = this.ringOf(broker.partitioner, ready);
      return {
        at,
        intervalMs,
        broker,
        nodes: nodes.map((node) => ({ ...node, share: ring.shares[node.id] ?? 0 })),
        ring: ring.arcs,
        rates: this.rates,
      };
    } catch (error) {
      const code = error instanceof BrainerError ? error.code : 'ERR_INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.debug('status poll failed', { code, message });
      const last = this.last;
      return { ...(last ?? { nodes: [], ring: [], rates: this.rates }), at: now(), intervalMs, error: { code, message } };
    }
  }

  private sampleRates(at: number, broker: BrokerStatus): void {
    const previous = this.previous;
    this.previous = { at, broker };
    if (previous === undefined) return;
    const seconds = (at - previous.at) / 1000;
    const comparable = seconds > 0 && previous.broker.epoch === broker.epoch;
    push(this.rates.writes, comparable ? Math.max(0, broker.seq - previous.broker.seq) / seconds : null);
    push(this.rates.reads, comparable ? Math.max(0, broker.readsRouted - previous.broker.readsRouted) / seconds : null);
  }

  /** The ring is redrawn only when the ready nodes or the partitioner change. */
  private ringOf(partitioner: string, ready: string[]): RingView {
    const key = `${partitioner}\n${[...ready].sort().join('\n')}`;
    if (this.ring?.key !== key) this.ring = { key, view: ringView(partitioner, ready) };
    return this.ring.view;
  }
}

function push(samples: (number | null)[], value: number | null): void {
  samples.push(value === null ? null : Math.round(value * 10) / 10);
  if (samples.length > RATE_SAMPLES) samples.shift();
}
