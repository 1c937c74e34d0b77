import test from 'ava';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBroker, startCluster, startNode, type ManagedProcess } from '@brainer/test-utils';
import { eventually, tempDir } from '../src/index.js';

// Issue 19, item 1: /metrics and /health on the broker and on each node, and /metrics on the HTTP gateway.

/**
 * prom-client's default metrics name three gauges `*_total`, which promtool reports (exit 3). Those
 * are the only complaints tolerated: none may be about a brainer_* family.
 */
const TOLERATED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
if (!hasPromtool) console.warn('SKIPPING the promtool checks: promtool is not installed (apt-get install prometheus)');

function metricsUrl(process: ManagedProcess): string {
  const url = process.readyLine.metrics;
  if (url === undefined) throw new Error(`${process.bin} printed no metrics URL in its ready line`);
  return url;
}

async function scrape(process: ManagedProcess | string): Promise<string> {
  const response = await fetch(typeof process === 'string' ? process : metricsUrl(process));
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}

async function health(process: ManagedProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL('/health', metricsUrl(process)));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** One sample's value in Prometheus's text format, such as `name{label="x"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** What promtool says about `text` that is not on the tolerated list. */
function promtoolComplaints(text: string): string[] {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return lines.filter((line) => !TOLERATED.some((name) => line.startsWith(`${name} `)));
}

(hasPromtool ? test : test.skip)(
  'promtool finds nothing wrong with the brainer_* families of a broker, a node and the HTTP gateway run-broker --http starts',
  async (t) => {
    const cluster = await startCluster({ nodes: 1, brokerArgs: ['--metrics', '0', '--http', '0'], nodeArgs: ['--metrics', '0'] });
    t.teardown(() => cluster.stop());
    const client = await cluster.client();
    await client.set('k', 'v');
    t.is(await client.get('k'), 'v');
    // Give every gateway family samples: a write, a read, a refusal, the page, a second of its event stream.
    const http = cluster.broker.readyLine.http!;
    t.is((await fetch(`${http}/db/k`, { method: 'PUT', body: 'w' })).status, 200);
    t.is((await fetch(`${http}/db/k`)).status, 200);
    t.is((await fetch(`${http}/db/missing`)).status, 404);
    t.is((await fetch(`${http}/`)).status, 200);
    const stream = new AbortController();
    t.is((await fetch(`${http}/status/events`, { signal: stream.signal })).status, 200);
    const families = { broker: metricsUrl(cluster.broker), node: metricsUrl(cluster.nodes[0]!), gateway: `${http}/metrics` };
    for (const [role, url] of Object.entries(families)) {
      const text = await scrape(url);
      t.true(text.includes(`brainer_${role}_`), `the ${role} serves its brainer_* families`);
      t.true(text.includes('process_cpu_seconds_total'), `the ${role} serves the default process metrics`);
      t.deepEqual(promtoolComplaints(text), [], `${role}: promtool complains only about prom-client's defaults`);
      if (role === 'gateway') {
        t.is(sample(text, 'brainer_gateway_http_refusals_total{code="ERR_NOT_FOUND"}'), 1);
        t.is(sample(text, 'brainer_gateway_http_requests_in_flight'), 2, 'the scrape and the event stream');
      }
    }
    stream.abort();
  },
);

test('the broker counts exactly the writes made, by wait mode, and times each', async (t) => {
  const cluster = await startCluster({ nodes: 2, brokerArgs: ['--metrics', '0'], nodeArgs: ['--metrics', '0'] });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await client.set('warm', 'up');
  const before = await scrape(cluster.broker);
  const allOk = 'brainer_broker_writes_total{mode="all",outcome="ok"}';
  const primaryOk = 'brainer_broker_writes_total{mode="primary",outcome="ok"}';
  const acked = 'brainer_broker_write_ack_seconds_count{mode="all"}';
  for (let i = 0; i < 37; i++) await client.set(`key:${i}`, `value ${i}`);
  await Promise.all(Array.from({ length: 11 }, (_, i) => client.del(`key:${i}`)));
  for (let i = 0; i < 5; i++) await client.set(`fast:${i}`, 'v', { wait: 'primary' });
  t.is(await client.get('key:20'), 'value 20');
  const after = await scrape(cluster.broker);
  t.is(sample(after, allOk)! - sample(before, allOk)!, 48, 'every all-mode write counted once');
  t.is(sample(after, primaryOk)! - sample(before, primaryOk)!, 5, 'every primary-mode write counted once');
  t.is(sample(after, acked)! - sample(before, acked)!, 48, 'every acknowledged all-mode write timed once');
  t.is(sample(after, 'brainer_broker_writes_total{mode="all",outcome="error"}'), 0);
  t.is(sample(after, 'brainer_broker_seq'), 54, 'the seq gauge is the last seq stamped');
  t.is(sample(after, 'brainer_broker_reads_routed_total'), 0, 'the client read straight from the primary');
  let direct = 0;
  for (const node of cluster.nodes) direct += sample(await scrape(node), 'brainer_node_direct_reads_total{outcome="served"}')!;
  t.is(direct, 1, "one direct read served, by the key's primary");
  const viaBroker = await cluster.client({ reads: 'broker' });
  for (let i = 0; i < 3; i++) t.is(await viaBroker.get(`key:${30 + i}`), `value ${30 + i}`);
  t.is(sample(await scrape(cluster.broker), 'brainer_broker_reads_routed_total'), 3);
  t.is(sample(after, 'brainer_broker_nodes{state="ready"}'), 2);
});

test('/health: a broker with no node and a node with no broker answer 503, both 200 once the node is ready', async (t) => {
  const broker = await startBroker({ args: ['--metrics', '0'] });
  t.teardown(() => broker.stop());
  await eventually(async () => (await health(broker)).body.recovering === false, 10_000);
  const alone = await health(broker);
  t.is(alone.status, 503);
  t.like(alone.body, { status: 'not-serving', role: 'broker', nodes: 0, ready: 0 });

  // A node whose broker is not there yet: it has registered with nobody.
  const lonely = await startNode('tcp://127.0.0.1:1', { args: ['--metrics', '0'] });
  t.teardown(() => lonely.stop());
  t.like(await health(lonely), { status: 503, body: { status: 'not-serving', role: 'node', state: 'registering' } });

  const node = await startNode(broker.endpoint, { id: 'n1', args: ['--metrics', '0'] });
  t.teardown(() => node.stop());
  await eventually(async () => (await health(node)).status === 200, 20_000);
  t.like((await health(node)).body, { status: 'serving', state: 'ready', id: 'n1' });
  await eventually(async () => (await health(broker)).status === 200, 20_000);
  t.like((await health(broker)).body, { status: 'serving', ready: 1, takingWrites: true });
});

test('/health: a joining node answers 503 while its snapshot source is paused, and 200 once it is ready', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 20_000 });
  await client.set('k', 'v');
  const [source] = cluster.nodes;
  source!.kill('SIGSTOP');
  t.teardown(() => source!.kill('SIGCONT'));
  const joiner = await cluster.addNode({ id: 'joiner', args: ['--metrics', '0', '--snapshot-timeout-ms', '60000'] });
  await eventually(async () => (await health(joiner)).body.state === 'joining', 20_000);
  t.like(await health(joiner), { status: 503, body: { status: 'not-serving', state: 'joining' } });
  t.is(sample(await scrape(joiner), 'brainer_node_state{state="joining"}'), 1);
  source!.kill('SIGCONT');
  await eventually(async () => (await health(joiner)).status === 200, 60_000, 200);
  t.like((await health(joiner)).body, { status: 'serving', state: 'ready' });
  t.is(await client.get('k'), 'v');
});

test('with --data-dir, a node counts its log bytes and fsyncs', async (t) => {
  const cluster = await startCluster({ nodes: 1, dataDir: tempDir(t), nodeArgs: ['--metrics', '0', '--fsync', 'always'] });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const node = cluster.nodes[0]!;
  const before = sample(await scrape(node), 'brainer_node_log_fsyncs_total')!;
  for (let i = 0; i < 5; i++) await client.set(`k${i}`, 'v');
  const after = await scrape(node);
  t.true(sample(after, 'brainer_node_log_fsyncs_total')! - before >= 5, 'each acknowledged write was synced first (--fsync always)');
  t.true(sample(after, 'brainer_node_log_bytes')! > 0);
  t.is(sample(after, 'brainer_node_keys'), 5);
});

test('a metrics port already taken fails the start with ERR_USAGE, naming the port', async (t) => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
  const port = (squatter.address() as AddressInfo).port;
  const error = await t.throwsAsync(startBroker({ args: ['--metrics', String(port)] }));
  t.regex(error!.message, new RegExp(`ERR_USAGE.*--metrics: cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
  t.regex(error!.message, /exited before it was ready \(code 2\)/);
});
