import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decode, encode, type Op } from '@brainer/protocol';
import { startBroker, startCluster } from '@brainer/test-utils';
import { RawPeer } from '../src/index.js';

const MIB = 1024 * 1024;
/** A process's resident memory in MiB, from /proc (Linux). */
const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) >> 10;
const digest = (value: Buffer | null): string => (value === null ? 'nil' : createHash('sha1').update(value).digest('hex'));

// Skipped until the broker processes big frames without stalling: it still stalls 0.6-4 s on them
// (issue 14, row 3), and in 4 of 5 runs a node was dropped and the epoch moved on.
test.serial.skip('twelve 16 MiB sets in one tick, three times, are all acknowledged and drop no node', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 60_000 });
  const before = await client.stats();
  const rssBefore = rssMiB(cluster.broker.pid);
  const expected = new Map<string, string>();
  for (let round = 0; round < 3; round++) {
    const writes = Array.from({ length: 12 }, (_, i) => {
      const value = Buffer.alloc(16 * MIB, (round * 12 + i) % 251);
      expected.set(`big-${i}`, digest(value));
      return client.set(`big-${i}`, value);
    });
    const start = performance.now();
    await Promise.all(writes);
    t.log(`round ${round}: ${Math.round(performance.now() - start)} ms`);
  }
  t.log(`broker RSS ${rssBefore} MiB before, ${rssMiB(cluster.broker.pid)} MiB after`);
  // Not asserted yet: the broker still stalls on these frames, and only its stall grace keeps the nodes.
  t.log(`broker stalls logged: ${cluster.broker.stderr.match(/broker stalled/g)?.length ?? 0}`);
  const after = await client.stats();
  t.is(after.epoch, before.epoch, 'the epoch is unchanged');
  t.is(after.seq, (before.seq as number) + 36);
  t.notRegex(cluster.broker.stderr, /node lost/, 'no node was dropped');
  for (const [key, sum] of expected) t.is(digest(await client.getBuffer(key)), sum, key);
  t.true((await client.verify()).ok);
});

test.serial('a request frame over --max-frame-bytes gets exactly one ERR_FRAME_TOO_LARGE answer, and the broker serves on', async (t) => {
  const broker = await startBroker({ args: ['--max-frame-bytes', String(MIB)] });
  t.teardown(() => broker.stop());
  const peer = new RawPeer(broker.endpoint);
  t.teardown(() => peer.close());
  const ops: Op[] = [1, 2].map((id) => ({ op: 'set', id, key: `k${id}`, value: Buffer.alloc(MIB), ttlMs: 0, wait: 'all' }));
  await peer.send(encode({ type: 'request', ops }));
  t.like(decode((await peer.receive())[0]!), {
    type: 'reply',
    replies: [
      { id: 1, ok: false, code: 'ERR_FRAME_TOO_LARGE' },
      { id: 2, ok: false, code: 'ERR_FRAME_TOO_LARGE' },
    ],
  });
  // The next answer is the ping's: nothing else was sent for the big frame.
  await peer.send(encode({ type: 'request', ops: [{ op: 'ping', id: 3 }] }));
  t.like(decode((await peer.receive())[0]!), { type: 'reply', replies: [{ id: 3, ok: true }] });
  t.regex(broker.stderr, /refused a frame over the size limit/);
});
