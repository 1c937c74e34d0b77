import test from 'ava';
import { BrainerError, type Op } from '@brainer/protocol';
import { PendingRequests } from '../src/pending-requests.js';

function recorder(oneFrameInFlight: boolean): { frames: Op[][]; requests: PendingRequests } {
  const frames: Op[][] = [];
  const requests = new PendingRequests((ops) => frames.push(ops), {
    endpoint: 'tcp://127.0.0.1:1',
    timeoutMs: 1000,
    attemptTimeoutMs: 1000,
    retry: false,
    now: () => performance.now(),
    oneFrameInFlight,
  });
  return { frames, requests };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits, on real time, for what the sweeper does at the test's clock; fails after 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !done(); await sleep(10)) if (Date.now() > deadline) throw new Error('timed out waiting');
}

test('calls made in one tick travel in one frame', async (t) => {
  const { frames, requests } = recorder(false);
  t.teardown(() => requests.close());
  const calls = ['a', 'b', 'c'].map((key) => requests.call({ op: 'get', key }));
  await tick();
  t.is(frames.length, 1);
  t.deepEqual(
    frames[0]!.map((op) => op.op === 'get' && op.key),
    ['a', 'b', 'c'],
  );
  for (const op of frames[0]!) requests.onReply({ id: op.id, ok: true, value: null });
  t.deepEqual(await Promise.all(calls), [null, null, null]);
});

test('with one frame in flight, calls made meanwhile wait and then go together in the next frame', async (t) => {
  const { frames, requests } = recorder(true);
  t.teardown(() => requests.close());
  const first = requests.call({ op: 'get', key: 'first' });
  await tick();
  t.is(frames.length, 1, 'a lone call goes at once');
  const waiting = ['x', 'y', 'z'].map((key) => requests.call({ op: 'get', key }));
  await tick();
  t.is(frames.length, 1, 'nothing more goes while the first frame is unanswered');

  requests.onReply({ id: frames[0]![0]!.id, ok: true, value: Buffer.from('1') });
  t.deepEqual(await first, Buffer.from('1'));
  await tick();
  t.is(frames.length, 2);
  t.deepEqual(
    frames[1]!.map((op) => op.op === 'get' && op.key),
    ['x', 'y', 'z'],
  );
  for (const op of frames[1]!) requests.onReply({ id: op.id, ok: true, value: null });
  t.deepEqual(await Promise.all(waiting), [null, null, null]);
});

test('with one frame in flight, a frame that times out lets the waiting calls go', async (t) => {
  const frames: Op[][] = [];
  let now = 0;
  const requests = new PendingRequests((ops) => frames.push(ops), {
    endpoint: 'tcp://127.0.0.1:1',
    timeoutMs: 100,
    attemptTimeoutMs: 100,
    retry: false,
    now: () => now,
    oneFrameInFlight: true,
  });
  t.teardown(() => requests.close());
  const lost = requests.call({ op: 'get', key: 'lost' });
  await tick();
  now = 50;
  const next = requests.call({ op: 'get', key: 'next' });
  await sleep(30);
  t.is(frames.length, 1);
  now = 101;
  // The sweeper (every 10 ms here) times the lost call out; its timer does not keep the process
  // alive, so this one does until the call has failed.
  const keepAlive = setInterval(() => undefined, 5);
  await t.throwsAsync(lost, { code: 'ERR_TIMEOUT' });
  clearInterval(keepAlive);
  await tick();
  t.is(frames.length, 2);
  t.deepEqual(
    frames[1]!.map((op) => op.op === 'get' && op.key),
    ['next'],
  );
  requests.onReply({ id: frames[1]![0]!.id, ok: true, value: null });
  t.is(await next, null);
});

test('a call given its own timeout gives up after it, and the others keep the default', async (t) => {
  const { requests } = recorder(false);
  t.teardown(() => requests.close());
  // The queue's sweeper does not keep the process alive on its own.
  const alive = setInterval(() => undefined, 10);
  t.teardown(() => clearInterval(alive));
  const quick = requests.call({ op: 'get', key: 'quick' }, 20);
  const patient = requests.call({ op: 'get', key: 'patient' });
  let patientSettled = false;
  void patient.then(
    () => (patientSettled = true),
    () => (patientSettled = true),
  );
  await t.throwsAsync(quick, { code: 'ERR_TIMEOUT' });
  // Both were sent together: with one timeout for both, the sweep that ended the one would end the other.
  t.false(patientSettled, 'the default timeout is 1 s');
  requests.failAll(new BrainerError('ERR_CLOSED', 'closed'));
  await t.throwsAsync(patient, { code: 'ERR_CLOSED' });
});

test('resendAll sends every waiting call again at once with the same id, and a queued one once', async (t) => {
  const frames: Op[][] = [];
  const requests = new PendingRequests((ops) => frames.push(ops), {
    endpoint: 'tcp://127.0.0.1:1',
    timeoutMs: 5000,
    attemptTimeoutMs: 5000,
    retry: true,
    now: () => performance.now(),
  });
  t.teardown(() => requests.close());
  const first = requests.call({ op: 'get', key: 'a' });
  await tick();
  t.is(frames.length, 1);
  const later = requests.call({ op: 'get', key: 'b' });
  requests.resendAll();
  await tick();
  t.is(frames.length, 2);
  t.deepEqual(
    frames[1]!.map((op) => op.op === 'get' && op.key),
    ['b', 'a'],
    'the queued call goes once, the one already sent goes again',
  );
  t.is(frames[1]![1]!.id, frames[0]![0]!.id, 'with the same id');
  for (const op of frames[1]!) requests.onReply({ id: op.id, ok: true, value: null });
  t.deepEqual(await Promise.all([first, later]), [null, null]);
});

test('ERR_NOT_LEADER is retried, and only unanswered attempts count as timeouts', async (t) => {
  const frames: Op[][] = [];
  let timeouts = 0;
  let now = 0;
  const requests = new PendingRequests((ops) => frames.push(ops), {
    endpoint: 'tcp://127.0.0.1:1',
    timeoutMs: 5000,
    attemptTimeoutMs: 150,
    retry: true,
    now: () => now,
    onAttemptTimeout: () => timeouts++,
  });
  t.teardown(() => requests.close());
  const call = requests.call({ op: 'set', key: 'k', value: Buffer.from('v'), ttlMs: 0, wait: 'all' });
  await tick();
  const id = frames[0]![0]!.id;
  requests.onReply({ id, ok: false, code: 'ERR_NOT_LEADER', message: 'This broker is a standby, not the leader.' });
  // The clock is the test's: the sweeper (every 50 ms of real time) sees only the time set here.
  now = 40;
  await sleep(120);
  t.is(frames.length, 1, 'not sent again before its backoff (50 ms after the first answer) is over');
  now = 60;
  await until(() => frames.length >= 2);
  t.is(frames[1]![0]!.id, id, 'sent again with the same id');
  t.is(timeouts, 0, 'an answered attempt is no timeout');
  // The resend's attempt runs to 60 + 150 ms.
  now = 200;
  await sleep(120);
  t.is(frames.length, 2);
  now = 220;
  await until(() => frames.length >= 3);
  t.is(timeouts, 1, 'the resend went unanswered: one timeout');
  requests.onReply({ id, ok: true, value: undefined });
  t.is(await call, undefined);
});

for (const [code, capMs] of [
  ['ERR_NOT_READY', 200],
  ['ERR_BACKPRESSURE', 500],
] as const) {
  test(`${code} is retried with a backoff of at most ${capMs} ms, however many attempts went before`, async (t) => {
    const frames: Op[][] = [];
    let now = 0;
    const requests = new PendingRequests((ops) => frames.push(ops), {
      endpoint: 'tcp://127.0.0.1:1',
      timeoutMs: 60_000,
      attemptTimeoutMs: 10_000,
      retry: true,
      now: () => now,
    });
    t.teardown(() => requests.close());
    const call = requests.call({ op: 'set', key: 'k', value: Buffer.from('v'), ttlMs: 0, wait: 'all' });
    await tick();
    const id = frames[0]![0]!.id;
    // Six refusals: the backoff (25 ms × 2^attempts) would be 1.6 s by the last without its cap.
    for (let refused = 1; refused <= 6; refused++) {
      requests.onReply({ id, ok: false, code, message: 'not now' });
      const backoff = Math.min(capMs, 25 * 2 ** refused);
      now += backoff - 5;
      await sleep(60);
      t.is(frames.length, refused, `refusal ${refused}: not sent again before its ${backoff} ms backoff is over`);
      now += 5;
      await until(() => frames.length > refused);
    }
    requests.onReply({ id, ok: true, value: undefined });
    t.is(await call, undefined);
  });
}
