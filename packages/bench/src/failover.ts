/**
 * bench:failover — kills the leader broker with SIGKILL while writers and readers run, and times how
 * long writes and reads stop until a standby, elected on etcd, serves. Each round is a fresh
 * cluster: etcd, two brokers, three nodes given both brokers, and clients given both brokers.
 * Prints, over the rounds, the median and max of the write gap and of the read gaps (reads through
 * the broker, and direct reads from the nodes under their read leases), and checks that every write
 * acknowledged before or after the kill is still there. A gap is the longest time with no success,
 * from the kill on.
 *
 *   npm run bench:failover -- [--rounds 5] [--writers 8] [--lease-ttl 2]
 */
import { parseArgs } from 'node:util';
import { Brainer } from '@brainer/client';
import { startElectedCluster, type ElectedCluster } from '@brainer/test-utils';
import { log, runScript, stopOnce } from './bench-process.js';
import { printResults } from './results.js';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    writers: { type: 'string', default: '8' },
    'lease-ttl': { type: 'string', default: '2' },
  },
});
const rounds = Number(args.rounds);
const writers = Number(args.writers);
const leaseTtlS = Number(args['lease-ttl']);

interface RoundResult {
  writeGapMs: number;
  readGapMs: number;
  directReadGapMs: number;
  acknowledged: number;
  lost: number;
}

let current: ElectedCluster | undefined;
const stopAll = stopOnce(async () => {
  await current?.stop();
});

/** Runs `op` in a loop until `stop`, and records when each success ended. */
function loop(op: (i: number) => Promise<unknown>, stop: () => boolean, successes: number[]): Promise<void> {
  return (async () => {
    for (let i = 0; !stop(); i++) {
      await op(i).then(
        () => successes.push(performance.now()),
        () => undefined,
      );
    }
  })();
}

/** The longest time with no success from `since` on (successes are in time order). */
function longestGap(since: number, successes: number[]): number {
  let longest = NaN;
  let previous = since;
  for (const at of successes) {
    if (at <= since) continue;
    longest = Math.max(Number.isNaN(longest) ? 0 : longest, at - previous);
    previous = at;
  }
  return Math.round(longest);
}

async function round(index: number): Promise<RoundResult> {
  const cluster = (current = await startElectedCluster({ leaseTtlS, logLevel: 'warn' }));
  try {
    const client = new Brainer(cluster.endpoints, { timeoutMs: 20_000, reads: 'broker' });
    const directClient = new Brainer(cluster.endpoints, { timeoutMs: 20_000, reads: 'direct' });
    const acknowledged = new Map<string, string>();
    const writes: number[] = [];
    const reads: number[] = [];
    const directReads: number[] = [];
    let stopping = false;
    const running = [
      ...Array.from({ length: writers }, (_, w) =>
        loop(
          async (i) => {
            const key = `w${w}:${i % 50}`;
            const value = `${index}:${w}:${i}`;
            await client.set(key, value);
            acknowledged.set(key, value);
          },
          () => stopping,
          writes,
        ),
      ),
      loop(
        (i) => client.get(`w0:${i % 50}`),
        () => stopping,
        reads,
      ),
      loop(
        (i) => directClient.get(`w1:${i % 50}`),
        () => stopping,
        directReads,
      ),
    ];
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const leader = await cluster.leader();
    if (!leader) throw new Error('no leader before the kill');
    const killedAt = performance.now();
    leader.kill('SIGKILL');
    const until = killedAt + 30_000;
    while ((writes.at(-1) ?? 0) < killedAt + 500 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stopping = true;
    await Promise.all(running);
    let lost = 0;
    for (const [key, value] of acknowledged) if (String(await client.get(key)) !== value) lost++;
    await Promise.all([client.close(), directClient.close()]);
    const result = {
      writeGapMs: longestGap(killedAt, writes),
      readGapMs: longestGap(killedAt, reads),
      directReadGapMs: longestGap(killedAt, directReads),
      acknowledged: acknowledged.size,
      lost,
    };
    log(
      `round ${index + 1}: writes stopped ${result.writeGapMs} ms, reads through the broker ${result.readGapMs} ms, ` +
        `direct reads ${result.directReadGapMs} ms; ${lost} of ${acknowledged.size} keys lost`,
    );
    return result;
  } finally {
    await cluster.stop();
    current = undefined;
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

await runScript(async () => {
  const results: RoundResult[] = [];
  for (let i = 0; i < rounds; i++) results.push(await round(i));
  const writeGaps = results.map((r) => r.writeGapMs);
  const readGaps = results.map((r) => r.readGapMs);
  const directGaps = results.map((r) => r.directReadGapMs);
  const lost = results.reduce((sum, r) => sum + r.lost, 0);
  console.log(`leader kill -9 with ${writers} writers, lease TTL ${leaseTtlS} s, ${rounds} rounds`);
  console.log(`  writes stopped (acknowledged again after): median ${median(writeGaps)} ms, max ${Math.max(...writeGaps)} ms`);
  console.log(`  reads through the broker stopped: median ${median(readGaps)} ms, max ${Math.max(...readGaps)} ms`);
  console.log(`  direct reads stopped:             median ${median(directGaps)} ms, max ${Math.max(...directGaps)} ms`);
  console.log(`  acknowledged writes lost: ${lost}`);
  await printResults('failover', { rounds, writers, leaseTtlS, results });
  if (lost > 0) process.exitCode = 1;
}, stopAll);
