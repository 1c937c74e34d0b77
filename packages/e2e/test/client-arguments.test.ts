import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { startCluster } from '@brainer/test-utils';

const WRONG_CALLS = fileURLToPath(new URL('../src/wrong-calls.js', import.meta.url));

test("a caller's wrong types get coded rejections, and the process lives on to exit 0", async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());

  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [WRONG_CALLS, cluster.endpoint], { timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
  t.is(code, 0, stderr);
  const { codes, read } = JSON.parse(stdout) as { codes: Record<string, string>; read: Record<string, unknown> };
  t.deepEqual(codes, {
    'set number value': 'ERR_BAD_VALUE',
    'set undefined value': 'ERR_BAD_VALUE',
    'set null value': 'ERR_BAD_VALUE',
    'set object value': 'ERR_BAD_VALUE',
    'set object key': 'ERR_BAD_KEY',
    'set undefined key': 'ERR_BAD_KEY',
    'set empty key': 'ERR_BAD_KEY',
    'set null options': 'ERR_BAD_REQUEST',
    'set bad wait': 'ERR_BAD_REQUEST',
    'set bad ttl': 'ERR_BAD_REQUEST',
    'get number key': 'ERR_BAD_KEY',
    'getBuffer null key': 'ERR_BAD_KEY',
    'del number key': 'ERR_BAD_KEY',
    'exists object key': 'ERR_BAD_KEY',
    'mget not an array': 'ERR_BAD_KEY',
    'mget number key': 'ERR_BAD_KEY',
    'mset number value': 'ERR_BAD_VALUE',
    'mset not pairs': 'ERR_BAD_REQUEST',
    'keys number pattern': 'ERR_BAD_PATTERN',
    'bucket number item': 'ERR_BAD_KEY',
    'bucket object name': 'ERR_BAD_KEY',
    'verify zero attempts': 'ERR_BAD_REQUEST',
  });
  t.deepEqual(read, { string: 'héllo', buffer: [0, 1, 255], uint8array: [8, 9], 'no wrong value stored': null });
});
