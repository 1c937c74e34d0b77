import test from 'ava';
import { DecodeError, SnapshotChunkWriter, decode, encode, readSnapshotChunk, type MessageOf } from '../src/index.js';

const chunk: MessageOf<'snapshot-chunk'> = {
  type: 'snapshot-chunk',
  joinId: 9,
  sentAt: 1_000_000,
  entries: [
    { key: 'plain', value: Buffer.from('1'), seq: 4, expiresAt: 0 },
    { key: 'ttl', value: Buffer.from('22'), seq: 5, expiresAt: 1_007_000 },
    { key: 'expired', value: Buffer.from(''), seq: 6, expiresAt: 999_000 },
  ],
};

test('the chunk writer encodes what encode does', (t) => {
  const writer = new SnapshotChunkWriter(chunk.joinId, chunk.sentAt);
  for (const entry of chunk.entries) writer.add(entry.key, entry.value, 0, entry.value.length, entry.seq, entry.expiresAt);
  const frame = writer.finish();
  t.deepEqual(frame, encode(chunk));
  t.deepEqual(decode(frame), chunk);
});

test('the chunk reader hands each expiry over on the reader clock, with the time left the source saw', (t) => {
  const seen: [string, string, number, number][] = [];
  const read = readSnapshotChunk(encode(chunk), 5_000, (key, bytes, start, end, seq, expiresAt) => {
    seen.push([key, bytes.toString('utf8', start, end), seq, expiresAt]);
  });
  t.deepEqual(read, { joinId: 9, count: 3 });
  t.deepEqual(seen, [
    ['plain', '1', 4, 0],
    ['ttl', '22', 5, 12_000],
    ['expired', '', 6, 4_000],
  ]);
});

test('the chunk reader rejects a non-finite expiry', (t) => {
  const frame = encode({ ...chunk, entries: [chunk.entries[1]!] });
  frame.writeDoubleLE(Number.NaN, frame.length - 8);
  const error = t.throws(() => readSnapshotChunk(frame, 0, () => undefined), { instanceOf: DecodeError });
  t.is(error.code, 'ERR_MALFORMED');
});
