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
  const requests = new PendingRequests((ops) => frames.push(ops), {
    endpoint: 'tcp://127.0.0.1:1',
    timeoutMs: 5000,
    attemptTimeoutMs: 150,
    retry: true,
    now: () => performance.now(),
    onAttemptTimeout: () => timeouts++,
  });
  t.teardown(() => requests.close());
  const call = requests.call({ op: 'set', key: 'k', value: Buffer.from('v'), ttlMs: 0, wait: 'all' });
  await tick();
  const id = frames[0]![0]!.id;
  requests.onReply({ id, ok: false, code: 'ERR_NOT_LEADER', message: 'This broker is a standby, not the leader.' });
  await sleep(120);
  t.is(frames.length, 2, 'sent again after a short backoff');
  t.is(frames[1]![0]!.id, id);
  t.is(timeouts, 0, 'an answered attempt is no timeout');
  await sleep(250);
  t.true(frames.length >= 3, 'sent again once the attempt went unanswered');
  t.true(timeouts >= 1);
  requests.onReply({ id, ok: true, value: undefined });
  t.is(await call, undefined);
});
