import test from 'ava';
import { DEFAULT_LIMITS } from '@brainer/protocol';
import { definedOnly, limitsFromFlags } from '../src/server-flags.js';

test('definedOnly drops the options no flag gave, so the library defaults apply', (t) => {
  t.deepEqual(definedOnly({ a: 1, b: undefined, c: 0 }), { a: 1, c: 0 });
});

test('limitsFromFlags fills the limits not given with the defaults, or gives none at all', (t) => {
  t.is(limitsFromFlags({}), undefined);
  t.deepEqual(limitsFromFlags({ 'max-key-bytes': 10 }), { ...DEFAULT_LIMITS, maxKeyBytes: 10 });
});
