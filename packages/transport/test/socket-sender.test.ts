import test from 'ava';
import { Dealer, Router } from 'zeromq';
import { SocketSender } from '../src/index.js';

/** A ROUTER on loopback and a DEALER connected to it, closed at the end of the test. */
async function pair(t: import('ava').ExecutionContext, dealerOptions: ConstructorParameters<typeof Dealer>[0] = {}) {
  const router = new Router({ linger: 0, receiveHighWaterMark: 1 });
  await router.bind('tcp://127.0.0.1:*');
  const dealer = new Dealer({ linger: 0, ...dealerOptions });
  dealer.connect(router.lastEndpoint!);
  t.teardown(() => {
    dealer.close();
    router.close();
  });
  return { router, dealer };
}

async function receiveNumbers(router: Router, count: number): Promise<number[]> {
  const got: number[] = [];
  while (got.length < count) {
    const [, frame] = await router.receive();
    got.push(frame!.readUInt32LE(0));
  }
  return got;
}

/** 64 KiB: a few hundred fill the kernel's loopback buffers, and then a send has to wait. */
const numbered = (i: number): Buffer => {
  const frame = Buffer.alloc(65_536);
  frame.writeUInt32LE(i, 0);
  return frame;
};

test('frames arrive in the order given, the ones given while a send waits on a full peer included', async (t) => {
  // High-water marks of 1 on both sides and 25 MiB sent before the ROUTER reads: sends wait.
  const { router, dealer } = await pair(t, { sendHighWaterMark: 1 });
  const errors: unknown[] = [];
  const sender = new SocketSender(dealer, (error) => errors.push(error));
  t.is(dealer.sendTimeout, 0);
  const count = 400;
  for (let i = 0; i < count; i++) sender.send(numbered(i));
  // However long the ROUTER does not read, the kernel's buffers hold only so much.
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.true(sender.queued > 0, 'the peer is full: frames wait in the queue, none is dropped');
  t.is(dealer.sendTimeout, -1, 'a send found the peer full: the socket now waits for room');
  const got = await receiveNumbers(router, count);
  t.deepEqual(
    got,
    Array.from({ length: count }, (_, i) => i),
  );
  t.deepEqual(errors, []);
  t.is(sender.queued, 0);
  t.is(dealer.sendTimeout, 0, 'back to sending without asking for room once the queue drained');
});

test('a frame given when no send waits goes out, and so does the next after it completes', async (t) => {
  const { router, dealer } = await pair(t);
  const sender = new SocketSender(dealer, (error) => t.fail(String(error)));
  sender.send(numbered(1));
  t.is(sender.queued, 0);
  t.deepEqual(await receiveNumbers(router, 1), [1]);
  sender.send(numbered(2));
  t.deepEqual(await receiveNumbers(router, 1), [2]);
});

test('a send that throws (a closed socket) goes to onError, and the frames queued behind it are tried in turn', async (t) => {
  const { dealer } = await pair(t, { sendHighWaterMark: 1 });
  const errors: unknown[] = [];
  const sender = new SocketSender(dealer, (error) => {
    errors.push(error);
    throw new Error('a throwing handler does not stop the queue');
  });
  dealer.close();
  for (let i = 0; i < 3; i++) sender.send(numbered(i));
  t.is(errors.length, 3);
  t.is(sender.queued, 0);
});

test('clear drops the queued frames, not the send that waits', async (t) => {
  const { router, dealer } = await pair(t, { sendHighWaterMark: 1 });
  const sender = new SocketSender(dealer, (error) => t.fail(String(error)));
  for (let i = 0; i < 10; i++) sender.send(numbered(i));
  t.is(sender.queued, 9, 'the first went to the socket at once');
  sender.clear();
  t.is(sender.queued, 0);
  sender.send(numbered(99_999));
  t.deepEqual(await receiveNumbers(router, 2), [0, 99_999]);
});
