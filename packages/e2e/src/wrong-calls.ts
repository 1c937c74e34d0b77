import { Brainer, BrainerError } from '@brainer/client';

/**
 * Calls the client as a JavaScript caller might by mistake, each inside try/catch, against the
 * broker at argv[2], then stores and reads one key. Prints one JSON line: each call's error code
 * (or `resolved`), and the value read back. Run as a child process: it must exit 0, since no
 * wrong call may kill the process.
 */
type Call = [name: string, call: (client: Brainer) => Promise<unknown>];

const wrong = <T>(value: unknown): T => value as T;

const CALLS: Call[] = [
  ['set number value', (c) => c.set('n', wrong(42))],
  ['set undefined value', (c) => c.set('n', wrong(undefined))],
  ['set null value', (c) => c.set('n', wrong(null))],
  ['set object value', (c) => c.set('n', wrong({ a: 1 }))],
  ['set object key', (c) => c.set(wrong({}), 'v')],
  ['set undefined key', (c) => c.set(wrong(undefined), 'v')],
  ['set empty key', (c) => c.set('', 'v')],
  ['set null options', (c) => c.set('n', 'v', wrong(null))],
  ['set bad wait', (c) => c.set('n', 'v', { wait: wrong('sometimes') })],
  ['set bad ttl', (c) => c.set('n', 'v', { ttlMs: wrong('10') })],
  ['get number key', (c) => c.get(wrong(123))],
  ['getBuffer null key', (c) => c.getBuffer(wrong(null))],
  ['del number key', (c) => c.del(wrong(7))],
  ['exists object key', (c) => c.exists(wrong({}))],
  ['mget not an array', (c) => c.mget(wrong('k'))],
  ['mget number key', (c) => c.mget(['a', wrong(1)])],
  ['mset number value', (c) => c.mset(wrong([['a', 1]]))],
  ['mset not pairs', (c) => c.mset(wrong([['a']]))],
  ['keys number pattern', (c) => c.keys(wrong(5))],
  ['bucket number item', (c) => c.bucket('b').set(wrong(5), 'v')],
  ['bucket object name', async (c) => c.bucket(wrong({})).getAll()],
  ['verify zero attempts', (c) => c.verify(0)],
];

async function main(endpoint: string): Promise<void> {
  const client = new Brainer(endpoint, { timeoutMs: 5000 });
  const codes: Record<string, string> = {};
  try {
    await client.connect();
    for (const [name, call] of CALLS) {
      try {
        await call(client);
        codes[name] = 'resolved';
      } catch (error) {
        codes[name] = error instanceof BrainerError ? error.code : `not a BrainerError: ${String(error)}`;
      }
    }
    // Each value type a caller may pass is stored byte for byte.
    await client.set('as-string', 'héllo');
    await client.set('as-buffer', Buffer.from([0, 1, 255]));
    await client.set('as-uint8array', new Uint8Array([7, 8, 9]).subarray(1));
    const read = {
      string: await client.get('as-string'),
      buffer: [...((await client.getBuffer('as-buffer')) ?? [])],
      uint8array: [...((await client.getBuffer('as-uint8array')) ?? [])],
      'no wrong value stored': await client.get('n'),
    };
    process.stdout.write(`${JSON.stringify({ codes, read })}\n`);
  } finally {
    await client.close();
  }
}

await main(process.argv[2]!);
