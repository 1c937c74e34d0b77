import { Brainer, BrainerError } from '@brainer/client';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import KeyvBrainer from '../src/index.js';

const endpoint = inject('brokerEndpoint');
const client = new Brainer(endpoint, { timeoutMs: 10_000 });
afterAll(() => client.close());

/** A store as Keyv leaves it: Keyv sets `namespace` on its store. */
function storeIn(namespace: string | undefined): KeyvBrainer {
  const store = new KeyvBrainer(client);
  store.namespace = namespace;
  return store;
}

async function collect(iterator: AsyncGenerator<[string, string], void>): Promise<Array<[string, string]>> {
  const entries: Array<[string, string]> = [];
  for await (const entry of iterator) entries.push(entry);
  return entries.sort(([a], [b]) => a.localeCompare(b));
}

describe('a namespace with glob characters matches only itself', () => {
  const namespace = 'it*[x]?\\';
  const lookalikes = ['itAx1\\', 'it*[x]?\\extra', 'it'];

  beforeAll(async () => {
    await Promise.all([
      client.set(`${namespace}:a`, '1'),
      client.set(`${namespace}:b`, '2'),
      ...lookalikes.map((other) => client.set(`${other}:a`, 'other')),
    ]);
  });
  afterAll(() => Promise.all(lookalikes.map((other) => client.del(`${other}:a`))));

  it('iterator(namespace) yields its keys, prefixed, with their values, and no other', async () => {
    expect(await collect(storeIn(undefined).iterator(namespace))).toEqual([
      [`${namespace}:a`, '1'],
      [`${namespace}:b`, '2'],
    ]);
  });

  it('clear() deletes its keys and leaves the lookalikes', async () => {
    await storeIn(namespace).clear();
    expect(await client.get(`${namespace}:a`)).toBeNull();
    expect(await client.get(`${namespace}:b`)).toBeNull();
    for (const other of lookalikes) expect(await client.get(`${other}:a`)).toBe('other');
  });
});

describe('the store', () => {
  it('iterates more keys than one batch, skipping none', async () => {
    const store = new KeyvBrainer(client, { batchSize: 3 });
    store.namespace = 'batches';
    const entries = Array.from({ length: 10 }, (_, i): [string, string] => [`batches:${String(i).padStart(2, '0')}`, `v${i}`]);
    await Promise.all(entries.map(([key, value]) => store.set(key, value)));
    expect(await collect(store.iterator('batches'))).toEqual(entries);
    await store.clear();
    expect(await collect(store.iterator('batches'))).toEqual([]);
  });

  it('stores strings exactly, and getMany answers in order with undefined for a missing key', async () => {
    const store = storeIn('exact');
    const odd = ' spaces, "quotes", ünïcödé 🧠, \u0000 and a newline\n';
    await store.set('exact:odd', odd);
    expect(await store.get('exact:odd')).toBe(odd);
    expect(await store.getMany(['exact:odd', 'exact:missing'])).toEqual([odd, undefined]);
    expect(await store.has('exact:missing')).toBe(false);
    expect(await store.deleteMany(['exact:odd', 'exact:missing'])).toBe(true);
    expect(await store.deleteMany(['exact:odd', 'exact:missing'])).toBe(false);
  });

  it('gives a set ttl to the cluster, which deletes the key when it passes', async () => {
    const store = storeIn('ttl');
    await store.set('ttl:short', 'x', 300);
    await store.set('ttl:none', 'y');
    await vi.waitFor(async () => expect(await client.get('ttl:short')).toBeNull(), { timeout: 10_000, interval: 50 });
    expect(await client.get('ttl:none')).toBe('y');
    await store.clear();
  });

  it('refuses a value that is not a string, and a bad ttl, with ERR_BAD_REQUEST', async () => {
    const store = storeIn('bad');
    await expect(store.set('bad:object', { not: 'serialized' })).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST' });
    await expect(store.set('bad:ttl', 'x', -5)).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST' });
    expect(await client.get('bad:object')).toBeNull();
  });

  it('refuses bad options with ERR_INVALID_OPTION', () => {
    expect(() => new KeyvBrainer(42 as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => new KeyvBrainer('not an endpoint')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    expect(() => new KeyvBrainer(client, { batchSize: 0 })).toThrow(/batchSize/);
  });
});

describe('its own client', () => {
  it('connects from an endpoint, and disconnect() closes it; a call after that rejects and emits an error event', async () => {
    const store = new KeyvBrainer(endpoint);
    const errors: unknown[] = [];
    store.on('error', (error) => errors.push(error));
    await store.set('own:key', 'v');
    expect(await store.get('own:key')).toBe('v');
    await store.disconnect();
    const failure = store.get('own:key');
    await expect(failure).rejects.toBeInstanceOf(BrainerError);
    await expect(failure).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_CLOSED' })]);
    await client.del('own:key');
  });

  it('leaves a client it was given open on disconnect()', async () => {
    await new KeyvBrainer(client).disconnect();
    await client.set('given:key', 'still open');
    expect(await client.get('given:key')).toBe('still open');
    await client.del('given:key');
  });
});
