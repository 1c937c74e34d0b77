import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, inject, it } from 'vitest';

const example = fileURLToPath(new URL('../../../../examples/cache-manager/cache-manager.js', import.meta.url));

it('the cache-manager example runs on a live cluster', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [example, inject('brokerEndpoint')], { timeout: 30_000 });
  expect(stdout.split('\n')).toEqual([
    'get greeting: hello from brainer',
    'wrap user:42: {"id":42,"name":"user 42"} {"id":42,"name":"user 42"} (looked up 1 time)',
    'ttl short-lived: set',
    'get short-lived after 400 ms: undefined',
    'del greeting: true',
    'get greeting: undefined',
    '',
  ]);
});
