import test from 'ava';
import { decode, encode, joinWritesFrames, readWritesHeader, type MessageOf, type Write } from '../src/index.js';

const set = (key: string, value: string): Write => ({ kind: 'set', key, value: Buffer.from(value), expiresAt: 0 });

function writes(epoch: number, firstSeq: number, ...list: Write[]): MessageOf<'writes'> {
  return { type: 'writes', epoch, firstSeq, writes: list };
}

test('joined frames decode as one writes message holding every write in order', (t) => {
  const parts = [
    writes(3, 10, set('a', '1')),
    writes(3, 11, set('b', '2'), { kind: 'del', key: 'a', origin: { client: 'ab', opId: 4 } }),
    writes(3, 13),
    writes(3, 13, set('ключ', 'v')),
  ];
  const joined = joinWritesFrames(parts.map(encode));
  t.deepEqual(decode(joined), writes(3, 10, ...parts.flatMap((part) => part.writes)));
  t.deepEqual(readWritesHeader(joined), { epoch: 3, firstSeq: 10, count: 4 });
});

test('one frame comes back as it is', (t) => {
  const frame = encode(writes(1, 1, set('a', '1')));
  t.is(joinWritesFrames([frame]), frame);
});

const refused: [string, () => Buffer[]][] = [
  ['a gap between frames', () => [encode(writes(1, 1, set('a', '1'))), encode(writes(1, 3, set('b', '2')))]],
  ['an overlap between frames', () => [encode(writes(1, 1, set('a', '1'), set('b', '2'))), encode(writes(1, 2, set('c', '3')))]],
  ['frames of two epochs', () => [encode(writes(1, 1, set('a', '1'))), encode(writes(2, 2, set('b', '2')))]],
  ['a frame of another type', () => [encode(writes(1, 1)), encode({ type: 'ack', epoch: 1, seq: 1, removed: [] })]],
  ['nothing to join', () => []],
];
for (const [name, frames] of refused) {
  test(`refuses ${name}`, (t) => {
    t.throws(() => joinWritesFrames(frames()), { code: 'ERR_MALFORMED' });
  });
}
