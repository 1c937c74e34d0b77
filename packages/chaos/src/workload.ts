import { setTimeout as delay } from 'node:timers/promises';
import { Brainer } from '@brainer/client';
import { ConsistentHashRing } from '@brainer/protocol';
import type { History } from './history.js';
import type { Prng } from './prng.js';

export interface WorkloadOptions {
  /** The broker endpoint every client connects to. */
  endpoint: string;
  /** The keys writers and readers pick from, uniformly. */
  keys: readonly string[];
  /** Writer processes, each with its own client and one call in flight. */
  writers: number;
  /** Reader processes, each with its own client and one call in flight. */
  readers: number;
  /**
   * Direct reader processes: each learns the ready nodes from the broker's `nodes` (every 250 ms,
   * keeping its last view while the broker is away) and reads straight from a node's own endpoint,
   * which answers only while it is ready and holds a read lease. Default 0.
   */
  directReaders?: number;
  /**
   * Which node a direct reader asks: the key's primary on the ring of the ready nodes, as a client
   * should (PROTOCOL.md 5.10), or any ready node. Default `primary`.
   */
  directMode?: 'primary' | 'any';
  /** Per-call timeout of the direct readers, in ms. Default 1000. */
  directTimeoutMs?: number;
  /** Fraction of writes that are deletes. Default 0.2. */
  deleteRatio?: number;
  /**
   * Fraction of writes that set a key of their own (`ttl:<writer>:<n>`, written once) with a TTL
   * drawn from `ttlMs`, so that expiry is exercised and checked. Default 0.1.
   */
  ttlRatio?: number;
  /** The range of those TTLs, in ms. Default [5000, 20000]. */
  ttlMs?: readonly [number, number];
  /** Fraction of reads that pick one of the last TTL keys written instead of a shared key. Default 0.25. */
  ttlReadRatio?: number;
  /** Per-call timeout of every client, in ms. Default 5000. */
  timeoutMs?: number;
  /** Pause after a failed call before the next, in ms, so that an outage does not spin. Default 50. */
  failureBackoffMs?: number;
  /** Pause after every call, in ms, to leave CPU to the cluster. Default 0. */
  thinkMs?: number;
  /**
   * Interval of the probe, in ms: one write every interval, without waiting for the previous one,
   * so the history shows when the cluster serves writes again after a fault. 0 turns it off.
   * Default 50.
   */
  probeIntervalMs?: number;
  /** Keys the probe cycles through. Default `probe:0` … `probe:4`. */
  probeKeys?: readonly string[];
}

/** How many of the last TTL keys written the readers pick from. */
const RECENT_TTL_KEYS = 500;

/** Writers, readers and a probe, each its own client, logging every call to one history. */
export class Workload {
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly clients: Brainer[] = [];
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly probeCalls = new Set<Promise<unknown>>();
  /** The last TTL keys written, which readers pick from. */
  private readonly ttlKeys: string[] = [];

  constructor(
    private readonly options: WorkloadOptions,
    private readonly history: History,
    private readonly prng: Prng,
  ) {}

  /** Connects every client and starts the loops. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { writers, readers } = this.options;
    const names = [...Array.from({ length: writers }, (_, i) => `w${i + 1}`), ...Array.from({ length: readers }, (_, i) => `r${i + 1}`)];
    const clients = await Promise.all(names.map(() => this.client()));
    names.forEach((name, i) => {
      const random = this.prng.fork(name);
      this.loops.push(name.startsWith('w') ? this.writer(name, clients[i]!, random) : this.reader(name, clients[i]!, random));
    });
    for (let i = 1; i <= (this.options.directReaders ?? 0); i++) {
      const name = `d${i}`;
      this.loops.push(this.directReader(name, this.prng.fork(name)));
    }
    const probeIntervalMs = this.options.probeIntervalMs ?? 50;
    if (probeIntervalMs > 0) this.startProbe(await this.client(), probeIntervalMs);
  }

  /** Stops the loops, waits for the calls in flight to settle, and closes every client. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.probeTimer);
    await Promise.all(this.loops);
    await Promise.all(this.probeCalls);
    await Promise.all(this.clients.map((client) => client.close()));
  }

  private async client(): Promise<Brainer> {
    const client = new Brainer(this.options.endpoint, { timeoutMs: this.options.timeoutMs ?? 5000 });
    this.clients.push(client);
    await client.connect();
    return client;
  }

  private async writer(name: string, client: Brainer, random: Prng): Promise<void> {
    const deleteRatio = this.options.deleteRatio ?? 0.2;
    const ttlRatio = this.options.ttlRatio ?? 0.1;
    const [ttlMin, ttlMax] = this.options.ttlMs ?? [5000, 20_000];
    let n = 0;
    while (this.running) {
      const value = `${name}:${++n}`;
      let entry;
      if (random.chance(ttlRatio)) {
        const key = `ttl:${value}`;
        const ttlMs = random.int(ttlMin, ttlMax);
        this.ttlKeys.push(key);
        if (this.ttlKeys.length > RECENT_TTL_KEYS) this.ttlKeys.shift();
        entry = await this.history.set(name, () => client.set(key, value, { ttlMs }), key, value, ttlMs);
      } else {
        const key = random.pick(this.options.keys);
        entry = random.chance(deleteRatio)
          ? await this.history.del(name, () => client.del(key), key)
          : await this.history.set(name, () => client.set(key, value), key, value);
      }
      await this.pace(entry.outcome === 'ok');
    }
  }

  /** A key to read: one of the last TTL keys written now and then, else a shared key. */
  private readKey(random: Prng): string {
    const useTtl = this.ttlKeys.length > 0 && random.chance(this.options.ttlReadRatio ?? 0.25);
    return useTtl ? random.pick(this.ttlKeys) : random.pick(this.options.keys);
  }

  private async reader(name: string, client: Brainer, random: Prng): Promise<void> {
    while (this.running) {
      const key = this.readKey(random);
      const entry = await this.history.get(name, () => client.get(key), key);
      await this.pace(entry.outcome === 'ok');
    }
  }

  /** Reads straight from nodes, one client per node endpoint. */
  private async directReader(name: string, random: Prng): Promise<void> {
    const broker = await this.client();
    const clients = new Map<string, Brainer>();
    let ring = new ConsistentHashRing([]);
    let endpoints = new Map<string, string>();
    let refreshedAt = -Infinity;
    try {
      while (this.running) {
        if (performance.now() - refreshedAt > 250) {
          refreshedAt = performance.now();
          try {
            const ready = (await broker.nodes()).filter((node) => node.state === 'ready');
            ring = new ConsistentHashRing(ready.map((node) => node.id));
            endpoints = new Map(ready.map((node) => [node.id, node.endpoint]));
          } catch {
            // The broker is away: keep the last view, as a client would.
          }
        }
        const key = this.readKey(random);
        const ids = [...endpoints.keys()];
        const nodeId =
          (this.options.directMode ?? 'primary') === 'primary' ? ring.primary(key) : ids.length > 0 ? random.pick(ids) : undefined;
        const endpoint = nodeId === undefined ? undefined : endpoints.get(nodeId);
        if (endpoint === undefined) {
          await this.pace(false);
          continue;
        }
        let client = clients.get(endpoint);
        if (!client) {
          client = new Brainer(endpoint, { timeoutMs: this.options.directTimeoutMs ?? 1000 });
          clients.set(endpoint, client);
        }
        const direct = client;
        const entry = await this.history.get(name, () => direct.get(key), key);
        await this.pace(entry.outcome === 'ok');
      }
    } finally {
      await Promise.all([...clients.values()].map((client) => client.close()));
    }
  }

  private startProbe(client: Brainer, intervalMs: number): void {
    const keys = this.options.probeKeys ?? Array.from({ length: 5 }, (_, i) => `probe:${i}`);
    let n = 0;
    this.probeTimer = setInterval(() => {
      n++;
      const key = keys[n % keys.length]!;
      const value = `probe:${n}`;
      const call = this.history.set('probe', () => client.set(key, value), key, value);
      this.probeCalls.add(call);
      void call.finally(() => this.probeCalls.delete(call));
    }, intervalMs);
  }

  private async pace(ok: boolean): Promise<void> {
    const ms = ok ? (this.options.thinkMs ?? 0) : (this.options.failureBackoffMs ?? 50);
    if (ms > 0) await delay(ms);
  }
}
