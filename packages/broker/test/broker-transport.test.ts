import test from 'ava';
import { Dealer } from 'zeromq';
import { DEFAULT_LIMITS, silentLogger } from '@brainer/protocol';
import { BrokerTransport } from '../src/broker-transport.js';

/** A transport bound on loopback whose clock the test sets, and a DEALER connected to it. */
async function setup(t: import('ava').ExecutionContext, onFrames: (frames: Buffer[]) => void) {
  const clock = { now: 0 };
  const transport = new BrokerTransport(
    (_peer, frames) => onFrames(frames),
    () => {},
    (error) => t.fail(String(error)),
    {
      curveSecretKey: undefined,
      allowedClientKeys: new Set(),
      ipcSocketMode: 0o600,
      limits: DEFAULT_LIMITS,
      logger: silentLogger,
      now: () => clock.now,
      heartbeatMs: 500,
    },
  );
  t.teardown(() => transport.close());
  const endpoint = await transport.bind('tcp://127.0.0.1:*');
  const dealer = new Dealer({ linger: 0 });
  t.teardown(() => dealer.close());
  dealer.connect(endpoint);
  return { clock, transport, dealer };
}

/** Resolves once `done` holds, polling on timers. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

test('with no input waiting, inputDrainedAt is the time it is asked', async (t) => {
  const handled: string[] = [];
  const { clock, transport, dealer } = await setup(t, (frames) => void handled.push(frames[0]!.toString()));
  clock.now = 5;
  t.is(transport.inputDrainedAt, 5);
  await dealer.send('one');
  await until(() => handled.length === 1);
  clock.now = 42;
  t.is(transport.inputDrainedAt, 42);
});

test('while the handler is busy, inputDrainedAt stays at the last time the input was drained, however long it takes', async (t) => {
  const handled: string[] = [];
  const seen: { during: number; later: number }[] = [];
  const context = await setup(t, (frames) => {
    handled.push(frames[0]!.toString());
    if (frames[0]!.toString() !== 'first') return;
    // Busy with the first message, on a clock that moves on: the second may be queued behind it.
    const { clock, transport } = context;
    clock.now = 150;
    const during = transport.inputDrainedAt;
    clock.now = 5000;
    seen.push({ during, later: transport.inputDrainedAt });
  });
  context.clock.now = 99;
  t.is(context.transport.inputDrainedAt, 99);
  await context.dealer.send('first');
  await context.dealer.send('second');
  await until(() => handled.length === 2);
  t.deepEqual(seen, [{ during: 99, later: 99 }], 'no silence is counted past a message that may still wait');
  context.clock.now = 6000;
  t.is(context.transport.inputDrainedAt, 6000, 'drained again once both were handled and the loop waits');
});
