import test from 'ava';
import { memoryOptionsFromFlags } from '../src/memory-flags.js';

test('the memory flags map to the broker options, and only those given', (t) => {
  t.deepEqual(memoryOptionsFromFlags({}), {});
  t.deepEqual(memoryOptionsFromFlags({ maxmemory: 1024, 'maxmemory-policy': 'allkeys-lfu', 'maxmemory-samples': 10 }), {
    maxmemory: 1024,
    maxmemoryPolicy: 'allkeys-lfu',
    maxmemorySamples: 10,
  });
});
