import test from 'ava';
import { SerialSender } from '../src/index.js';

/** A promise with its resolve and reject exposed. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Waits until `condition` holds, failing after `ms` rather than hanging the run. */
async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await settle();
  }
}

/** A send function whose calls stay pending until the test finishes them one by one. */
function manualSocket<M>() {
  const calls: { message: M; done: ReturnType<typeof deferred> }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sendOne = (message: M): Promise<void> => {
    const done = deferred();
    calls.push({ message, done });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return done.promise.finally(() => inFlight--);
  };
  return { calls, sendOne, maxInFlight: () => maxInFlight };
}

test('messages go out in the order they were sent', async (t) => {
  const sent: number[] = [];
  const sender = new SerialSender<number>(
    async (message) => {
      // Later messages finish faster: a sender that did not wait would reorder them.
      await new Promise((resolve) => setTimeout(resolve, 10 - message));
      sent.push(message);
    },
    (error) => t.fail(String(error)),
  );
  for (let i = 0; i < 10; i++) sender.send(i);
  await until(() => sent.length === 10);
  t.deepEqual(sent, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.is(sender.queued, 0);
});

test('only one send is in flight at a time', async (t) => {
  const socket = manualSocket<string>();
  const sender = new SerialSender<string>(socket.sendOne, (error) => t.fail(String(error)));
  sender.send('a');
  sender.send('b');
  sender.send('c');
  await settle();
  t.deepEqual(
    socket.calls.map((call) => call.message),
    ['a'],
  );
  t.is(sender.queued, 2);

  socket.calls[0]!.done.resolve();
  await settle();
  t.deepEqual(
    socket.calls.map((call) => call.message),
    ['a', 'b'],
  );
  t.is(sender.queued, 1);

  sender.send('d');
  socket.calls[1]!.done.resolve();
  await settle();
  socket.calls[2]!.done.resolve();
  await settle();
  socket.calls[3]!.done.resolve();
  await settle();
  t.deepEqual(
    socket.calls.map((call) => call.message),
    ['a', 'b', 'c', 'd'],
  );
  t.is(socket.maxInFlight(), 1);
  t.is(sender.queued, 0);
});

test('a send after the queue drained starts again', async (t) => {
  const sent: string[] = [];
  const sender = new SerialSender<string>(
    async (message) => {
      sent.push(message);
    },
    (error) => t.fail(String(error)),
  );
  sender.send('first');
  await settle();
  t.deepEqual(sent, ['first']);
  sender.send('second');
  await settle();
  t.deepEqual(sent, ['first', 'second']);
});

test('a failed send goes to onError and the queue goes on', async (t) => {
  const sent: string[] = [];
  const errors: [unknown, string][] = [];
  const boom = new Error('boom');
  const sender = new SerialSender<string>(
    async (message) => {
      if (message === 'bad') throw boom;
      sent.push(message);
    },
    (error, message) => errors.push([error, message]),
  );
  sender.send('one');
  sender.send('bad');
  sender.send('two');
  await until(() => sent.length === 2);
  t.deepEqual(sent, ['one', 'two']);
  t.deepEqual(errors, [[boom, 'bad']]);
});

test('a send function that throws synchronously is handled like a rejection', async (t) => {
  const sent: string[] = [];
  const errors: string[] = [];
  const sender = new SerialSender<string>(
    (message) => {
      if (message === 'bad') throw new Error('sync');
      sent.push(message);
      return Promise.resolve();
    },
    (_error, message) => errors.push(message),
  );
  sender.send('bad');
  sender.send('good');
  await until(() => sent.length === 1);
  t.deepEqual(errors, ['bad']);
  t.deepEqual(sent, ['good']);
});

test('clear drops what is queued but not the send in flight', async (t) => {
  const socket = manualSocket<string>();
  const sender = new SerialSender<string>(socket.sendOne, (error) => t.fail(String(error)));
  sender.send('a');
  sender.send('b');
  sender.send('c');
  sender.clear();
  t.is(sender.queued, 0);
  socket.calls[0]!.done.resolve();
  await settle();
  t.deepEqual(
    socket.calls.map((call) => call.message),
    ['a'],
  );
  sender.send('d');
  await settle();
  t.deepEqual(
    socket.calls.map((call) => call.message),
    ['a', 'd'],
  );
});
