// cache-manager v7 on a Brainer cluster through the Keyv store @brainer/keyv.
// Usage: node examples/cache-manager/cache-manager.js [broker endpoint]   (default ipc:///tmp/broker.sock)
import console from 'node:console';
import process from 'node:process';
import { setTimeout } from 'node:timers/promises';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import KeyvBrainer from '@brainer/keyv';

const endpoint = process.argv[2] ?? 'ipc:///tmp/broker.sock';
const store = new KeyvBrainer(endpoint, { client: { timeoutMs: 5000 } });
store.on('error', (error) => console.error('brainer store error:', error.message));
const cache = createCache({ stores: [new Keyv({ store, namespace: 'example' })] });

let lookups = 0;
async function findUser(id) {
  lookups += 1; // stands for a slow database query
  return { id, name: `user ${id}` };
}

try {
  await cache.set('greeting', 'hello from brainer');
  console.log('get greeting:', await cache.get('greeting'));

  const first = await cache.wrap('user:42', () => findUser(42), 60_000);
  const second = await cache.wrap('user:42', () => findUser(42), 60_000);
  console.log('wrap user:42:', JSON.stringify(first), JSON.stringify(second), `(looked up ${lookups} time)`);

  await cache.set('short-lived', 'soon gone', 200);
  console.log('ttl short-lived:', (await cache.ttl('short-lived')) !== undefined ? 'set' : 'missing');
  await setTimeout(400);
  console.log('get short-lived after 400 ms:', await cache.get('short-lived'));

  console.log('del greeting:', await cache.del('greeting'));
  console.log('get greeting:', await cache.get('greeting'));
  await cache.clear();
} finally {
  await cache.disconnect();
}
