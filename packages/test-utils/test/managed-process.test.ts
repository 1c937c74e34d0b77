import test from 'ava';
import { binPath } from '../src/bin-path.js';
import { startBroker } from '../src/start-broker.js';

test('binPath finds the CLI bins', (t) => {
  t.regex(binPath('run-broker'), /packages\/cli\/bin\/run-broker\.js$|@brainer\/cli\/bin\/run-broker\.js$/);
});

test('a process that fails before its ready line rejects at once with its output', async (t) => {
  const started = Date.now();
  const err = await t.throwsAsync(startBroker({ endpoint: 'not-an-endpoint' }));
  t.regex(err?.message ?? '', /exited before it was ready/);
  t.regex(err?.message ?? '', /ERR_INVALID_OPTION/);
  t.true(Date.now() - started < 15_000);
});
