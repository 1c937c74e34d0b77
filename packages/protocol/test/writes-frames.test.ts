import test from 'ava';
import { decode, encode, joinWritesFrames, readWritesHeader, type MessageOf, type Write } from '../src/index.js';

const set = (key: string, value: string): Write => ({ kind: 'set', key, value: Buffer.from(value), expiresAt: 0 });

function writes(epoch: number, firstSeq: number, ...list: Write[]): MessageOf<'writes'> {
  return { type: 'writes', epoch, firstSeq, sentAt: 1000, writes: list };
}

test('joined frames decode as one writes message holding every write in order', (t) => {
  const parts = [
    writes(3, 10, set('a', '1')),
    writes(3, 11, set('b', '2'), { kind: 'del', key: 'a', origin: { client: 'ab', opId: 4 } }),
    writes(3, 13),
    writes(3, 13, set('ключ', 'v')),
  ];
  const joined = joinWritesFrames(parts.map(encode), 1000);
  t.deepEqual(decode(joined), writes(3, 10, ...parts.flatMap((part) => part.writes)));
  t.deepEqual(readWritesHeader(joined), { epoch: 3, firstSeq: 10, sentAt: 1000, count: 4 });
});

test('frames sent again carry the new sentAt, so their expiries carry the time left now', (t) => {
  const first = writes(1, 1, { kind: 'set', key: 'a', value: Buffer.from('1'), expiresAt: 6000 });
  const frame = encode(first);
  const later = joinWritesFrames([frame], 4000);
  t.not(later, frame, 'a new frame: the one sent first may still be in a socket queue');
  t.is(readWritesHeader(frame).sentAt, 1000);
  t.deepEqual(decode(later), { ...first, sentAt: 4000 });
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
    t.throws(() => joinWritesFrames(frames(), 0), { code: 'ERR_MALFORMED' });
  });
}
