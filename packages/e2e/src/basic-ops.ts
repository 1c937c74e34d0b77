import type { ExecutionContext } from 'ava';
import type { Brainer } from '@brainer/client';

/**
 * set, get, getBuffer, keys and del against an empty store, asserting each answer. Leaves
 * `user:1` and `user:2` stored.
 */
export async function assertBasicOps(t: ExecutionContext, client: Brainer): Promise<void> {
  await client.set('user:1', 'alice');
  await client.set('user:2', Buffer.from([0, 1, 2, 255]));
  await client.set('order:1', 'book');
  t.is(await client.get('user:1'), 'alice');
  t.deepEqual(await client.getBuffer('user:2'), Buffer.from([0, 1, 2, 255]));
  t.is(await client.get('missing'), null);
  t.deepEqual((await client.keys('user:*')).sort(), ['user:1', 'user:2']);
  t.deepEqual((await client.keys()).sort(), ['order:1', 'user:1', 'user:2']);
  t.true(await client.del('order:1'));
  t.false(await client.del('order:1'));
  t.is(await client.get('order:1'), null);
}
