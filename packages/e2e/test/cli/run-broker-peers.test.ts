import test from 'ava';
import { Brainer } from '@brainer/client';
import { brokerRole, etcdInstalled, ETCD_BIN, runBin, startBroker, startEtcd, startNode, waitFor } from '@brainer/test-utils';
import { allReady } from '../../src/index.js';
import { assertCliError } from './assert-cli-error.js';

// Issue 18: the gateway that run-broker --http starts is given the other brokers (--peers), so that it follows the leader.
const electionTest = etcdInstalled() ? test : test.skip;
const because = etcdInstalled() ? '' : ` [skipped: ${ETCD_BIN} is missing; apt-get install etcd-server]`;
if (!etcdInstalled()) console.warn(`run-broker --peers tests SKIPPED: ${ETCD_BIN} is missing (apt-get install etcd-server)`);

/** PUTs `value` at `key` through the HTTP gateway; the status code, or 0 when no answer came in time. */
async function put(http: string, key: string, value: string): Promise<number> {
  try {
    const response = await fetch(`${http}/db/${key}`, { method: 'PUT', body: value, signal: AbortSignal.timeout(15_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function get(http: string, key: string): Promise<string> {
  const response = await fetch(`${http}/db/${key}`, { signal: AbortSignal.timeout(15_000) });
  return `${response.status} ${await response.text()}`;
}

electionTest(
  `the gateway of run-broker --http --etcd --peers serves through whichever broker leads: through the leader while its broker stands by, and through its own broker once that leads${because}`,
  async (t) => {
    const etcd = await startEtcd();
    t.teardown(() => etcd.stop());
    const election = ['--etcd', etcd.url, '--cluster', 'peers', '--lease-ttl', '2'];
    const leader = await startBroker({ args: election });
    t.teardown(() => leader.stop());
    await waitFor(async () => (await brokerRole(leader.endpoint)) === 'leader', {
      timeoutMs: 20_000,
      description: 'the first broker leads',
    });
    const standby = await startBroker({ args: [...election, '--peers', leader.endpoint, '--http', '0'], readyTimeoutMs: 40_000 });
    t.teardown(() => standby.stop());
    const http = standby.readyLine.http!;
    t.regex(http, /^http:\/\/127\.0\.0\.1:\d+$/);
    t.is(await brokerRole(standby.endpoint), 'standby');

    const list = `${leader.endpoint},${standby.endpoint}`;
    const node = await startNode(list, { id: 'n1' });
    t.teardown(() => node.stop());
    const client = new Brainer(list, { timeoutMs: 5000, reads: 'broker' });
    t.teardown(() => client.close());
    await waitFor(() => allReady(client, 1), { timeoutMs: 30_000, intervalMs: 100, description: 'the node ready' });

    // Its own broker stands by: the gateway's writes go to the leader.
    await waitFor(async () => (await put(http, 'before', 'v1')) === 200, {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'a PUT through the gateway',
    });
    t.is(await client.get('before'), 'v1');

    leader.kill('SIGKILL');
    await waitFor(async () => (await brokerRole(standby.endpoint)) === 'leader', {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'the standby leads',
    });
    await waitFor(async () => (await put(http, 'after', 'v2')) === 200, {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'a PUT through the gateway after the failover',
    });
    t.is(await get(http, 'before'), '200 v1');
    t.is(await get(http, 'after'), '200 v2');
    t.false(standby.hasExited);
  },
);

test('run-broker --peers needs --etcd, and takes endpoints', async (t) => {
  assertCliError(t, await runBin('run-broker', ['--peers', 'tcp://127.0.0.1:5555']), { code: 'ERR_USAGE', exit: 2, includes: '--etcd' });
  assertCliError(t, await runBin('run-broker', ['--etcd', 'http://127.0.0.1:2379', '--peers', 'nope']), {
    code: 'ERR_INVALID_OPTION',
    exit: 2,
    includes: '"nope"',
  });
});
