import test from 'ava';
import { encode, writeBytesBound, type Write } from '@brainer/protocol';
import { Sequencer } from '../src/sequencer.js';

const set = (key: string, bytes: number): Write => ({ kind: 'set', key, value: Buffer.alloc(bytes), expiresAt: 0 });

test('writes of one tick go out as messages of at most maxFrameBytes, contiguous in seq', (t) => {
  const sequencer = new Sequencer(3, 10, 1000);
  for (let i = 0; i < 5; i++) sequencer.next(set(`k${i}`, 400));
  const messages = sequencer.take(7);
  t.deepEqual(
    messages.map((m) => [m.firstSeq, m.writes.length]),
    [
      [11, 2],
      [13, 2],
      [15, 1],
    ],
  );
  t.true(messages.every((m) => m.epoch === 3 && m.sentAt === 7));
  t.deepEqual(sequencer.take(8), []);
});

test('a write larger than maxFrameBytes goes alone in its message', (t) => {
  const sequencer = new Sequencer(1, 0, 1000);
  sequencer.next(set('small', 10));
  sequencer.next(set('big', 5000));
  sequencer.next(set('after', 10));
  t.deepEqual(
    sequencer.take(0).map((m) => m.writes.map((w) => ('key' in w ? w.key : ''))),
    [['small'], ['big'], ['after']],
  );
});

test('a write bound covers its encoded bytes, so a writes frame is encoded without growing', (t) => {
  const writes: Write[] = [
    set('ключ', 64 * 1024),
    { kind: 'del', key: 'k' },
    { kind: 'set', key: 'o', value: Buffer.alloc(3), expiresAt: 5, origin: { client: 'клиент', opId: 9 } },
  ];
  const frame = encode({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: 0, writes });
  const bound = 30 + writes.reduce((sum, write) => sum + writeBytesBound(write), 0);
  t.true(frame.length <= bound);
  t.is(frame.buffer.byteLength, bound, 'one allocation of the bound, never grown');
});
