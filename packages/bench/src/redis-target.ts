import { Redis } from 'ioredis';
import type { Target } from './target.js';

/** Drives a Redis master with ioredis: `connections` plain connections plus as many auto-pipelined ones. */
export async function redisTarget(port: number, connections: number, replicas: number): Promise<Target> {
  const open = async (autoPipelining: boolean): Promise<Redis> => {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, enableAutoPipelining: autoPipelining });
    await redis.connect();
    return redis;
  };
  const plain = await Promise.all(Array.from({ length: connections }, () => open(false)));
  const pipelined = await Promise.all(Array.from({ length: connections }, () => open(true)));
  const conn = (i: number): Redis => plain[i]!;
  // SET then WAIT, sent back to back on the connection (one round trip, as a pipelining client would).
  const setAndWait = async (redis: Redis, key: string, value: Buffer): Promise<void> => {
    const [, acked] = await Promise.all([redis.set(key, value), redis.wait(replicas, 1000)]);
    if (acked < replicas) throw new Error(`WAIT ${replicas} got ${acked} replicas`);
  };
  // The callers sharing one client share one auto-pipelined connection.
  const shared = pipelined[0]!;
  return {
    name: 'redis',
    connections,
    replicatedSet: (i, key, value) => setAndWait(conn(i), key, value),
    set: (i, key, value) => conn(i).set(key, value),
    get: (i, key) => conn(i).getBuffer(key),
    pipelinedGet: (i, key) => pipelined[i]!.getBuffer(key),
    sharedReplicatedSet: (key, value) => setAndWait(shared, key, value),
    sharedGet: (key) => shared.getBuffer(key),
    sharedGetAnyNode: (key) => shared.getBuffer(key),
    async preload(keyName, count, value) {
      const batch = 1000;
      for (let start = 0; start < count; start += batch) {
        const pipeline = conn(0).pipeline();
        for (let i = start; i < Math.min(count, start + batch); i++) pipeline.set(keyName(i), value);
        await pipeline.exec();
      }
      await conn(0).wait(replicas, 30_000);
    },
    async close() {
      await Promise.all([...plain, ...pipelined].map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}

/** `used_memory` of a Redis server, in bytes. */
export async function redisUsedMemory(port: number): Promise<number> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
  await redis.connect();
  try {
    return Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? NaN);
  } finally {
    redis.disconnect();
  }
}
