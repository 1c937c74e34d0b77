import test from 'ava';
import { decode, encode, type MessageOf, type Write } from '@brainer/protocol';
import { Backlog } from '../src/backlog.js';

const EPOCH = 2;

/** Adds one frame per batch size, seqs following on from `after`; answers the last seq. */
function fill(backlog: Backlog, after: number, sizes: number[]): number {
  let seq = after;
  for (const size of sizes) {
    const writes: Write[] = Array.from({ length: size }, (_, i) => ({
      kind: 'set',
      key: `k${seq + 1 + i}`,
      value: Buffer.alloc(10),
      expiresAt: 0,
    }));
    backlog.add(seq + 1, size, encode({ type: 'writes', epoch: EPOCH, firstSeq: seq + 1, sentAt: 0, writes }));
    seq += size;
  }
  return seq;
}

/** The seqs the replayed frames carry, in order. */
function replayedSeqs(frames: Buffer[]): number[] {
  return frames.flatMap((frame) => {
    const message = decode(frame) as MessageOf<'writes'>;
    return message.writes.map((_, i) => message.firstSeq + i);
  });
}

/** Why a node may not resume, or '' when it may. */
function reasonOf(point: { from: number } | { reason: string }): string {
  return 'reason' in point ? point.reason : '';
}

const origin = { epoch: 1, seq: 100, digest: 'aaaaaaaaaaaaaaaa' };

test('a node this epoch had ready resumes from its seq, and the replay holds every write after it', (t) => {
  const backlog = new Backlog({ writes: 1000, bytes: 1 << 20 });
  backlog.startEpoch(100, origin);
  const last = fill(backlog, 100, [1, 3, 2, 5, 1]);
  backlog.vouch('n1');
  t.deepEqual(backlog.resumePoint({ nodeId: 'n1', epoch: EPOCH, seq: 104, digest: 'x' }, EPOCH, last), { from: 104 });
  const seqs = replayedSeqs(backlog.framesAfter(104, 0));
  t.deepEqual(
    seqs.filter((seq) => seq > 104),
    [105, 106, 107, 108, 109, 110, 111, 112],
  );
  t.true(seqs[0]! <= 105, 'the first frame may start before; the node skips what it has');
  t.is(backlog.framesAfter(104, 0).length, 1, 'small frames are joined into one');
  t.deepEqual(backlog.framesAfter(last, 0), []);
});

test('a node at the point the epoch started from resumes from the epoch start', (t) => {
  const backlog = new Backlog({ writes: 1000, bytes: 1 << 20 });
  backlog.startEpoch(120, origin);
  const last = fill(backlog, 120, [4]);
  t.deepEqual(backlog.resumePoint({ nodeId: 'late', ...origin }, EPOCH, last), { from: 120 });
  t.regex(reasonOf(backlog.resumePoint({ nodeId: 'late', ...origin, digest: 'bbbbbbbbbbbbbbbb' }, EPOCH, last)), /not a point/);
  t.regex(reasonOf(backlog.resumePoint({ nodeId: 'late', ...origin, seq: 99 }, EPOCH, last)), /not a point/);
  t.like(backlog.resumePoint({ nodeId: 'late', ...origin, seq: 101 }, EPOCH, last), { ahead: true });
  t.like(backlog.resumePoint({ nodeId: 'late', ...origin, seq: 99 }, EPOCH, last), { ahead: false });
});

test('a node of this epoch that this broker never had ready, or of another epoch, joins in full', (t) => {
  const backlog = new Backlog({ writes: 1000, bytes: 1 << 20 });
  backlog.startEpoch(0, undefined);
  const last = fill(backlog, 0, [5]);
  backlog.vouch('n1');
  t.regex(reasonOf(backlog.resumePoint({ nodeId: 'stranger', epoch: EPOCH, seq: 3, digest: 'x' }, EPOCH, last)), /not a point/);
  t.regex(reasonOf(backlog.resumePoint({ nodeId: 'n1', epoch: EPOCH - 1, seq: 3, digest: 'x' }, EPOCH, last)), /not a point/);
  t.regex(reasonOf(backlog.resumePoint({ nodeId: 'n1', epoch: EPOCH, seq: 9, digest: 'x' }, EPOCH, last)), /past the broker/);
});

test('the oldest frames go past the limits, and a node behind them joins in full', (t) => {
  const backlog = new Backlog({ writes: 10, bytes: 1 << 20 });
  backlog.startEpoch(0, undefined);
  backlog.vouch('n1');
  const last = fill(backlog, 0, [4, 4, 4, 4]);
  t.deepEqual(backlog.stats, { writes: 8, bytes: backlog.stats.bytes, fromSeq: 8 });
  t.regex(reasonOf(backlog.resumePoint({ nodeId: 'n1', epoch: EPOCH, seq: 7, digest: 'x' }, EPOCH, last)), /after seq 8 only/);
  t.deepEqual(backlog.resumePoint({ nodeId: 'n1', epoch: EPOCH, seq: 8, digest: 'x' }, EPOCH, last), { from: 8 });
  t.deepEqual(replayedSeqs(backlog.framesAfter(8, 0)), [9, 10, 11, 12, 13, 14, 15, 16]);

  const bytes = new Backlog({ writes: 1000, bytes: 1000 });
  bytes.startEpoch(0, undefined);
  fill(bytes, 0, [1, 1, 1, 1, 1, 1, 1, 1]);
  t.true(bytes.stats.bytes <= 1000);
  t.true(bytes.stats.fromSeq > 0);
});

test('a new epoch forgets the old writes and the nodes it had ready', (t) => {
  const backlog = new Backlog({ writes: 1000, bytes: 1 << 20 });
  backlog.startEpoch(0, undefined);
  backlog.vouch('n1');
  fill(backlog, 0, [5]);
  backlog.startEpoch(5, undefined);
  t.deepEqual(backlog.stats, { writes: 0, bytes: 0, fromSeq: 5 });
  t.regex(reasonOf(backlog.resumePoint({ nodeId: 'n1', epoch: EPOCH, seq: 5, digest: 'x' }, EPOCH, 5)), /not a point/);
});

test('a long replay comes as a few large frames', (t) => {
  const backlog = new Backlog({ writes: 1_000_000, bytes: 64 << 20 });
  backlog.startEpoch(0, undefined);
  backlog.vouch('n1');
  const last = fill(
    backlog,
    0,
    Array.from({ length: 3000 }, () => 100),
  );
  const frames = backlog.framesAfter(0, 0);
  t.true(frames.length > 1 && frames.length < 10, `${frames.length} frames`);
  const seqs = replayedSeqs(frames);
  t.is(seqs.length, last);
  t.true(seqs.every((seq, i) => seq === i + 1));
});
