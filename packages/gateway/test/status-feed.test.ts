import test from 'ava';
import { BrainerError, silentLogger } from '@brainer/protocol';
import type { NodeInfo } from '@brainer/client';
import { RATE_SAMPLES, StatusFeed } from '../src/status-feed.js';
import type { StatusSnapshot } from '../src/status-snapshot.js';
import { until } from './until.js';

/** A stand-in broker: the feed is under test, and this lets a test set what the broker answers. */
class ScriptedBroker {
  calls = 0;
  seq = 0;
  epoch = 1;
  readsRouted = 0;
  failWith: BrainerError | undefined;
  listed: NodeInfo[] = [
    {
      id: 'n1',
      endpoint: 'tcp://127.0.0.1:1',
      state: 'ready',
      keys: 3,
      seq: 0,
      digest: 'a'.repeat(16),
      sync: 'none',
      lag: 0,
      leaseMs: 900,
    },
    {
      id: 'n2',
      endpoint: 'tcp://127.0.0.1:2',
      state: 'joining',
      sync: 'full',
      keys: 1,
      seq: 0,
      digest: 'b'.repeat(16),
      progress: { received: 1, total: 4, percent: 25 },
    },
  ];

  async nodes(): Promise<NodeInfo[]> {
    this.calls++;
    if (this.failWith) throw this.failWith;
    return this.listed;
  }

  async stats(): Promise<Record<string, unknown>> {
    if (this.failWith) throw this.failWith;
    return { epoch: this.epoch, seq: this.seq, readsRouted: this.readsRouted, partitioner: 'consistent', takingWrites: true };
  }
}

function watchInto(feed: StatusFeed): { snapshots: StatusSnapshot[]; ended: () => boolean; stop: () => void } {
  const snapshots: StatusSnapshot[] = [];
  let ended = false;
  const stop = feed.watch({ send: (snapshot) => snapshots.push(structuredClone(snapshot)), end: () => (ended = true) });
  return { snapshots, ended: () => ended, stop };
}

test('a watcher gets snapshots: nodes with their ring share, the ring, the broker, and rates from the second poll on', async (t) => {
  const broker = new ScriptedBroker();
  // Each poll is half a second after the one before.
  let clock = 1_000_000;
  const feed = new StatusFeed({ client: broker, intervalMs: 10, logger: silentLogger, now: () => (clock += 500) });
  t.teardown(() => feed.close());
  const watcher = watchInto(feed);
  await until(() => watcher.snapshots.length >= 1, 5000);
  const first = watcher.snapshots[0]!;
  t.like(first, { at: 1_000_500, intervalMs: 10, broker: { epoch: 1, seq: 0, partitioner: 'consistent', takingWrites: true } });
  t.deepEqual(first.rates, { writes: [], reads: [] });
  t.deepEqual(
    first.nodes.map((n) => [n.id, n.state, n.share]),
    [
      ['n1', 'ready', 1],
      ['n2', 'joining', 0],
    ],
  );
  t.deepEqual(first.ring, [{ node: 'n1', start: 0, end: 1 }], 'only ready nodes are on the ring');

  // 50 writes and 20 routed reads within one half-second: 100 and 40 a second, then 0.
  broker.seq = 50;
  broker.readsRouted = 20;
  const last = await until(() => watcher.snapshots.find((s) => s.rates.writes.includes(100)), 5000);
  t.is(last.rates.reads.at(-1), 40);
  t.true(last.rates.writes.slice(0, -1).every((rate) => rate === 0));

  // A new epoch breaks the lines rather than drawing a negative rate.
  broker.epoch = 2;
  broker.seq = 3;
  await until(() => watcher.snapshots.at(-1)!.rates.writes.includes(null), 5000);
  t.false(watcher.snapshots.some((s) => s.rates.writes.some((rate) => rate !== null && rate < 0)));
});

test('the broker is asked only while someone watches, once a poll however many watch, and rates keep a minute', async (t) => {
  const broker = new ScriptedBroker();
  const feed = new StatusFeed({ client: broker, intervalMs: 5, logger: silentLogger, now: () => Date.now() });
  t.teardown(() => feed.close());
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.is(broker.calls, 0, 'nobody watches: no poll');
  const a = watchInto(feed);
  const b = watchInto(feed);
  await until(() => b.snapshots.length >= RATE_SAMPLES + 5, 20_000);
  t.true(Math.abs(broker.calls - b.snapshots.length) <= 1, `${broker.calls} polls for ${b.snapshots.length} snapshots each`);
  t.is(b.snapshots.at(-1)!.rates.writes.length, RATE_SAMPLES);
  a.stop();
  b.stop();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const calls = broker.calls;
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.is(broker.calls, calls, 'polling stopped with the last watcher');
  // A late watcher starts it again and gets a fresh snapshot.
  const c = watchInto(feed);
  await until(() => c.snapshots.length >= 1, 5000);
  t.true(broker.calls > calls);
});

test('a broker that does not answer gives the error with the last good figures; close ends every watcher', async (t) => {
  const broker = new ScriptedBroker();
  const feed = new StatusFeed({ client: broker, intervalMs: 5, logger: silentLogger, now: () => Date.now() });
  const watcher = watchInto(feed);
  await until(() => watcher.snapshots.length >= 1, 5000);
  broker.failWith = new BrainerError('ERR_TIMEOUT', 'no answer in time');
  await until(() => watcher.snapshots.at(-1)!.error !== undefined, 5000);
  const failed = watcher.snapshots.at(-1)!;
  t.deepEqual(failed.error, { code: 'ERR_TIMEOUT', message: 'no answer in time' });
  t.deepEqual(
    failed.nodes.map((n) => n.id),
    ['n1', 'n2'],
  );
  feed.close();
  t.true(watcher.ended());
  let lateEnded = false;
  feed.watch({ send: () => t.fail('a closed feed sends nothing'), end: () => (lateEnded = true) });
  t.true(lateEnded);
});
