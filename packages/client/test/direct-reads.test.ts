import test from 'ava';
import type { Logger, MessageOf } from '@brainer/protocol';
import { DirectReads } from '../src/direct-reads.js';

function directReads(logger: Logger): DirectReads {
  return new DirectReads({
    timeoutMs: 100,
    bucketTimeoutMs: 1000,
    readFrom: 'primary',
    now: () => performance.now(),
    logger,
    curve: undefined,
  });
}

function membership(partitioner: string): MessageOf<'membership'> {
  return { type: 'membership', version: 1, epoch: 1, partitioner, nodes: [{ id: 'n1', endpoint: 'tcp://127.0.0.1:1' }] };
}

test('a membership push naming a partitioner the client does not know leaves no node to read from, and says so once', (t) => {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
  const reads = directReads(logger);
  t.teardown(() => reads.close());

  reads.update(membership('rendezvous'));
  t.true(reads.available);
  reads.update(membership('modulo'));
  reads.update(membership('modulo'));
  t.false(reads.available, 'reads go through the broker');
  t.deepEqual(warnings, ['the broker places keys in a way this client does not know; reads go through the broker']);
  reads.update(membership('consistent'));
  t.true(reads.available);
});

test('a membership push that fails halfway is taken again when it comes back unchanged', (t) => {
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const reads = directReads(logger);
  t.teardown(() => reads.close());
  const push: MessageOf<'membership'> = { ...membership('consistent'), nodes: [{ id: 'n1', endpoint: 'nope://127.0.0.1:1' }] };

  t.throws(() => reads.update(push));
  t.throws(() => reads.update(push), undefined, 'the same push is not skipped as already applied');
});
