import test from 'ava';
import { Brainer } from '@brainer/client';
import { fakeClockEnv, fakeClockMissing, startBroker, startCluster } from '@brainer/test-utils';
import { allReady, eventually, writable } from '../src/index.js';

// Nodes on skewed clocks need Debian's faketime; without it this test skips and says why.
const missing = fakeClockMissing();
const skewTest = missing === undefined ? test : test.skip;
const because = missing === undefined ? '' : ` [skipped: ${missing}]`;

const KEYS = 400;
/** A read that ends this long before a key's TTL runs out must still find it. */
const LIVE_MARGIN_MS = 500;
/** A read that starts this long after a key's TTL ran out must not find it (the broker's delete has had time to arrive). */
const GONE_MARGIN_MS = 2000;

interface TtlKey {
  key: string;
  ttlMs: number;
  /** When the set was sent, and when it was acknowledged, on this process's clock. */
  sentAt: number;
  ackedAt: number;
}

/** Whether the key must be live, must be gone, or may be either, for a read that ran from `start` to `end`. */
function expected(entry: TtlKey, start: number, end: number): 'live' | 'gone' | 'either' {
  if (end < entry.sentAt + entry.ttlMs - LIVE_MARGIN_MS) return 'live';
  if (start > entry.ackedAt + entry.ttlMs + GONE_MARGIN_MS) return 'gone';
  return 'either';
}

skewTest(
  `nodes 30 s ahead and 30 s behind the broker neither hide live TTL keys nor serve them well past their TTL${because}`,
  async (t) => {
    t.timeout(120_000);
    // The node 30 s behind is there from the start; the one 30 s ahead joins after half the keys are
    // written, so it gets those from a snapshot and the rest from the live stream.
    const cluster = await startCluster({ nodes: 1 });
    t.teardown(() => cluster.stop());
    const client = await cluster.client({ timeoutMs: 10_000 });
    const behind = await cluster.addNode({ env: fakeClockEnv('-30s') });
    await eventually(() => allReady(client, 2), 20_000);

    const keys: TtlKey[] = [];
    const write = async (from: number, to: number): Promise<void> => {
      const batch = Array.from({ length: to - from }, (_, j) => {
        const i = from + j;
        return { key: `ttl:${i}`, ttlMs: 5000 + Math.floor((i * 15_000) / KEYS), sentAt: 0, ackedAt: 0 };
      });
      await Promise.all(
        batch.map(async (entry) => {
          entry.sentAt = performance.now();
          await client.set(entry.key, 'v', { ttlMs: entry.ttlMs });
          entry.ackedAt = performance.now();
          keys.push(entry);
        }),
      );
    };
    await write(0, KEYS / 2);
    const ahead = await cluster.addNode({ env: fakeClockEnv('+30s') });
    await eventually(() => allReady(client, 3), 20_000);
    await write(KEYS / 2, KEYS);
    t.log(`ahead ${ahead.id}, behind ${behind.id}`);

    const direct = cluster.nodes.map((node) => ({
      name: node === ahead ? `${node.id} (+30 s)` : node === behind ? `${node.id} (-30 s)` : node.id,
      reader: new Brainer(node.endpoint, { reads: 'broker', retry: false, timeoutMs: 2000 }),
    }));
    t.teardown(() => Promise.all(direct.map(({ reader }) => reader.close())));
    const readers = [...direct, { name: 'client', reader: client }];

    const hidden: string[] = [];
    const stale: string[] = [];
    const badCounts: string[] = [];
    const served = new Map<string, number>(readers.map(({ name }) => [name, 0]));
    const lastExpiry = Math.max(...keys.map((entry) => entry.ackedAt + entry.ttlMs)) + GONE_MARGIN_MS + 500;
    let rounds = 0;
    while (performance.now() < lastExpiry) {
      rounds++;
      // Paced, to leave the shared cores to the cluster: about ten rounds a second is plenty.
      const paced = new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(
        readers.map(async ({ name, reader }) => {
          await Promise.all(
            keys.map(async (entry) => {
              const start = performance.now();
              const value = await reader.get(entry.key).catch(() => undefined);
              const want = expected(entry, start, performance.now());
              if (value === undefined) return;
              served.set(name, served.get(name)! + 1);
              if (value === null && want === 'live')
                hidden.push(`${name} hid ${entry.key} ${Math.round(entry.sentAt + entry.ttlMs - start)} ms before its TTL`);
              if (value !== null && want === 'gone')
                stale.push(`${name} served ${entry.key} ${Math.round(start - entry.ackedAt - entry.ttlMs)} ms past its TTL`);
            }),
          );
          const start = performance.now();
          const listed = await reader.keys('ttl:*').catch(() => undefined);
          if (listed === undefined) return;
          const outcomes = keys.map((entry) => expected(entry, start, performance.now()));
          const atLeast = outcomes.filter((outcome) => outcome === 'live').length;
          const atMost = outcomes.filter((outcome) => outcome !== 'gone').length;
          if (listed.length < atLeast || listed.length > atMost)
            badCounts.push(`${name} listed ${listed.length}, expected ${atLeast} to ${atMost}`);
        }),
      );
      await paced;
    }

    t.log(`${rounds} rounds; reads answered: ${[...served].map(([name, count]) => `${name} ${count}`).join(', ')}`);
    t.deepEqual(hidden.slice(0, 10), [], `${hidden.length} reads hid a live key`);
    t.deepEqual(stale.slice(0, 10), [], `${stale.length} reads served a key well past its TTL`);
    t.deepEqual(badCounts.slice(0, 10), [], `${badCounts.length} key listings were off`);
    for (const [name, count] of served) t.true(count > KEYS, `${name} answered reads (${count})`);
    t.deepEqual(await client.keys('ttl:*'), [], 'every key expired');
  },
);

skewTest(
  `a broker restarted on a clock 30 s ahead learns the TTLs from nodes 30 s behind and deletes each key on time${because}`,
  async (t) => {
    const cluster = await startCluster({ nodes: 0 });
    t.teardown(() => cluster.stop());
    for (let i = 0; i < 2; i++) await cluster.addNode({ env: fakeClockEnv('-30s') });
    const client = await cluster.client({ timeoutMs: 10_000 });
    await eventually(() => allReady(client, 2), 20_000);
    const ttlMs = 10_000;
    const sentAt = performance.now();
    await client.set('short', 'lived', { ttlMs });
    const ackedAt = performance.now();
    await client.set('forever', 'lived');

    cluster.broker.kill('SIGKILL');
    await cluster.broker.exited;
    // As a standby on another host would be: 30 s ahead of the broker that stamped the TTL, 60 s ahead of the nodes.
    const broker = await startBroker({ endpoint: cluster.endpoint, env: fakeClockEnv('+30s') });
    t.teardown(() => broker.stop());
    await eventually(() => allReady(client, 2), 15_000, 100);
    // The new broker has its TTLs from a node by the time it takes writes.
    await eventually(() => writable(client), 15_000, 100);
    const checkedAt = performance.now();
    t.true(
      checkedAt < sentAt + ttlMs - LIVE_MARGIN_MS,
      `the restart took too long to check anything (${Math.round(checkedAt - sentAt)} ms)`,
    );
    t.is(await client.get('short'), 'lived', 'not deleted 30 s early');
    t.true(
      (await client.nodes()).every((node) => node.keys === 3),
      'still stored on every node',
    );

    await eventually(
      async () => (await client.nodes()).every((node) => node.keys === 2),
      ackedAt + ttlMs + GONE_MARGIN_MS - performance.now() + 5000,
      100,
    );
    const deletedBy = performance.now();
    t.true(deletedBy > sentAt + ttlMs - LIVE_MARGIN_MS, `deleted ${Math.round(sentAt + ttlMs - deletedBy)} ms early`);
    t.is(await client.get('short'), null);
    t.is(await client.get('forever'), 'lived');
    t.true((await client.verify()).ok);
  },
);
