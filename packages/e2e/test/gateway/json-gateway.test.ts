import { spawn } from 'node:child_process';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { Brainer } from '@brainer/client';
import { startCluster, waitFor, type TestCluster } from '@brainer/test-utils';
import { JsonGateway } from '@brainer/gateway';
import { DEBIAN_PYTHON, dealerAsk, JsonRequester, pythonHasZmq } from './json-helpers.js';

type Context = { cluster: TestCluster; client: Brainer; endpoint: string };
const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const cluster = await startCluster({ nodes: 2, brokerArgs: ['--json-endpoint', 'tcp://127.0.0.1:*'] });
  const endpoint = cluster.broker.readyLine.json;
  if (endpoint === undefined) throw new Error(`no json endpoint on the ready line: ${cluster.broker.stdout}`);
  t.context = { cluster, client: await cluster.client(), endpoint };
});

test.after.always(async (t) => {
  await t.context.cluster?.stop();
});

function socketFor(t: ExecutionContext<Context>): JsonRequester {
  const socket = new JsonRequester(t.context.endpoint);
  t.teardown(() => socket.close());
  return socket;
}

// Serial tests run before the others, so this GET_ALL of everything sees only its own keys.
test.serial("the issue's table: PUT, GET_ONE, GET_ALL and DELETE answer as the class project's protocol does", async (t) => {
  t.regex(t.context.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  const req = socketFor(t);
  t.deepEqual(await req.ask({ op: 'PUT', key: 'k', value: 'v' }), { key: 'k', value: 'v' });
  t.deepEqual(await req.ask({ op: 'GET_ONE', key: 'k' }), { key: 'k', value: 'v' });
  t.deepEqual(await req.ask({ op: 'PUT', key: 'a=1/2', value: 'x=/y' }), { key: 'a=1/2', value: 'x=/y' });
  t.deepEqual(await req.ask({ op: 'GET_ALL' }), {
    collection: [
      { key: 'a=1/2', value: 'x=/y' },
      { key: 'k', value: 'v' },
    ],
  });
  t.deepEqual(await req.ask({ op: 'DELETE', key: 'k' }), { key: 'k', status: 'deleted' });
  t.deepEqual(await req.ask({ op: 'DELETE', key: 'a=1/2' }), { key: 'a=1/2', status: 'deleted' });
  t.deepEqual(await req.ask({ op: 'GET_ALL' }), { collection: [] });
});

test('JSON ops and the Brainer client see the same data', async (t) => {
  const { client } = t.context;
  const req = socketFor(t);
  await req.ask({ op: 'PUT', key: 'both/=é', value: 'from json €' });
  t.is(await client.get('both/=é'), 'from json €');
  await client.set('both/from-client', 'v=1');
  t.deepEqual(await req.ask({ op: 'GET_ONE', key: 'both/from-client' }), { key: 'both/from-client', value: 'v=1' });
  await req.ask({ op: 'DELETE', key: 'both/from-client' });
  t.is(await client.get('both/from-client'), null);
});

test('PUT takes wait and ttl; the key expires', async (t) => {
  const { client } = t.context;
  const req = socketFor(t);
  t.deepEqual(await req.ask({ op: 'PUT', key: 'ttl/1', value: 'v', wait: 'primary', ttl: 2000 }), { key: 'ttl/1', value: 'v' });
  t.is(await client.get('ttl/1'), 'v');
  await waitFor(async () => (await client.get('ttl/1')) === null, { description: 'the key to expire' });
  t.deepEqual(await req.ask({ op: 'GET_ONE', key: 'ttl/1' }), { code: 'ERR_NOT_FOUND', message: 'no key "ttl/1"' });
});

test('missing keys and bad requests get a JSON error with a code, and the REQ socket goes on working', async (t) => {
  const req = socketFor(t);
  const cases: Array<[unknown, string]> = [
    [{ op: 'GET_ONE', key: 'errors/missing' }, 'ERR_NOT_FOUND'],
    [{ op: 'DELETE', key: 'errors/missing' }, 'ERR_NOT_FOUND'],
    [{ op: 'FROB', key: 'k' }, 'ERR_UNKNOWN_OP'],
    [{ key: 'k' }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', key: 'errors/k' }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', key: 'errors/k', value: { nested: true } }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', key: 'errors/k', value: 'v', ttl: 'soon' }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ONE', key: '' }, 'ERR_BAD_KEY'],
    [{ op: 'GET_ALL', limit: -1 }, 'ERR_BAD_REQUEST'],
    ['[]', 'ERR_BAD_REQUEST'],
    ['this is not json', 'ERR_MALFORMED'],
    ['', 'ERR_MALFORMED'],
    [Buffer.from([0xc3, 0x28]), 'ERR_MALFORMED'],
  ];
  for (const [request, code] of cases) {
    const reply = await req.ask(request);
    t.is(reply.code, code, JSON.stringify(request));
    t.is(typeof reply.message, 'string');
  }
  t.deepEqual(await req.ask({ op: 'PUT', key: 'errors/after', value: 'still fine' }), { key: 'errors/after', value: 'still fine' });
  t.is(await t.context.client.get('errors/k'), null);
});

test('a message of several frames, and a DEALER without the REQ envelope, still get one reply', async (t) => {
  const { endpoint } = t.context;
  const req = socketFor(t);
  await req.socket.send(['{"op":"GET_ONE"', ',"key":"k"}']);
  const [reply] = await req.socket.receive();
  t.like(JSON.parse(reply!.toString()) as object, { code: 'ERR_MALFORMED' });

  const frames = await dealerAsk(endpoint, ['{"op":"PUT","key":"dealer/k","value":"v"}']);
  t.deepEqual(
    frames.map((frame) => frame.toString()),
    ['{"key":"dealer/k","value":"v"}'],
  );
});

test('GET_ALL takes a prefix and a limit, says when it cut the answer, and goes on from its cursor', async (t) => {
  const req = socketFor(t);
  for (const key of ['all/c', 'all/a', 'all/b', 'all*/x']) await req.ask({ op: 'PUT', key, value: `v:${key}` });
  t.deepEqual(await req.ask({ op: 'GET_ALL', prefix: 'all/' }), {
    collection: [
      { key: 'all/a', value: 'v:all/a' },
      { key: 'all/b', value: 'v:all/b' },
      { key: 'all/c', value: 'v:all/c' },
    ],
  });
  const first = await req.ask({ op: 'GET_ALL', prefix: 'all/', limit: 2 });
  t.like(first, {
    collection: [
      { key: 'all/a', value: 'v:all/a' },
      { key: 'all/b', value: 'v:all/b' },
    ],
    truncated: true,
  });
  t.is(typeof first.cursor, 'string');
  t.deepEqual(await req.ask({ op: 'GET_ALL', prefix: 'all/', limit: 2, cursor: first.cursor }), {
    collection: [{ key: 'all/c', value: 'v:all/c' }],
  });
  for (const bad of [{ limit: '2' }, { cursor: 'not a cursor!' }, { cursor: 7 }, { limit: 2.5 }]) {
    t.like(await req.ask({ op: 'GET_ALL', prefix: 'all/', ...bad }), { code: 'ERR_BAD_REQUEST' }, JSON.stringify(bad));
  }
  t.like(await req.ask({ op: 'PUT', key: 'all/d', value: 'v', ttl: '5' }), { code: 'ERR_BAD_REQUEST' });
  t.deepEqual(await req.ask({ op: 'GET_ALL', prefix: 'all*' }), { collection: [{ key: 'all*/x', value: 'v:all*/x' }] });
});

test('a GET_ALL without a limit that matches more than maxGetAll items fails with ERR_TOO_MANY_KEYS', async (t) => {
  // The library's own JsonGateway, in this process, with a small cap, on the same broker.
  const client = new Brainer(t.context.cluster.endpoint);
  t.teardown(() => client.close());
  const gateway = new JsonGateway({ client, endpoint: 'tcp://127.0.0.1:*', maxGetAll: 5 });
  t.teardown(() => gateway.close());
  await gateway.start();
  await gateway.start();
  t.regex(gateway.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);

  const keys = Array.from({ length: 6 }, (_, i) => `capped/${i}`);
  await Promise.all(keys.map((key) => client.set(key, 'v')));
  const req = new JsonRequester(gateway.endpoint);
  t.teardown(() => req.close());
  const refused = await req.ask({ op: 'GET_ALL', prefix: 'capped/' });
  t.is(refused.code, 'ERR_TOO_MANY_KEYS');
  t.regex(String(refused.message), /more than the 5 keys GET_ALL returns at once match/);
  t.like(await req.ask({ op: 'GET_ALL', prefix: 'capped/', limit: 3 }), {
    collection: keys.slice(0, 3).map((key) => ({ key, value: 'v' })),
    truncated: true,
  });
  t.like(await req.ask({ op: 'GET_ALL', prefix: 'capped/', limit: 6 }), { code: 'ERR_BAD_REQUEST' });
  await client.del(keys[5]!);
  t.deepEqual(await req.ask({ op: 'GET_ALL', prefix: 'capped/' }), { collection: keys.slice(0, 5).map((key) => ({ key, value: 'v' })) });
});

test('many REQ clients at once each get their own answers', async (t) => {
  const clients = Array.from({ length: 20 }, () => socketFor(t));
  await Promise.all(
    clients.map(async (req, c) => {
      for (let i = 0; i < 10; i++) {
        const key = `concurrent/${c}/${i}`;
        t.deepEqual(await req.ask({ op: 'PUT', key, value: `${c}=${i}` }), { key, value: `${c}=${i}` });
        t.deepEqual(await req.ask({ op: 'GET_ONE', key }), { key, value: `${c}=${i}` });
      }
    }),
  );
  t.is((await t.context.client.keys('concurrent/*')).length, 200);
});

const PYTHON_CLIENT = String.raw`
import json, sys, zmq
socket = zmq.Context().socket(zmq.REQ)
socket.setsockopt(zmq.RCVTIMEO, 10000)
socket.connect(sys.argv[1])
def ask(request):
    socket.send_json(request)
    return socket.recv_json()
out = [
    ask({"op": "PUT", "key": "py/k=1", "value": "a=b/c"}),
    ask({"op": "GET_ONE", "key": "py/k=1"}),
    ask({"op": "GET_ALL", "prefix": "py/"}),
    ask({"op": "GET_ONE", "key": "py/missing"}),
    ask({"op": "SHOUT"}),
    ask({"op": "DELETE", "key": "py/k=1"}),
]
socket.send(b"not json")
out.append(json.loads(socket.recv()))
print(json.dumps(out))
`;

const pythonTest = pythonHasZmq() ? test : test.skip;
const pythonTitle = pythonHasZmq()
  ? 'a Python REQ client (pyzmq) speaks the JSON ops'
  : `a Python REQ client (pyzmq) speaks the JSON ops — skipped: ${DEBIAN_PYTHON} cannot import zmq (apt-get install python3-zmq)`;

pythonTest(pythonTitle, async (t) => {
  const python = spawn(DEBIAN_PYTHON, ['-c', PYTHON_CLIENT, t.context.endpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => python.kill());
  let stdout = '';
  let stderr = '';
  python.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  python.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise((resolve) => python.once('exit', resolve));
  t.is(code, 0, stderr);
  const [put, get, all, missing, unknown, deleted, notJson] = JSON.parse(stdout) as Array<Record<string, unknown>>;
  t.deepEqual(put, { key: 'py/k=1', value: 'a=b/c' });
  t.deepEqual(get, { key: 'py/k=1', value: 'a=b/c' });
  t.deepEqual(all, { collection: [{ key: 'py/k=1', value: 'a=b/c' }] });
  t.is(missing!.code, 'ERR_NOT_FOUND');
  t.is(unknown!.code, 'ERR_UNKNOWN_OP');
  t.deepEqual(deleted, { key: 'py/k=1', status: 'deleted' });
  t.is(notJson!.code, 'ERR_MALFORMED');
});
