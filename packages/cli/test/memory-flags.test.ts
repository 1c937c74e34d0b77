import test from 'ava';
import { runBin } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';
import { memoryOptionsFromFlags } from '../src/memory-flags.js';

test('run-broker refuses a bad --maxmemory, --maxmemory-policy or --maxmemory-samples with ERR_USAGE', async (t) => {
  const usage = (includes: string) => ({ code: 'ERR_USAGE', exit: 2, includes });
  assertCliError(t, await runBin('run-broker', ['--maxmemory', 'lots']), usage('--maxmemory: "lots" is not a size'));
  assertCliError(t, await runBin('run-broker', ['--maxmemory', '1.5gb']), usage('--maxmemory'));
  assertCliError(t, await runBin('run-broker', ['--maxmemory', '1mb', '--maxmemory-policy', 'allkeys-random']), usage('allkeys-random'));
  assertCliError(t, await runBin('run-broker', ['--maxmemory-samples', '0']), usage('--maxmemory-samples'));
});

test('the memory flags map to the broker options, and only those given', (t) => {
  t.deepEqual(memoryOptionsFromFlags({}), {});
  t.deepEqual(memoryOptionsFromFlags({ maxmemory: 1024, 'maxmemory-policy': 'allkeys-lfu', 'maxmemory-samples': 10 }), {
    maxmemory: 1024,
    maxmemoryPolicy: 'allkeys-lfu',
    maxmemorySamples: 10,
  });
});
