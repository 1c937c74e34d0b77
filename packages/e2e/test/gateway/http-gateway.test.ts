import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import anyTest, { type TestFn } from 'ava';
import { Registry } from 'prom-client';
import type { Brainer } from '@brainer/client';
import { rawHttp, startCluster, waitFor, type TestCluster } from '@brainer/test-utils';
import { HttpGateway, type StatusSnapshot } from '@brainer/gateway';
import { curl, hasCurl, keyPath, request } from './http-helpers.js';

const MAX_VALUE = 4096;
const MAX_KEY = 200;

const test = anyTest as TestFn<{ cluster: TestCluster; client: Brainer; base: string }>;

test.before(async (t) => {
  const cluster = await startCluster({
    nodes: 2,
    brokerArgs: ['--http', '0', '--max-value-bytes', String(MAX_VALUE), '--max-key-bytes', String(MAX_KEY)],
  });
  const base = cluster.broker.readyLine.http;
  if (base === undefined) throw new Error(`no http address on the ready line: ${cluster.broker.stdout}`);
  t.context = { cluster, client: await cluster.client(), base };
});

test.after.always(async (t) => {
  await t.context.cluster?.stop();
});

test('the ready line gives the HTTP gateway on loopback', (t) => {
  t.regex(t.context.base, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.regex(t.context.cluster.broker.stderr, /HTTP gateway listening/);
});

test('PUT stores the raw body and GET answers it byte for byte, for keys and values with = / % and more', async (t) => {
  const { base, client } = t.context;
  const keys = [
    'plain',
    'a=b',
    'a/b',
    'a/b/',
    '/lead',
    'x=1&y=2',
    '100%',
    'sp ace',
    'q?x#y',
    'plus+sign',
    'é€😀',
    '..x',
    '.hidden',
    'a;b',
    'tab\t',
  ];
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (const key of keys) {
    const value = Buffer.concat([Buffer.from(`v=${key}/=&/`), bytes]);
    const put = await request(base + keyPath(key), { method: 'PUT', body: value, headers: { 'content-type': 'application/octet-stream' } });
    t.is(put.status, 200, `${key}: ${put.body.toString()}`);
    t.deepEqual(put.json(), { key, status: 'stored' });
    const got = await request(base + keyPath(key));
    t.is(got.status, 200, key);
    t.deepEqual(got.body, value, key);
    t.is(got.headers.get('content-type'), 'application/octet-stream');
    // The key stored is the decoded one: the ZeroMQ client reads it under its own name.
    t.deepEqual(await client.getBuffer(key), value, key);
  }
});

test('a key with an encoded slash round-trips, and an unencoded slash reaches the same key', async (t) => {
  const { base, client } = t.context;
  await client.set('dir/file=1', 'v/=');
  t.is((await request(`${base}/db/dir%2Ffile%3D1`)).body.toString(), 'v/=');
  t.is((await request(`${base}/db/dir/file=1`)).body.toString(), 'v/=');
  t.is((await request(`${base}/db/dir%2ffile=1`)).body.toString(), 'v/=');
});

test('a body of any content type is the value, JSON and text included', async (t) => {
  const { base, client } = t.context;
  for (const type of ['application/json', 'text/plain', 'image/png', 'application/x-unknown']) {
    const key = `typed-${type}`;
    const put = await request(base + keyPath(key), { method: 'PUT', body: '{"a":"b=c"}', headers: { 'content-type': type } });
    t.is(put.status, 200, type);
    t.is(await client.get(key), '{"a":"b=c"}', type);
  }
  const empty = await request(base + keyPath('empty-value'), { method: 'PUT' });
  t.is(empty.status, 200);
  t.is(await client.get('empty-value'), '');
});

test('a form body value=... is decoded, = and / included; one without value is refused', async (t) => {
  const { base, client } = t.context;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  t.is((await request(base + keyPath('form=1'), { method: 'PUT', body: 'value=a%3Db%2Fc+d', headers: form })).status, 200);
  t.is(await client.get('form=1'), 'a=b/c d');
  t.is((await request(base + keyPath('form2'), { method: 'PUT', body: new URLSearchParams({ value: 'x=y/z&w' }) })).status, 200);
  t.is(await client.get('form2'), 'x=y/z&w');

  const bare = await request(base + keyPath('form3'), { method: 'PUT', body: 'just text', headers: form });
  t.is(bare.status, 400);
  t.like(bare.json() as object, { code: 'ERR_BAD_REQUEST' });
  t.is(await client.get('form3'), null);
});

test('a form value that is not UTF-8 once decoded is 400 with a code, and nothing is stored', async (t) => {
  const { base, client } = t.context;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const body of ['value=%FF%FE', 'value=abc%C3']) {
    const answer = await request(base + keyPath('form-utf8'), { method: 'PUT', body, headers: form });
    t.is(answer.status, 400, body);
    t.like(answer.json() as object, { code: 'ERR_BAD_REQUEST' }, body);
    t.regex(String((answer.json() as { message: string }).message), /UTF-8/);
  }
  t.is(await client.get('form-utf8'), null);
});

test('a wrong method on a route is 405 with Allow; an unknown path is still 404', async (t) => {
  const { base } = t.context;
  for (const [method, path, allow] of [
    ['POST', keyPath('k'), 'GET, HEAD, PUT, DELETE'],
    ['PATCH', keyPath('a/b'), 'GET, HEAD, PUT, DELETE'],
    ['DELETE', '/db', 'GET, HEAD'],
    ['PUT', '/db?prefix=x', 'GET, HEAD'],
    ['POST', '/status', 'GET, HEAD'],
    ['POST', '/', 'GET, HEAD'],
    ['PUT', '/status.js', 'GET, HEAD'],
    ['DELETE', '/status.css', 'GET, HEAD'],
    ['POST', '/status/events', 'GET, HEAD'],
    ['PUT', '/metrics', 'GET, HEAD'],
  ] as const) {
    const answer = await request(base + path, { method });
    t.is(answer.status, 405, `${method} ${path}`);
    t.is(answer.headers.get('allow'), allow, `${method} ${path}`);
    t.like(answer.json() as object, { code: 'ERR_METHOD_NOT_ALLOWED' }, `${method} ${path}`);
  }
  t.is((await request(`${base}/dbx`, { method: 'POST' })).status, 404);
});

test('GET and DELETE of a missing key are 404 with a JSON error; DELETE of a present one is 200', async (t) => {
  const { base, client } = t.context;
  const missing = await request(base + keyPath('never-set'));
  t.is(missing.status, 404);
  t.regex(missing.headers.get('content-type') ?? '', /^application\/json/);
  t.deepEqual(missing.json(), { code: 'ERR_NOT_FOUND', message: 'no key "never-set"' });

  await client.set('doomed/=', 'x');
  const deleted = await request(base + keyPath('doomed/='), { method: 'DELETE' });
  t.is(deleted.status, 200);
  t.deepEqual(deleted.json(), { key: 'doomed/=', status: 'deleted' });
  t.is(await client.get('doomed/='), null);
  const again = await request(base + keyPath('doomed/='), { method: 'DELETE' });
  t.is(again.status, 404);
  t.like(again.json() as object, { code: 'ERR_NOT_FOUND' });
});

test('PUT takes ?wait=primary and ?ttl=MS; the key expires on the broker', async (t) => {
  const { base, client } = t.context;
  // Long enough to read it back on a loaded machine; the wait for its expiry allows for as much again.
  const put = await request(`${base}${keyPath('short-lived')}?wait=primary&ttl=6000`, { method: 'PUT', body: 'soon gone' });
  t.is(put.status, 200);
  t.is((await request(base + keyPath('short-lived'))).body.toString(), 'soon gone');
  await waitFor(async () => (await request(base + keyPath('short-lived'))).status === 404, {
    description: 'the key to expire',
    timeoutMs: 20_000,
  });
  t.is(await client.get('short-lived'), null);

  t.is((await request(`${base}${keyPath('kept')}?wait=all&ttl=0`, { method: 'PUT', body: 'v' })).status, 200);
  t.is((await request(`${base}${keyPath('kept')}?wait=primary`, { method: 'DELETE' })).status, 200);
});

test('bad query values are 400 with the code, and nothing is written', async (t) => {
  const { base, client } = t.context;
  for (const query of ['wait=some', 'ttl=-5', 'ttl=1.5', 'ttl=soon', 'wait=all&wait=primary']) {
    const put = await request(`${base}${keyPath('bad-query')}?${query}`, { method: 'PUT', body: 'v' });
    t.is(put.status, 400, query);
    t.like(put.json() as object, { code: 'ERR_BAD_REQUEST' }, query);
  }
  t.is(await client.get('bad-query'), null);
  t.like((await request(`${base}/db?limit=0`)).json() as object, { code: 'ERR_BAD_REQUEST' });
  t.is((await request(`${base}/db?prefix=a&prefix=b`)).status, 400);
});

test('GET /db lists keys by prefix in key order, a page at a time, each page giving the cursor of the next', async (t) => {
  const { base, client } = t.context;
  const keys = ['list*/c', 'list*/a', 'list*/b=1', 'list*/[x]', 'list*/é', 'list?/other', 'listing'];
  await Promise.all(keys.map((key) => client.set(key, 'v')));
  const prefix = `prefix=${encodeURIComponent('list*/')}`;

  const all = await request(`${base}/db?${prefix}`);
  t.is(all.status, 200);
  t.deepEqual(all.json(), ['list*/[x]', 'list*/a', 'list*/b=1', 'list*/c', 'list*/é']);
  t.is(all.headers.get('x-next-cursor'), null, 'one page holds them all');

  const pages: string[][] = [];
  let cursor = '';
  do {
    const page = await request(`${base}/db?${prefix}&limit=2&cursor=${cursor}`);
    t.is(page.status, 200);
    pages.push(page.json() as string[]);
    cursor = page.headers.get('x-next-cursor') ?? '';
  } while (cursor !== '');
  t.deepEqual(pages, [['list*/[x]', 'list*/a'], ['list*/b=1', 'list*/c'], ['list*/é']]);

  t.like((await request(`${base}/db?cursor=${encodeURIComponent('not a cursor!')}`)).json() as object, { code: 'ERR_BAD_REQUEST' });
  t.is((await request(`${base}/db?limit=10001`)).status, 400);
  const none = await request(`${base}/db?prefix=no-such-prefix`);
  t.deepEqual(none.json(), []);
  const everything = (await request(`${base}/db?limit=10000`)).json() as string[];
  t.true(keys.every((key) => everything.includes(key)));
});

test('GET /status answers the nodes as the client sees them', async (t) => {
  const { base, client } = t.context;
  const status = await request(`${base}/status`);
  t.is(status.status, 200);
  const { nodes } = status.json() as { nodes: Array<{ id: string; state: string; seq: number; digest: string; keys: number }> };
  t.deepEqual(nodes.map((n) => n.id).sort(), ['node1', 'node2']);
  t.true(nodes.every((n) => n.state === 'ready' && /^[0-9a-f]{16}$/.test(n.digest) && typeof n.seq === 'number'));
  t.deepEqual((await client.nodes()).map((n) => n.id).sort(), nodes.map((n) => n.id).sort());
});

test('GET / is the status page, its script and style served by the gateway, under a policy that allows nothing else', async (t) => {
  const { base } = t.context;
  const page = await request(`${base}/`);
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  const csp = page.headers.get('content-security-policy') ?? '';
  t.regex(csp, /default-src 'none'/);
  t.regex(csp, /connect-src 'self'/);
  const html = page.body.toString();
  t.regex(html, /<script src="\/status\.js" defer><\/script>/);
  // Nothing the page names lives off this gateway: every src and href is a path of its own, or data:.
  for (const [, url] of html.matchAll(/(?:src|href)="([^"]*)"/g)) t.regex(url!, /^(\/[^/]|data:)/, url);
  const script = await request(`${base}/status.js`);
  t.is(script.status, 200);
  t.is(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.regex(script.body.toString(), /new EventSource\('\/status\/events'\)/);
  t.notRegex(script.body.toString(), /https?:\/\/(?!www\.w3\.org\/2000\/svg')/, 'the script names no other origin than the SVG namespace');
  const style = await request(`${base}/status.css`);
  t.is(style.headers.get('content-type'), 'text/css; charset=utf-8');
  t.is((await request(`${base}/`, { method: 'HEAD' })).status, 200);
  const head = await request(`${base}/status/events`, { method: 'HEAD' });
  t.is(head.status, 200, 'HEAD of the event stream answers at once, with no stream');
  t.is(head.headers.get('content-type'), 'text/event-stream; charset=utf-8');
});

test('GET /status/events streams snapshots: each node with lag, lease and ring share, the ring, the broker and its rates', async (t) => {
  const { base, client } = t.context;
  await client.set('events:k', 'v');
  const controller = new AbortController();
  const response = await fetch(`${base}/status/events`, { signal: controller.signal });
  t.teardown(() => controller.abort());
  t.is(response.status, 200);
  t.is(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = response.body!.getReader();
  let text = '';
  const events: StatusSnapshot[] = [];
  while (events.length < 2) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
    for (let cut = text.indexOf('\n\n'); cut >= 0; cut = text.indexOf('\n\n')) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      if (block.startsWith('data: ')) events.push(JSON.parse(block.slice(6)) as StatusSnapshot);
    }
  }
  const [first, second] = events;
  t.deepEqual(
    first!.nodes.map((n) => n.id),
    ['node1', 'node2'],
  );
  for (const node of first!.nodes) {
    // Other tests write meanwhile: a node may be a write or two behind, and a lease a beat late.
    t.is(node.state, 'ready');
    t.true(node.lag! >= 0 && node.lag! < 1000, `lag ${node.lag}`);
    t.regex(node.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    t.true(node.leaseMs! >= 0 && node.leaseMs! <= 1000, `lease ${node.leaseMs}`);
    t.true(node.share > 0.3 && node.share < 0.7, `share ${node.share}`);
  }
  t.true(first!.broker!.epoch >= 1 && first!.broker!.seq >= 1);
  t.is(first!.broker!.partitioner, 'consistent');
  t.is(first!.ring[0]!.start, 0);
  t.is(first!.ring.at(-1)!.end, 1);
  t.is(second!.rates.writes.length, first!.rates.writes.length + (first!.rates.writes.length < 60 ? 1 : 0));
  t.true(second!.at > first!.at);
  const statusNodes = ((await request(`${base}/status`)).json() as { nodes: { id: string }[] }).nodes;
  t.deepEqual(
    statusNodes.map((n) => n.id),
    first!.nodes.map((n) => n.id),
  );
});

test('GET /metrics: brainer_gateway_* families, and requests counted by method and status class, refusals by code', async (t) => {
  const { base } = t.context;
  const scrape = async (): Promise<string> => (await request(`${base}/metrics`)).body.toString();
  const value = (text: string, series: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
  const before = await scrape();
  for (const family of [
    'brainer_gateway_http_requests_total counter',
    'brainer_gateway_http_request_duration_seconds histogram',
    'brainer_gateway_http_refusals_total counter',
    'brainer_gateway_http_connections_refused_total counter',
    'brainer_gateway_http_requests_in_flight gauge',
    'brainer_gateway_http_in_flight_bytes gauge',
    'brainer_gateway_http_connections gauge',
    'process_cpu_seconds_total counter',
  ])
    t.true(before.includes(`# TYPE ${family}`), family);
  // OPTIONS is used by no other test here, so its count rises by exactly these three.
  for (let i = 0; i < 3; i++) t.is((await request(`${base}/db`, { method: 'OPTIONS' })).status, 405);
  const after = await scrape();
  const options4xx = 'brainer_gateway_http_requests_total{method="OPTIONS",status="4xx"}';
  t.is(value(after, options4xx) - value(before, options4xx), 3);
  const refusals = 'brainer_gateway_http_refusals_total{code="ERR_METHOD_NOT_ALLOWED"}';
  t.true(value(after, refusals) - value(before, refusals) >= 3);
  t.true(value(after, 'brainer_gateway_http_request_duration_seconds_count{method="OPTIONS"}') >= 3);
  t.true(value(after, 'brainer_gateway_http_requests_in_flight') >= 1, 'the scrape itself is in flight');
  t.true(value(after, 'brainer_gateway_http_connections') >= 1);
});

test('a value over the limit is 413 and a key over it 414, both as JSON; at the limit both are stored', async (t) => {
  const { base, client } = t.context;
  const atLimit = await request(base + keyPath('big'), { method: 'PUT', body: Buffer.alloc(MAX_VALUE, 1) });
  t.is(atLimit.status, 200);
  t.is((await client.getBuffer('big'))?.length, MAX_VALUE);

  const over = await request(base + keyPath('too-big'), { method: 'PUT', body: Buffer.alloc(MAX_VALUE + 1, 1) });
  t.is(over.status, 413);
  t.like(over.json() as object, { code: 'ERR_VALUE_TOO_LARGE' });
  const overByForm = await request(base + keyPath('too-big'), {
    method: 'PUT',
    body: new URLSearchParams({ value: 'x'.repeat(MAX_VALUE + 1) }),
  });
  t.is(overByForm.status, 413);
  t.like(overByForm.json() as object, { code: 'ERR_VALUE_TOO_LARGE' });
  // A form body is refused by its size before it is read: the value limit plus 1 KiB, however it decodes.
  const formOverCap = await request(base + keyPath('too-big'), {
    method: 'PUT',
    body: `value=${'%41'.repeat(Math.ceil((MAX_VALUE + 1025) / 3))}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.is(formOverCap.status, 413);
  t.like(formOverCap.json() as object, { code: 'ERR_VALUE_TOO_LARGE' });
  t.is(await client.get('too-big'), null);

  t.is((await request(base + keyPath('k'.repeat(MAX_KEY)), { method: 'PUT', body: 'v' })).status, 200);
  const longKey = await request(base + keyPath('k'.repeat(MAX_KEY + 1)), { method: 'PUT', body: 'v' });
  t.is(longKey.status, 414);
  t.like(longKey.json() as object, { code: 'ERR_KEY_TOO_LARGE' });
  // Past what any key under the limit could need, Node refuses the request line itself: still JSON.
  const hugeUrl = await request(base + keyPath('k'.repeat(3 * MAX_KEY + 20_000)));
  t.is(hugeUrl.status, 431);
  t.like(hugeUrl.json() as object, { code: 'ERR_BAD_REQUEST' });
});

test('an empty key, a URL that does not decode and an unknown route get JSON errors', async (t) => {
  const { base } = t.context;
  const empty = await request(`${base}/db/`);
  t.is(empty.status, 400);
  t.like(empty.json() as object, { code: 'ERR_BAD_KEY' });
  const undecodable = await request(`${base}/db/%E2%82`);
  t.is(undecodable.status, 400);
  t.like(undecodable.json() as object, { code: 'ERR_BAD_KEY' });
  const route = await request(`${base}/nowhere`, { method: 'POST' });
  t.is(route.status, 404);
  t.like(route.json() as object, { code: 'ERR_NOT_FOUND' });
});

test('many requests at once each get their own answer', async (t) => {
  const { base } = t.context;
  const keys = Array.from({ length: 200 }, (_, i) => `many/${i}=`);
  const puts = await Promise.all(keys.map((key) => request(base + keyPath(key), { method: 'PUT', body: `value of ${key}` })));
  t.true(puts.every((put) => put.status === 200));
  const gets = await Promise.all(keys.map((key) => request(base + keyPath(key))));
  t.deepEqual(
    gets.map((get) => get.body.toString()),
    keys.map((key) => `value of ${key}`),
  );
  t.true((await t.context.client.verify()).ok);
});

const curlTest = hasCurl() ? test : test.skip;

curlTest('curl: the README commands store, read, list and delete', async (t) => {
  const { base, client } = t.context;
  const dir = await mkdtemp(join(tmpdir(), 'brainer-curl-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  t.deepEqual(
    await curl(['-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '--data-binary', 'a=b/c', `${base}/db/curl%2Fk%3D1`]),
    {
      status: 200,
      body: '{"key":"curl/k=1","status":"stored"}',
    },
  );
  t.deepEqual(await curl([`${base}/db/curl%2Fk%3D1`]), { status: 200, body: 'a=b/c' });
  t.is(await client.get('curl/k=1'), 'a=b/c');

  t.is((await curl(['-X', 'PUT', '-d', 'value=hello world', `${base}/db/curl-form?ttl=60000`])).status, 200);
  t.is(await client.get('curl-form'), 'hello world');
  t.is((await curl(['-X', 'PUT', '--data-urlencode', 'value=x=1&y=/2', `${base}/db/curl-urlencoded`])).status, 200);
  t.is(await client.get('curl-urlencoded'), 'x=1&y=/2');

  const file = join(dir, 'value.bin');
  await writeFile(file, Buffer.from([0, 1, 2, 255, 61, 47]));
  t.is((await curl(['-T', file, `${base}/db/curl-file`])).status, 200);
  t.deepEqual(await client.getBuffer('curl-file'), Buffer.from([0, 1, 2, 255, 61, 47]));

  // URL clients drop a path segment of . or .. unless told not to.
  t.is((await curl(['--path-as-is', '-X', 'PUT', '-H', 'Content-Type: text/plain', '--data-binary', 'dots', `${base}/db/..`])).status, 200);
  t.is(await client.get('..'), 'dots');

  t.deepEqual(await curl([`${base}/db?prefix=curl&limit=2`]), { status: 200, body: '["curl-file","curl-form"]' });
  t.is((await curl([`${base}/status`])).status, 200);

  t.deepEqual(await curl(['-X', 'DELETE', `${base}/db/curl%2Fk%3D1`]), { status: 200, body: '{"key":"curl/k=1","status":"deleted"}' });
  const missing = await curl([`${base}/db/curl%2Fk%3D1`]);
  t.is(missing.status, 404);
  t.like(JSON.parse(missing.body) as object, { code: 'ERR_NOT_FOUND' });
});

test('past its cap of bytes in flight, a gateway answers 503 ERR_BACKPRESSURE before reading the body', async (t) => {
  const gateway = new HttpGateway({ client: t.context.client, maxInFlightBytes: 1000 });
  t.teardown(() => gateway.close());
  await gateway.start();
  // A body of 800 bytes announced, and only its first bytes sent: it holds 800 bytes until it times out.
  const held = rawHttp(gateway.url, `PUT /db/held HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\nabc`, { waitMs: 2000 });
  // Once the held request has reached the gateway, a second one over what is left of the cap is refused.
  const refused = await waitFor(async () => {
    const answer = await request(`${gateway.url}${keyPath('over-the-cap')}`, { method: 'PUT', body: 'x'.repeat(300) });
    return answer.status === 503 ? answer : undefined;
  });
  t.is(refused.status, 503);
  t.is(refused.headers.get('retry-after'), '1');
  t.like(refused.json() as object, { code: 'ERR_BACKPRESSURE' });
  t.is((await request(`${gateway.url}${keyPath('under-the-cap')}`, { method: 'PUT', body: 'x'.repeat(100) })).status, 200);
  t.is(await held, 'timeout', 'the held request is still waiting for its body');
});

test('with a registry, a gateway counts the bytes a held request holds, open connections, and connections refused at its cap', async (t) => {
  const registry = new Registry();
  const gateway = new HttpGateway({ client: t.context.client, maxConnections: 1, metrics: registry });
  t.teardown(() => gateway.close());
  await gateway.start();
  const value = async (name: string): Promise<number> =>
    (await registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value ?? 0;
  // The one connection allowed holds a request whose 800-byte body has not come.
  const held = rawHttp(gateway.url, `PUT /db/held HTTP/1.1\r\nHost: x\r\nContent-Length: 800\r\n\r\nabc`, { waitMs: 3000 });
  await waitFor(async () => (await value('brainer_gateway_http_in_flight_bytes')) === 800, { description: '800 bytes held' });
  t.is(await value('brainer_gateway_http_connections'), 1);
  t.is(await value('brainer_gateway_http_requests_in_flight'), 1);
  // A second connection is over the cap: Node closes it as soon as it is accepted.
  const { port } = new URL(gateway.url);
  const refused = connect(Number(port), '127.0.0.1');
  refused.on('error', () => undefined);
  await new Promise((resolve) => refused.once('close', resolve));
  await waitFor(async () => (await value('brainer_gateway_http_connections_refused_total')) === 1, { description: 'one refused' });
  t.is(await held, 'timeout');
});

test('an event stream outlives the idle timeout between its events, and closing the gateway ends it', async (t) => {
  // Events 1.5 s apart, and a 1 s idle timeout for the connections that are not streams.
  const gateway = new HttpGateway({ client: t.context.client, statusIntervalMs: 1500, requestTimeoutMs: 1000, headersTimeoutMs: 500 });
  t.teardown(() => gateway.close());
  await gateway.start();
  const response = await fetch(`${gateway.url}/status/events`);
  const reader = response.body!.getReader();
  let text = '';
  while ((text.match(/^data: /gm) ?? []).length < 2) {
    const { value, done } = await reader.read();
    if (done) return t.fail(`the stream ended after ${JSON.stringify(text.slice(0, 40))}...`);
    text += Buffer.from(value).toString();
  }
  const closing = Date.now();
  await gateway.close();
  t.true(Date.now() - closing < 2000, `closed in ${Date.now() - closing} ms`);
  for (;;) if ((await reader.read()).done) break;
  t.pass();
});
