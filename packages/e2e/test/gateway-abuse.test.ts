import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Brainer } from '@brainer/client';
import {
  addTally,
  binPath,
  heavyListings,
  hugeJsonFrames,
  openIdleConnections,
  oversizedForm,
  slowBody,
  spawnProgramReady,
  startCluster,
  startNode,
  waitFor,
  type AbuseTally,
  type ManagedProcess,
} from '@brainer/test-utils';
import { allReady, loadBulk, tempDir, WriteProbe } from '../src/index.js';

/** Issue 15's rows 1 and 2: the gateways abused while a ZeroMQ client writes. The p99 is reported, not asserted tightly. */

function reportProbe(t: ExecutionContext, probe: WriteProbe, what: string): void {
  t.log(
    `${what}: ${probe.latenciesMs.length} ZeroMQ writes, p50 ${probe.percentileMs(0.5).toFixed(1)} ms, p99 ${probe.percentileMs(0.99).toFixed(1)} ms, max ${Math.max(...probe.latenciesMs).toFixed(1)} ms`,
  );
}

async function epochOf(client: Brainer): Promise<number> {
  return ((await client.stats()) as { epoch: number }).epoch;
}

function assertNothingDropped(t: ExecutionContext, broker: ManagedProcess, probe: WriteProbe): void {
  t.false(broker.hasExited, 'the broker is alive');
  t.notRegex(broker.stderr, /node lost/, 'no node was dropped');
  t.deepEqual([...probe.outcomes.keys()], ['ok'], `every ZeroMQ write was acknowledged: ${JSON.stringify([...probe.outcomes])}`);
  // Generous: a stall this long would have cost the nodes their place (3 beats of 500 ms).
  t.true(probe.percentileMs(0.99) < 1500, `p99 ${probe.percentileMs(0.99)} ms`);
}

test.serial(
  'row 1: under ulimit -n 256, 1,000 idle HTTP connections and slow bodies kill nothing and drop no node; a new ZeroMQ client still writes',
  async (t) => {
    const endpoint = `ipc://${join(tempDir(t), 'broker.sock')}`;
    const broker = await spawnProgramReady(
      // The gateway child inherits the limit.
      { name: 'run-broker', command: 'prlimit', leadingArgs: ['--nofile=256:256', process.execPath, binPath('run-broker')] },
      ['--endpoint', endpoint, '--http', '0', '--http-request-timeout-ms', '2000'],
    );
    t.teardown(() => broker.stop());
    const nodes = await Promise.all(['node1', 'node2'].map((id) => startNode(endpoint, { id })));
    t.teardown(() => Promise.all(nodes.map((node) => node.stop())));
    const client = new Brainer(endpoint);
    t.teardown(() => client.close());
    await waitFor(() => allReady(client, 2), { timeoutMs: 20_000 });
    const epoch = await epochOf(client);
    t.regex(broker.stderr, /HTTP connections capped at half the open-files limit.*"maxConnections":128/);
    const base = broker.readyLine.http!;

    const probe = new WriteProbe(endpoint, 'row1/', 2000, 10);
    const idle = openIdleConnections(base, 1000);
    t.teardown(() => idle.close());
    const slow = Array.from({ length: 50 }, (_, i) => slowBody(base, `slow/${i}`, 500, 15_000));
    // What killed the sequencer before: a new ZeroMQ connection to the broker while HTTP held every descriptor.
    const newcomer = new Brainer(endpoint, { timeoutMs: 5000 });
    t.teardown(() => newcomer.close());
    await newcomer.set('row1/newcomer', 'v');

    const slowAnswers: AbuseTally = new Map();
    addTally(slowAnswers, await Promise.all(slow));
    t.log('slow bodies got', JSON.stringify([...slowAnswers]));
    t.false(slowAnswers.has('timeout'), 'every slow body was cut off by the server');
    await waitFor(() => idle.closedByServer() === 1000, { timeoutMs: 30_000, description: 'every idle connection closed by the gateway' });
    const probeOutcome = await probe.stop();
    reportProbe(t, probe, 'row 1');

    assertNothingDropped(t, broker, probe);
    t.true((probeOutcome.get('ok') ?? 0) > 0);
    t.is(await newcomer.get('row1/newcomer'), 'v');
    t.is(await epochOf(client), epoch, 'no new epoch');
    const put = await fetch(`${base}/db/after-row1`, { method: 'PUT', body: 'v' });
    t.is(put.status, 200, 'the gateway serves again once the abuse stops');
  },
);

test.serial(
  'row 2: heavy listings, 47 MB form bodies and 90 MB JSON frames at the gateway stall nothing; each gets one coded refusal',
  async (t) => {
    const cluster = await startCluster({ nodes: 2, brokerArgs: ['--http', '0', '--json-endpoint', 'tcp://127.0.0.1:*'] });
    t.teardown(() => cluster.stop());
    const client = await cluster.client();
    await loadBulk(client, 200_000, 8);
    const epoch = await epochOf(client);
    const base = cluster.broker.readyLine.http!;

    const probe = new WriteProbe(cluster.endpoint, 'row2/', 2000, 10);
    const [listings, forms, frames] = await Promise.all([
      heavyListings(base, 20, 3),
      Promise.all(Array.from({ length: 30 }, (_, i) => oversizedForm(base, `form/${i}`, 47_000_000))),
      hugeJsonFrames(cluster.broker.readyLine.json!, 10, 90 * 1024 * 1024),
    ]);
    await probe.stop();
    reportProbe(t, probe, 'row 2');

    t.deepEqual([...listings], [['200', 60]], 'every listing answered');
    t.deepEqual(
      forms,
      Array.from({ length: 30 }, () => '413'),
      'every big form refused, unread',
    );
    t.deepEqual([...frames], [['ERR_FRAME_TOO_LARGE', 10]], 'every big frame got exactly one refusal');
    assertNothingDropped(t, cluster.broker, probe);
    t.is(await epochOf(client), epoch, 'no new epoch');
    t.is((await fetch(`${base}/status`)).status, 200);
  },
);
