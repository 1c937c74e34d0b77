/**
 * bench:join — loads N keys into a two-node cluster, then joins a third node while writes go on,
 * and prints the time to ready, the snapshot throughput and the peak memory of joiner and source.
 *
 *   npm run bench:join -- [--keys 1000000] [--value-bytes 100] [--write-rate 5000]
 */
import { parseArgs } from 'node:util';
import { startCluster } from '@brainer/test-utils';
import { mib, processMemory } from './process-memory.js';
import { saveResults } from './results.js';

const { values: args } = parseArgs({
  options: {
    keys: { type: 'string', default: '1000000' },
    'value-bytes': { type: 'string', default: '100' },
    'write-rate': { type: 'string', default: '5000' },
  },
});
const keyCount = Number(args.keys);
const valueBytes = Number(args['value-bytes']);
const writeRate = Number(args['write-rate']);

const cluster = await startCluster({ nodes: 2, logLevel: 'info', readyTimeoutMs: 60_000 });
try {
  const client = await cluster.client({ timeoutMs: 60_000 });
  const value = Buffer.alloc(valueBytes, 'v');
  const keyName = (i: number): string => `key:${String(i).padStart(8, '0')}`;
  const datasetBytes = keyCount * (keyName(0).length + valueBytes);

  const loadStart = performance.now();
  const inFlight = 4000;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < keyCount) await client.set(keyName(next++), value, { wait: 'primary' });
    }),
  );
  const loadSeconds = (performance.now() - loadStart) / 1000;
  console.log(
    `loaded ${keyCount} keys of ${valueBytes} B (${mib(datasetBytes)}) in ${loadSeconds.toFixed(1)} s (${Math.round(keyCount / loadSeconds)} writes/s)`,
  );
  await client.verify(100, 100);

  // Live writes while the node joins: about `writeRate` a second, in 10 ms batches.
  let liveWrites = 0;
  let liveFailures = 0;
  const perTick = Math.max(1, Math.round(writeRate / 100));
  const writer = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      client.set(keyName(Math.floor(Math.random() * keyCount)), value).then(
        () => liveWrites++,
        () => liveFailures++,
      );
    }
  }, 10);

  const sourceMemoryBefore = await Promise.all(cluster.nodes.map((node) => processMemory(node.pid)));
  const joinStart = performance.now();
  const joiner = await cluster.addNode({ id: 'joiner', readyTimeoutMs: 60_000 });
  const peaks = new Map<number, number>();
  const sample = setInterval(() => {
    for (const node of cluster.nodes) {
      processMemory(node.pid).then(
        (memory) => peaks.set(node.pid, Math.max(peaks.get(node.pid) ?? 0, memory.rss)),
        () => undefined,
      );
    }
  }, 50);
  for (;;) {
    const nodes = await client.nodes();
    if (nodes.find((node) => node.id === joiner.id)?.state === 'ready') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const readySeconds = (performance.now() - joinStart) / 1000;
  clearInterval(writer);
  clearInterval(sample);
  const writesDuringJoin = liveWrites;

  const sourceId = /node joining \{"node":"joiner",.*?"source":"([^"]+)"/.exec(cluster.broker.stderr)?.[1];
  const source = cluster.nodes.find((node) => node.id === sourceId) ?? cluster.nodes[0]!;
  const sourceIndex = cluster.nodes.indexOf(source);
  const joinMs = Number(
    /join completed.*"ms":(\d+)/.exec(joiner.stderr)?.[1] ?? /join completed.*ms=(\d+)/.exec(joiner.stderr)?.[1] ?? NaN,
  );
  const joinerMemory = await processMemory(joiner.pid);
  const sourceMemory = await processMemory(source.pid);
  const joinerPeak = Math.max(joinerMemory.peakRss, peaks.get(joiner.pid) ?? 0);
  const sourcePeakDuringJoin = peaks.get(source.pid) ?? sourceMemory.rss;
  const snapshotSeconds = (Number.isFinite(joinMs) ? joinMs : readySeconds * 1000) / 1000;
  const verified = await client.verify(100, 100);

  const figures = {
    keys: keyCount,
    valueBytes,
    datasetBytes,
    loadWritesPerSecond: Math.round(keyCount / loadSeconds),
    liveWriteRate: writeRate,
    liveWritesDuringJoin: writesDuringJoin,
    liveWriteFailures: liveFailures,
    timeToReadySeconds: Number(readySeconds.toFixed(2)),
    joinSeconds: Number(snapshotSeconds.toFixed(2)),
    snapshotMBps: Number((datasetBytes / 1e6 / snapshotSeconds).toFixed(1)),
    snapshotKeysPerSecond: Math.round(keyCount / snapshotSeconds),
    joinerPeakRssBytes: joinerPeak,
    joinerPeakOverDataset: Number((joinerPeak / datasetBytes).toFixed(2)),
    sourceRssBeforeBytes: sourceMemoryBefore[sourceIndex]?.rss ?? 0,
    sourcePeakRssDuringJoinBytes: sourcePeakDuringJoin,
    sourcePeakOverDataset: Number((sourcePeakDuringJoin / datasetBytes).toFixed(2)),
    verified: verified.ok,
  };
  console.log(
    `time to ready:        ${figures.timeToReadySeconds} s (process start to ready on the ring; the join itself took ${figures.joinSeconds} s)`,
  );
  console.log(`snapshot throughput:  ${figures.snapshotMBps} MB/s, ${figures.snapshotKeysPerSecond} keys/s`);
  console.log(`live writes meanwhile: ${writesDuringJoin} acknowledged, ${liveFailures} failed (target ${writeRate}/s)`);
  console.log(`joiner peak RSS:      ${mib(joinerPeak)} = ${figures.joinerPeakOverDataset} x the raw dataset (${mib(datasetBytes)})`);
  console.log(
    `source RSS:           ${mib(figures.sourceRssBeforeBytes)} before, ${mib(sourcePeakDuringJoin)} peak during the join = ${figures.sourcePeakOverDataset} x the dataset`,
  );
  console.log(`verify:               ${verified.ok ? `OK ${verified.nodes.length} nodes` : 'FAILED'}`);
  console.log(`results:              ${await saveResults('join', figures)}`);
} finally {
  if (process.env.BENCH_DEBUG) console.error(cluster.broker.stderr);
  await cluster.stop();
}
