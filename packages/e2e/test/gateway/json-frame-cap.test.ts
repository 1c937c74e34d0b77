import test from 'ava';
import { startCluster } from '@brainer/test-utils';
import { JsonRequester } from './json-helpers.js';

const MIB = 1024 * 1024;

test('row 7: a 100 MiB JSON-ops frame gets exactly one ERR_FRAME_TOO_LARGE reply, unparsed, and the REQ socket goes on', async (t) => {
  const cluster = await startCluster({ nodes: 1, brokerArgs: ['--json-endpoint', 'tcp://127.0.0.1:*'] });
  t.teardown(() => cluster.stop());
  const req = new JsonRequester(cluster.broker.readyLine.json!);
  t.teardown(() => req.close());

  // Valid JSON all the way: were it parsed, it would be a PUT of a 100 MiB value.
  const frame = Buffer.alloc(100 * MIB, 0x61);
  Buffer.from('{"op":"PUT","key":"huge","value":"').copy(frame);
  Buffer.from('"}').copy(frame, frame.length - 2);
  const refused = await req.ask(frame);
  t.is(refused.code, 'ERR_FRAME_TOO_LARGE');
  t.regex(String(refused.message), /104857600 bytes is over the 67108864-byte limit/);

  t.deepEqual(await req.ask({ op: 'PUT', key: 'after', value: 'v' }), { key: 'after', value: 'v' });
  t.deepEqual(await req.ask({ op: 'GET_ONE', key: 'huge' }), { code: 'ERR_NOT_FOUND', message: 'no key "huge"' });
  t.false(cluster.broker.hasExited);
});

test('a frame at the cap is parsed as usual, and one past it with --max-frame-bytes lowered is refused', async (t) => {
  const cluster = await startCluster({ nodes: 1, brokerArgs: ['--json-endpoint', 'tcp://127.0.0.1:*', '--max-frame-bytes', String(MIB)] });
  t.teardown(() => cluster.stop());
  const req = new JsonRequester(cluster.broker.readyLine.json!);
  t.teardown(() => req.close());
  // JSON allows whitespace: a small PUT padded to the size wanted.
  const request = (bytes: number): Buffer => Buffer.from('{"op":"PUT","key":"k","value":"v"}'.padEnd(bytes, ' '));
  t.deepEqual(await req.ask(request(MIB)), { key: 'k', value: 'v' });
  t.like(await req.ask(request(MIB + 1)), { code: 'ERR_FRAME_TOO_LARGE' });
});
