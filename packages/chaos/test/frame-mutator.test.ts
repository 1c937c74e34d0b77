import test from 'ava';
import { decode, encode } from '@brainer/protocol';
import { MESSAGE_TYPE_NAMES, Prng, edgeCases, randomMessage, sampleMessage } from '../src/index.js';

test('a sample of every message type encodes and decodes back', (t) => {
  const prng = new Prng(3);
  for (let round = 0; round < 20; round++) {
    for (const type of MESSAGE_TYPE_NAMES) {
      const message = sampleMessage(prng, type);
      t.is(decode(encode(message)).type, type);
    }
  }
});

test('the edge cases cover every class of bad input, and each one is rejected by the decoder', (t) => {
  const cases = edgeCases(new Prng(5));
  const kinds = new Set(cases.map((c) => c.mutation));
  for (const kind of [
    'edge:version',
    'edge:many-frames',
    'edge:huge-count',
    'edge:bad-utf8',
    'edge:oversize-value',
    'edge:wrong-role',
    'edge:truncated',
  ]) {
    t.true(kinds.has(kind), kind);
  }
  t.true(cases.some((c) => c.frames.length === 1000));
  const codes = new Set<string>();
  for (const c of cases.filter(
    (c) => c.frames.length === 1 && /version|huge-count|bad-utf8|truncated|trailing|bad-count|unknown-op|bad-wait|bad-ttl/.test(c.mutation),
  )) {
    const error = t.throws(() => decode(c.frames[0]!), undefined, c.mutation) as { code?: string } | undefined;
    codes.add(error?.code ?? '');
  }
  t.deepEqual([...codes].sort(), ['ERR_BAD_KEY', 'ERR_BAD_REQUEST', 'ERR_BAD_VERSION', 'ERR_MALFORMED', 'ERR_UNKNOWN_OP']);
});

test('the same seed gives the same messages', (t) => {
  const a = new Prng(9);
  const b = new Prng(9);
  for (let i = 0; i < 200; i++) t.deepEqual(randomMessage(a), randomMessage(b));
});
