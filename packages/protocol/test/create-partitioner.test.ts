import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { createPartitioner, PARTITIONER_NAMES, type PartitionerName } from '../src/index.js';

const run = promisify(execFile);
const INDEX_URL = new URL('../src/index.js', import.meta.url).href;
const NODES = Array.from({ length: 7 }, (_, i) => `node-${i}`);
const KEYS = [
  ...Array.from({ length: 2000 }, (_, i) => `key:${i}`),
  ...Array.from({ length: 200 }, (_, i) => `{customer:${i % 20}}item:${i}`),
  'ключ',
  'emoji 🍕',
  '',
];

/** What a fresh Node.js process computes for these keys, given the node ids in another order. */
async function placementsInChild(name: PartitionerName): Promise<string[][]> {
  const script = `
    const { createPartitioner } = await import(process.env.INDEX_URL);
    const input = JSON.parse(process.env.INPUT);
    const partitioner = createPartitioner(input.name, input.nodes);
    process.stdout.write(JSON.stringify(input.keys.map((key) => partitioner.preference(key))));
  `;
  const input = JSON.stringify({ name, nodes: [...NODES].reverse(), keys: KEYS });
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, INDEX_URL, INPUT: input },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as string[][];
}

for (const name of PARTITIONER_NAMES) {
  test(`${name}: another process places every key the same way`, async (t) => {
    const here = createPartitioner(name, NODES);
    t.is(here.name, name);
    const there = await placementsInChild(name);
    t.deepEqual(
      there,
      KEYS.map((key) => here.preference(key)),
    );
  });
}

test('the two partitioners place keys differently', (t) => {
  const consistent = createPartitioner('consistent', NODES);
  const rendezvous = createPartitioner('rendezvous', NODES);
  t.true(KEYS.some((key) => consistent.primary(key) !== rendezvous.primary(key)));
});

test('an unknown partitioner name is refused with ERR_INVALID_OPTION', (t) => {
  const error = t.throws(() => createPartitioner('modulo' as PartitionerName, NODES));
  t.is((error as { code?: string }).code, 'ERR_INVALID_OPTION');
  t.regex(error!.message, /consistent, rendezvous/);
});
