import test from 'ava';
import { compileGlob, type BrainerError } from '@brainer/protocol';
import type { GatewayClient } from '../src/gateway-client.js';
import { KeyLister, prefixPattern } from '../src/key-listing.js';

const keys = ['a', 'ab', 'a*', 'a*b', 'a?', 'a[1]', 'a\\b', 'a/b', 'a=b', 'b', 'A', 'x[', 'x]'];

test('a prefix pattern matches exactly the keys that start with the prefix, whatever glob characters it holds', (t) => {
  for (const prefix of ['', 'a', 'a*', 'a?', 'a[', 'a[1', 'a\\', 'a/', 'a=', 'x[', 'x]', 'zz']) {
    const matches = compileGlob(prefixPattern(prefix));
    t.deepEqual(
      keys.filter((key) => matches(key)),
      keys.filter((key) => key.startsWith(prefix)),
      `prefix ${JSON.stringify(prefix)}`,
    );
  }
});

test('a KeyLister runs two scans at once, lets 64 wait their turn in order, and refuses more with ERR_BACKPRESSURE', async (t) => {
  const pending: Array<{ after: string; answer: (keys: string[]) => void }> = [];
  // A client whose scans answer when the test says: the lister's queue is what is under test.
  const client = {
    scan: (_pattern: string, options: { after?: string }) =>
      new Promise<string[]>((answer) => pending.push({ after: options.after ?? '', answer })),
  } as unknown as GatewayClient;
  const lister = new KeyLister(client);
  const cursorOf = (key: string): string => Buffer.from(key).toString('base64url');
  const listings = Array.from({ length: 66 }, (_, i) => lister.list('', 1, cursorOf(`k${i}`)));
  await Promise.resolve();
  t.is(pending.length, 2, 'two scans at once');
  const refused = await t.throwsAsync(lister.list('', 1));
  t.is((refused as BrainerError).code, 'ERR_BACKPRESSURE');
  for (let i = 0; i < 66; i++) {
    await waitUntil(() => pending.length > i);
    t.is(pending[i]!.after, `k${i}`, 'in the order asked');
    pending[i]!.answer([`k${i}x`]);
  }
  t.deepEqual(
    await Promise.all(listings),
    Array.from({ length: 66 }, (_, i) => ({ keys: [`k${i}x`], cursor: undefined })),
  );
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
