import test from 'ava';
import { badFrameAnswer, decodeFrames, DecodeError, encode, OP_CODES, PROTOCOL_VERSION, type Message } from '../src/index.js';

function decodeError(frames: Buffer[]): DecodeError {
  const error = (() => {
    try {
      decodeFrames(frames);
    } catch (thrown) {
      return thrown;
    }
    return undefined;
  })();
  if (!(error instanceof DecodeError)) throw new Error('expected a DecodeError');
  return error;
}

/** A request whose first op is a ping with id 7 and whose second op has an unknown code. */
function requestWithBadSecondOp(): Buffer {
  const frame = Buffer.alloc(2 + 4 + 5 + 5);
  frame.writeUInt8(PROTOCOL_VERSION, 0);
  frame.writeUInt8(encode({ type: 'request', ops: [] })[1]!, 1);
  frame.writeUInt32LE(2, 2);
  frame.writeUInt32LE(7, 6);
  frame.writeUInt8(OP_CODES.ping, 10);
  frame.writeUInt32LE(8, 11);
  frame.writeUInt8(99, 15);
  return frame;
}

test('decodeFrames decodes a message of one frame', (t) => {
  const message: Message = { type: 'request', ops: [{ op: 'ping', id: 1 }] };
  t.deepEqual(decodeFrames([encode(message)]), message);
});

const table: [name: string, frames: Buffer[], answer: Message][] = [
  ['no frame', [], { type: 'error', code: 'ERR_MALFORMED', message: 'expected 1 frame, got 0' }],
  [
    'two frames',
    [encode({ type: 'request', ops: [] }), Buffer.alloc(1)],
    { type: 'error', code: 'ERR_MALFORMED', message: 'expected 1 frame, got 2' },
  ],
  [
    'an unknown version',
    [Buffer.from([2, 1])],
    { type: 'error', code: 'ERR_BAD_VERSION', message: `protocol version 2 is not supported (expected ${PROTOCOL_VERSION})` },
  ],
];

for (const [name, frames, answer] of table) {
  test(`badFrameAnswer answers ${name} with one error message`, (t) => {
    t.deepEqual(badFrameAnswer(decodeError(frames)), answer);
  });
}

test('badFrameAnswer refuses every op id read before the failure, in one reply', (t) => {
  const error = decodeError([requestWithBadSecondOp()]);
  t.is(error.code, 'ERR_UNKNOWN_OP');
  const answer = badFrameAnswer(error);
  t.is(answer.type, 'reply');
  if (answer.type !== 'reply') return;
  t.deepEqual(
    answer.replies.map((reply) => [reply.id, reply.ok ? undefined : reply.code]),
    [
      [7, 'ERR_UNKNOWN_OP'],
      [8, 'ERR_UNKNOWN_OP'],
    ],
  );
});
