import test from 'ava';
import { receiveLoop, type ReceivingSocket } from '../src/index.js';

/** A socket that yields the given messages, then fails its next receive unless `end` is set. */
class FakeSocket implements ReceivingSocket {
  closed = false;
  readable = true;

  constructor(
    private readonly messages: Buffer[][],
    private readonly end = false,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer[]> {
    for (const [i, message] of this.messages.entries()) {
      this.readable = i < this.messages.length - 1;
      yield message;
    }
    if (!this.end) throw new Error('the socket was closed');
  }
}

const messages = [[Buffer.from('a')], [Buffer.from('b')], [Buffer.from('c')]];

test('hands every message to the handler in order, and resolves when the messages end', async (t) => {
  const seen: string[] = [];
  await receiveLoop(new FakeSocket(messages, true), (frames) => void seen.push(frames[0]!.toString()));
  t.deepEqual(seen, ['a', 'b', 'c']);
});

test('awaits a handler that returns a promise before the next message', async (t) => {
  const seen: string[] = [];
  await receiveLoop(new FakeSocket(messages, true), async (frames) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    seen.push(frames[0]!.toString());
  });
  t.deepEqual(seen, ['a', 'b', 'c']);
});

test('with onHandlerError, a failing handler is reported and the loop goes on', async (t) => {
  const errors: unknown[] = [];
  const seen: string[] = [];
  await receiveLoop(
    new FakeSocket(messages, true),
    (frames) => {
      if (frames[0]!.toString() === 'b') throw new Error('bad b');
      seen.push(frames[0]!.toString());
    },
    { onHandlerError: (error) => errors.push(error) },
  );
  t.deepEqual(seen, ['a', 'c']);
  t.is((errors[0] as Error).message, 'bad b');
});

test('without onHandlerError, a failing handler ends the loop', async (t) => {
  const seen: string[] = [];
  const loop = receiveLoop(new FakeSocket(messages, true), (frames) => {
    if (frames[0]!.toString() === 'b') throw new Error('bad b');
    seen.push(frames[0]!.toString());
  });
  await t.throwsAsync(loop, { message: 'bad b' });
  t.deepEqual(seen, ['a']);
});

test('calls onDrained after a message when nothing more is queued', async (t) => {
  let drained = 0;
  await receiveLoop(new FakeSocket(messages, true), () => {}, { onDrained: () => drained++ });
  t.is(drained, 1);
});

/** Yields one message per entry; `readable` after it is the entry, and every read of it is counted. */
class ScriptedSocket implements ReceivingSocket {
  closed = false;
  reads = 0;
  private queued = false;

  constructor(private readonly queuedAfter: boolean[]) {}

  get readable(): boolean {
    this.reads++;
    return this.queued;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer[]> {
    for (const queued of this.queuedAfter) {
      this.queued = queued;
      yield [Buffer.from('m')];
    }
  }
}

test('with drainCheckEveryMs 0, asks after every message and reports every drain', async (t) => {
  const socket = new ScriptedSocket([false, true, false, false]);
  let drained = 0;
  await receiveLoop(socket, () => {}, { onDrained: () => drained++, drainCheckEveryMs: 0, now: () => 0 });
  t.is(socket.reads, 4);
  t.is(drained, 3);
});

test('after a drain is reported, the socket is not asked again until drainCheckEveryMs has passed', async (t) => {
  const socket = new ScriptedSocket([false, false, false, true, false, false]);
  let clock = 0;
  const drainedAt: number[] = [];
  // The clock moves 4 ms a message.
  await receiveLoop(socket, () => void (clock += 4), { onDrained: () => drainedAt.push(clock), drainCheckEveryMs: 10, now: () => clock });
  // Drained at 4; not asked at 8 and 12; asked at 16 (input waits), 20 (drained); not at 24.
  t.deepEqual(drainedAt, [4, 20]);
  t.is(socket.reads, 3);
});

test('once due, the socket is asked after every message until it is found drained', async (t) => {
  const socket = new ScriptedSocket([false, true, true, true, false]);
  let clock = 0;
  const drainedAt: number[] = [];
  await receiveLoop(socket, () => void (clock += 20), { onDrained: () => drainedAt.push(clock), drainCheckEveryMs: 10, now: () => clock });
  t.deepEqual(drainedAt, [20, 100]);
  t.is(socket.reads, 5);
});

test('a failed receive rejects, unless the socket is being closed', async (t) => {
  await t.throwsAsync(
    receiveLoop(new FakeSocket(messages), () => {}),
    { message: 'the socket was closed' },
  );
  const closed = new FakeSocket(messages);
  await t.notThrowsAsync(receiveLoop(closed, () => void (closed.closed = true)));
  await t.notThrowsAsync(receiveLoop(new FakeSocket(messages), () => {}, { closing: () => true }));
});
