import test from 'ava';
import { isAlive, runBin, startCluster, startGateway, waitFor } from '@brainer/test-utils';
import { keyPath, request } from './http-helpers.js';
import { JsonRequester } from './json-helpers.js';

test('run-gateway serves HTTP and JSON ops from its own process as a client of the broker; SIGHUP does not stop it, SIGTERM exits 0', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const gateway = await startGateway({ broker: cluster.endpoint, jsonEndpoint: 'tcp://127.0.0.1:*' });
  t.teardown(() => gateway.stop());
  t.like(gateway.readyLine, { role: 'gateway', broker: cluster.endpoint });
  t.not(gateway.pid, cluster.broker.pid);

  const base = gateway.readyLine.http!;
  t.is(gateway.readyLine.metrics, `${base}/metrics`, 'its own metrics are on its HTTP port');
  t.regex((await request(`${base}/`)).body.toString(), /<title>Brainer status<\/title>/, 'the status page is found from dist/');
  t.regex(
    (await request(gateway.readyLine.metrics!)).body.toString(),
    /^brainer_gateway_http_requests_total\{method="GET",status="2xx"\} 1$/m,
  );
  t.is((await request(base + keyPath('own/k'), { method: 'PUT', body: 'v' })).status, 200);
  const client = await cluster.client();
  t.is(await client.get('own/k'), 'v');
  const req = new JsonRequester(gateway.readyLine.json!);
  t.teardown(() => req.close());
  t.deepEqual(await req.ask({ op: 'GET_ONE', key: 'own/k' }), { key: 'own/k', value: 'v' });

  gateway.kill('SIGHUP');
  await waitFor(() => /SIGHUP: nothing to reload/.test(gateway.stderr), { timeoutMs: 5000 });
  t.false(gateway.hasExited);
  t.is((await request(base + keyPath('own/k'))).body.toString(), 'v');
  t.deepEqual(await gateway.stop(), { code: 0, signal: null });
});

test('run-gateway with no gateway to serve is a usage error', async (t) => {
  const result = await runBin('run-gateway', ['--broker', 'tcp://127.0.0.1:5']);
  t.is(result.code, 2, result.stderr);
  t.regex(result.stderr, /--http, --json-endpoint or both/);
});

test('run-broker --http runs the gateway as a child that logs its pid; one killed is started again while the broker serves on', async (t) => {
  const cluster = await startCluster({ nodes: 1, brokerArgs: ['--http', '0'] });
  t.teardown(() => cluster.stop());
  const started = /gateway started.*"pid":(\d+)/.exec(cluster.broker.stderr);
  t.truthy(started, cluster.broker.stderr);
  const pid = Number(started![1]);
  t.not(pid, cluster.broker.pid);
  const client = await cluster.client();

  process.kill(pid, 'SIGKILL');
  await waitFor(() => /the gateway exited; the broker serves on/.test(cluster.broker.stderr), { timeoutMs: 10_000 });
  await client.set('while-the-gateway-is-down', 'v');
  t.is(await client.get('while-the-gateway-is-down'), 'v');
  t.false(cluster.broker.hasExited);

  await waitFor(() => (cluster.broker.stderr.match(/gateway started/g) ?? []).length === 2, { timeoutMs: 15_000 });
  const restarted = [...cluster.broker.stderr.matchAll(/gateway started.*"http":"([^"]+)"/g)].at(-1)![1]!;
  t.is((await request(restarted + keyPath('while-the-gateway-is-down'))).body.toString(), 'v');

  const newPid = Number([...cluster.broker.stderr.matchAll(/gateway started.*"pid":(\d+)/g)].at(-1)![1]);
  t.deepEqual(await cluster.broker.stop(), { code: 0, signal: null });
  t.false(isAlive(newPid), 'the broker stops its gateway before it exits');
});
