import test from 'ava';
import { runBin } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';

test('run-broker refuses a bad --maxmemory, --maxmemory-policy or --maxmemory-samples with ERR_USAGE', async (t) => {
  const usage = (includes: string) => ({ code: 'ERR_USAGE', exit: 2, includes });
  assertCliError(t, await runBin('run-broker', ['--maxmemory', 'lots']), usage('--maxmemory: "lots" is not a size'));
  assertCliError(t, await runBin('run-broker', ['--maxmemory', '1.5gb']), usage('--maxmemory'));
  assertCliError(t, await runBin('run-broker', ['--maxmemory', '1mb', '--maxmemory-policy', 'allkeys-random']), usage('allkeys-random'));
  assertCliError(t, await runBin('run-broker', ['--maxmemory-samples', '0']), usage('--maxmemory-samples'));
});
