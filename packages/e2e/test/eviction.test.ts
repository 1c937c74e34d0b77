import test, { type ExecutionContext } from 'ava';
import { type Brainer, type SetOptions } from '@brainer/client';
import { decode, encode, entryBytes, jsonOf, parseEvictSample, type Message } from '@brainer/protocol';
import { runCli, startCluster, waitFor, type TestCluster } from '@brainer/test-utils';
import { NodeMemoryWatch, RawPeer } from '../src/index.js';

/**
 * The limit of every test: about 1,650 entries of a 100-byte value. No tolerance is allowed over
 * it: the broker admits a write only if its estimate, which never falls short of the nodes' own
 * figures, stays within the limit.
 */
const LIMIT = 256 * 1024;
const VALUE = 'v'.repeat(100);
/** Entries of about twice the limit. */
const TWICE_THE_LIMIT = Math.ceil((2 * LIMIT) / entryBytes(10, VALUE.length));

async function evictingCluster(t: ExecutionContext, policy: string): Promise<{ cluster: TestCluster; watch: NodeMemoryWatch }> {
  const cluster = await startCluster({ nodes: 3, brokerArgs: ['--maxmemory', String(LIMIT), '--maxmemory-policy', policy] });
  t.teardown(() => cluster.stop());
  const watch = new NodeMemoryWatch(cluster.nodes.map((node) => node.endpoint));
  t.teardown(() => watch.close());
  return { cluster, watch };
}

/** Writes `count` keys `prefix0`, `prefix1`, ... in concurrent batches; answers the keys whose write failed, by error code. */
async function writeKeys(client: Brainer, prefix: string, count: number, options: SetOptions = {}): Promise<Map<string, string[]>> {
  const failed = new Map<string, string[]>();
  for (let start = 0; start < count; start += 50) {
    const keys = Array.from({ length: Math.min(50, count - start) }, (_, i) => `${prefix}${start + i}`);
    await Promise.all(
      keys.map((key) =>
        client.set(key, VALUE, options).catch((error: { code?: string }) => {
          const code = error.code ?? String(error);
          failed.set(code, [...(failed.get(code) ?? []), key]);
        }),
      ),
    );
  }
  return failed;
}

async function present(client: Brainer, keys: readonly string[]): Promise<string[]> {
  const values = await Promise.all(keys.map((key) => client.get(key)));
  return keys.filter((_, i) => values[i] !== null);
}

async function assertVerified(t: ExecutionContext, client: Brainer): Promise<void> {
  const result = await waitFor(async () => (await client.verify()).ok, { timeoutMs: 10_000, description: 'equal digests' });
  t.true(result);
}

async function brokerStats(client: Brainer): Promise<Record<string, number>> {
  return (await client.stats()) as Record<string, number>;
}

const keysOf = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

test.serial('allkeys-lru: twice the limit stays under it on every node, and a hot set read all along survives', async (t) => {
  const { cluster, watch } = await evictingCluster(t, 'allkeys-lru');
  const writer = await cluster.client({ timeoutMs: 20_000 });
  const reader = await cluster.client();
  const hot = keysOf('hot:', 30);
  t.deepEqual(await writeKeys(writer, 'hot:', hot.length), new Map());

  // The reader reads the hot set from the keys' primaries, over and over, while cold keys pour in.
  let reading = true;
  let misses = 0;
  let reads = 0;
  const readLoop = (async () => {
    while (reading) {
      misses += hot.length - (await present(reader, hot)).length;
      reads++;
    }
  })();
  watch.start();
  const failed = await writeKeys(writer, 'cold:', TWICE_THE_LIMIT);
  reading = false;
  await readLoop;
  await watch.stop();

  t.deepEqual(failed, new Map(), 'every write was taken; the client retried the deferred ones');
  t.true(reads > 10, `the hot set was read ${reads} times`);
  t.is(misses, 0, 'no hot key was missing at any read');
  t.deepEqual(await present(reader, hot), hot);
  t.true(watch.rounds > 5);
  t.true(watch.highest <= LIMIT, `highest used memory ${watch.highest} > ${LIMIT}`);
  const stats = await brokerStats(writer);
  t.true(stats.evictedKeys! > TWICE_THE_LIMIT / 3, `evicted ${stats.evictedKeys}`);
  t.true(stats.usedMemory! <= LIMIT);
  // The least recently used go first: more of the newest cold keys remain than of the oldest.
  const cold = keysOf('cold:', TWICE_THE_LIMIT);
  const oldest = (await present(reader, cold.slice(0, 500))).length;
  const newest = (await present(reader, cold.slice(-500))).length;
  t.true(newest > oldest, `newest ${newest} > oldest ${oldest}`);
  await assertVerified(t, writer);
});

test.serial('volatile-lru evicts only keys with a TTL, and answers ERR_OOM once none is left', async (t) => {
  const { cluster, watch } = await evictingCluster(t, 'volatile-lru');
  const client = await cluster.client({ timeoutMs: 20_000 });
  const persistent = keysOf('keep:', 500);
  t.deepEqual(await writeKeys(client, 'keep:', persistent.length), new Map());
  watch.start();
  t.deepEqual(await writeKeys(client, 'ttl:', TWICE_THE_LIMIT, { ttlMs: 600_000 }), new Map());
  t.deepEqual(await present(client, persistent), persistent, 'no key without a TTL was evicted');
  t.true((await brokerStats(client)).evictedKeys! > 0);

  // Keys without a TTL take the room of the TTL keys, until no TTL key is left to evict.
  const more = await writeKeys(client, 'more:', TWICE_THE_LIMIT);
  await watch.stop();
  const refused = more.get('ERR_OOM') ?? [];
  t.true(refused.length > 0, `some writes got ERR_OOM: ${JSON.stringify([...more.keys()])}`);
  t.deepEqual([...more.keys()], ['ERR_OOM']);
  t.deepEqual(await present(client, refused.slice(0, 100)), [], 'a refused write stored nothing');
  const taken = keysOf('more:', TWICE_THE_LIMIT).filter((key) => !refused.includes(key));
  t.deepEqual(await present(client, [...persistent, ...taken]), [...persistent, ...taken]);
  t.true(watch.highest <= LIMIT, `highest used memory ${watch.highest} > ${LIMIT}`);
  await assertVerified(t, client);
});

test.serial('allkeys-lfu keeps the keys read often, even though they are the least recently used', async (t) => {
  const { cluster, watch } = await evictingCluster(t, 'allkeys-lfu');
  const client = await cluster.client({ timeoutMs: 20_000 });
  const frequent = keysOf('frequent:', 30);
  t.deepEqual(await writeKeys(client, 'frequent:', frequent.length), new Map());
  for (let i = 0; i < 100; i++) t.is((await present(client, frequent)).length, frequent.length);
  // From here on the frequent keys are never touched: under LRU they would be the first to go.
  watch.start();
  t.deepEqual(await writeKeys(client, 'once:', TWICE_THE_LIMIT), new Map());
  await watch.stop();
  t.true((await brokerStats(client)).evictedKeys! > TWICE_THE_LIMIT / 3);
  t.deepEqual(await present(client, frequent), frequent);
  t.true(watch.highest <= LIMIT, `highest used memory ${watch.highest} > ${LIMIT}`);
  await assertVerified(t, client);
});

test.serial('noeviction answers ERR_OOM past the limit and stores nothing more; deletes still work and make room', async (t) => {
  const { cluster, watch } = await evictingCluster(t, 'noeviction');
  const client = await cluster.client();
  watch.start();
  const failed = await writeKeys(client, 'k', TWICE_THE_LIMIT);
  await watch.stop();
  t.deepEqual([...failed.keys()], ['ERR_OOM']);
  const refused = new Set(failed.get('ERR_OOM'));
  const all = keysOf('k', TWICE_THE_LIMIT);
  const taken = all.filter((key) => !refused.has(key));
  t.true(taken.length > TWICE_THE_LIMIT / 3 && refused.size > TWICE_THE_LIMIT / 3, `${taken.length} taken, ${refused.size} refused`);
  t.deepEqual(await present(client, all), taken, 'every write taken is there, and no refused one');
  t.true(watch.highest <= LIMIT, `highest used memory ${watch.highest} > ${LIMIT}`);
  t.true(watch.highest > LIMIT * 0.9, `the data filled the limit: ${watch.highest}`);

  const stats = JSON.parse((await runCli(['stats', '--json', '--broker', cluster.endpoint])).stdout) as Record<string, unknown>;
  t.like(stats, { maxmemory: LIMIT, maxmemoryPolicy: 'noeviction', evictedKeys: 0 });
  t.true((stats.oomRejections as number) >= refused.size);
  t.true((stats.usedMemory as number) <= LIMIT);
  t.deepEqual(Object.keys(stats.nodeMemory as object).sort(), ['node1', 'node2', 'node3']);

  for (const key of taken.slice(0, 100)) t.true(await client.del(key));
  // The broker learns of the room the deletes made from the nodes' next figures.
  await waitFor(() => client.set('after-delete', VALUE).then(() => true), { description: 'a write after deletes' });
  t.is(await client.get('after-delete'), VALUE);
  await assertVerified(t, client);
});

async function askEvictSample(endpoint: string, count: number): Promise<Message> {
  const peer = new RawPeer(endpoint);
  try {
    await peer.send(encode({ type: 'request', ops: [{ op: 'evict-sample', id: 1, count, volatile: false }] }));
    return decode((await peer.receive())[0]!);
  } finally {
    peer.close();
  }
}

test.serial('a node answers evict-sample over the wire; the broker refuses it from a client', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  for (const key of ['a', 'b', 'c']) await client.set(key, VALUE);
  const answer = (await askEvictSample(cluster.nodes[0]!.endpoint, 10)) as Extract<Message, { type: 'reply' }>;
  const parsed = parseEvictSample(answer.replies[0]!.ok ? jsonOf(answer.replies[0]!.value) : undefined);
  t.like(parsed, { seq: 3, usedMemory: 3 * entryBytes(1, VALUE.length), keys: 3 });
  t.deepEqual(parsed!.samples.map((s) => s.key).sort(), ['a', 'b', 'c']);
  t.true(parsed!.samples.every((s) => s.bytes === entryBytes(1, VALUE.length) && !s.volatile));
  t.like(await askEvictSample(cluster.endpoint, 10), { type: 'reply', replies: [{ id: 1, ok: false, code: 'ERR_WRONG_ROLE' }] });
});
