import type { WaitMode } from '@brainer/protocol';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import type { PendingWrite } from './ack-tracker.js';
import type { BrokerEvent } from './events.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { NodeRecord } from './node-record.js';

/** What the metrics read from the broker, at scrape time only. */
export interface BrokerMetricsSource {
  stats(): BrokerStats;
  nodes(): Iterable<NodeRecord>;
  events$: Observable<BrokerEvent>;
  now(): number;
}

/** The figures of the broker's stats that the metrics read (`BrokerCore.metricsStats()`). */
export interface BrokerStats {
  epoch: number;
  seq: number;
  readsRouted: number;
  expiredKeys: number;
  dedupHits: number;
  connections: number;
  nodes: number;
}

/** Write-to-ack latency buckets, in seconds: from a loopback round trip (~100 µs) to a write held by a lease fence. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Outcome = 'ok' | 'error';

const WAIT_MODES: readonly WaitMode[] = ['all', 'primary'];

/**
 * The broker's Prometheus families (`brainer_broker_*`), all read when scraped. The per-write work
 * is adding 1 to a number and counting a histogram bucket, in series made here once, so a write
 * allocates nothing and looks up no label. (prom-client's labelled children hash their labels on
 * every call, so the two write families keep plain numbers that the scrape reads.)
 */
export class BrokerMetrics {
  private readonly writes: Record<WaitMode, Record<Outcome, number>> = { all: { ok: 0, error: 0 }, primary: { ok: 0, error: 0 } };
  private readonly latency: LatencyHistogram<WaitMode>;
  private readonly joins: Record<'started' | 'finished' | 'aborted', Counter.Internal>;
  private readonly evicted: Counter;
  /** Nodes with a join or resync under way, so that a `node:ready` is counted as a finished join only for them. */
  private readonly joining = new Set<string>();

  constructor(
    registry: Registry,
    private readonly source: BrokerMetricsSource,
  ) {
    const registers = [registry];
    const writes = this.writes;
    new Counter({
      name: 'brainer_broker_writes_total',
      help: 'Client writes (set, del) answered, by wait mode and outcome; a retry answered from the dedup table is not counted again.',
      labelNames: ['mode', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const mode of WAIT_MODES) {
          for (const outcome of ['ok', 'error'] as const) this.labels(mode, outcome).inc(writes[mode][outcome]);
        }
      },
    });
    this.latency = new LatencyHistogram(
      registry,
      'brainer_broker_write_ack_seconds',
      'Time from a client write being sequenced to its acknowledgement, in seconds, by wait mode.',
      'mode',
      WAIT_MODES,
      LATENCY_BUCKETS,
    );
    const joins = new Counter({
      name: 'brainer_broker_joins_total',
      help: 'Node joins (snapshot joins and partial resyncs) started, finished (node ready), and aborted (restarted or node lost).',
      labelNames: ['outcome'],
      registers,
    });
    this.joins = { started: joins.labels('started'), finished: joins.labels('finished'), aborted: joins.labels('aborted') };
    this.evicted = new Counter({ name: 'brainer_broker_evicted_keys_total', help: 'Keys evicted under --maxmemory.', registers });
    // Every child is shown from the first scrape, at 0 until it moves.
    for (const child of Object.values(this.joins)) child.inc(0);
    this.registerScrapeFamilies(registers);
    source.events$.subscribe((event) => this.onEvent(event));
  }

  /** A client write's outcome. Called once per answered write. */
  writeDone(write: PendingWrite, outcome: Outcome): void {
    if (write.target === undefined) return;
    this.writes[write.mode][outcome]++;
    if (outcome === 'ok') this.latency.series[write.mode].observe((this.source.now() - write.sequencedAt) / 1000);
  }

  private onEvent(event: BrokerEvent): void {
    switch (event.type) {
      case 'node:joining':
      case 'node:resyncing':
        // A join restarted for the same node was counted as aborted already.
        this.joining.add(event.nodeId);
        this.joins.started.inc();
        return;
      case 'node:ready':
        if (this.joining.delete(event.nodeId)) this.joins.finished.inc();
        return;
      case 'join:failed':
        this.joins.aborted.inc();
        return;
      case 'node:lost':
        if (this.joining.delete(event.nodeId)) this.joins.aborted.inc();
        return;
      case 'memory:evicted':
        this.evicted.inc(event.keys);
        return;
      case 'epoch:started':
        return;
    }
  }

  private registerScrapeFamilies(registers: Registry[]): void {
    const { source } = this;
    const scalar = (name: string, help: string, read: (stats: BrokerStats) => number, type: 'gauge' | 'counter'): void => {
      // A counter the broker keeps already is read as it stands: reset, then set to it.
      const collect = function (this: { reset(): void; inc(value: number): void }): void {
        this.reset();
        this.inc(read(source.stats()));
      };
      if (type === 'gauge') new Gauge({ name, help, registers, collect });
      else new Counter({ name, help, registers, collect });
    };
    scalar('brainer_broker_seq', 'The last seq stamped in the current epoch.', (s) => s.seq, 'gauge');
    scalar('brainer_broker_epoch', 'The current epoch.', (s) => s.epoch, 'gauge');
    scalar(
      'brainer_broker_reads_routed_total',
      'Reads (get, bucket, keys) routed through the broker to a node.',
      (s) => s.readsRouted,
      'counter',
    );
    scalar('brainer_broker_expired_keys_total', 'Keys whose TTL ran out, deleted by the broker.', (s) => s.expiredKeys, 'counter');
    scalar(
      'brainer_broker_dedup_hits_total',
      'Client write retries answered from the dedup table instead of applied again.',
      (s) => s.dedupHits,
      'counter',
    );
    scalar(
      'brainer_broker_connections',
      "Open ZeroMQ connections to the broker's endpoint, of clients and nodes.",
      (s) => s.connections,
      'gauge',
    );
    scalar(
      'brainer_broker_client_connections',
      'Open connections that are not registered nodes: clients, gateways, and peers not yet registered.',
      (s) => Math.max(0, s.connections - s.nodes),
      'gauge',
    );
    new Gauge({
      name: 'brainer_broker_nodes',
      help: 'Registered nodes by state: ready, joining (a join or resync under way), waiting (for a node whose data is whole).',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = { ready: 0, joining: 0, waiting: 0 };
        for (const node of source.nodes()) counts[node.state === 'ready' ? 'ready' : node.waiting ? 'waiting' : 'joining']++;
        for (const [state, count] of Object.entries(counts)) this.labels(state).set(count);
      },
    });
    new Gauge({
      name: 'brainer_broker_node_lag_seqs',
      help: "How many seqs each registered node is behind the broker's last seq, by the node's last acknowledgement.",
      labelNames: ['node'],
      registers,
      collect() {
        this.reset();
        const seq = source.stats().seq;
        for (const node of source.nodes()) this.labels(node.id).set(Math.max(0, seq - node.acked));
      },
    });
  }
}
