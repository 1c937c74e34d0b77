import type { ExecutionContext, TestFn } from 'ava';
import type { StorageEngine } from '../src/index.js';

const set = (key: string, value: string, expiresAt = 0) => ({ kind: 'set' as const, key, value: Buffer.from(value), expiresAt });
const del = (key: string) => ({ kind: 'del' as const, key });
const expire = (key: string, expiresAt: number) => ({ kind: 'expire' as const, key, expiresAt });
const flush = { kind: 'flush' as const };

function load(engine: StorageEngine, key: string, value: string, seq: number, start = 0, end = value.length): void {
  engine.load(key, Buffer.from(value), start, end, seq, 0);
}

/** The behaviour every storage engine must have. Each engine's test file runs it with its own factory. */
export function storageEngineContract(test: TestFn, name: string, create: (t: ExecutionContext) => StorageEngine): void {
  test(`${name}: set then get returns the value and its seq`, (t) => {
    const engine = create(t);
    engine.apply(1, set('a', 'one'), 0);
    t.is(engine.get('a', 0)?.value.toString(), 'one');
    t.is(engine.get('a', 0)?.seq, 1);
    t.is(engine.size, 1);
  });

  test(`${name}: a write older than the entry is ignored`, (t) => {
    const engine = create(t);
    engine.apply(5, set('a', 'new'), 0);
    engine.apply(3, set('a', 'old'), 0);
    t.is(engine.apply(4, del('a'), 0), false);
    t.is(engine.get('a', 0)?.value.toString(), 'new');
  });

  test(`${name}: delete answers whether it removed a live entry`, (t) => {
    const engine = create(t);
    engine.apply(1, set('a', 'x'), 0);
    engine.apply(2, set('b', 'y', 1000), 0);
    t.true(engine.apply(3, del('a'), 0));
    t.false(engine.apply(4, del('a'), 0));
    t.false(engine.apply(5, del('b'), 2000), 'an expired entry counts as missing');
    t.is(engine.size, 0);
  });

  test(`${name}: expire gives an entry a new expiry and keeps its value; a missing or newer one is left alone`, (t) => {
    const engine = create(t);
    engine.apply(1, set('a', 'x'), 0);
    engine.apply(2, set('b', 'y', 1000), 0);
    engine.apply(3, set('c', 'z'), 0);
    const digest = engine.digest;
    t.true(engine.apply(4, expire('a', 5000), 0));
    t.deepEqual(
      { value: engine.get('a', 0)?.value.toString(), seq: engine.get('a', 0)?.seq, expiresAt: engine.get('a', 0)?.expiresAt },
      {
        value: 'x',
        seq: 4,
        expiresAt: 5000,
      },
    );
    t.is(engine.digest, digest, 'the content is the same');
    t.is(engine.get('a', 5000), undefined, 'it expires then');
    t.false(engine.apply(5, expire('missing', 5000), 0));
    t.is(engine.size, 3, 'an expire of a missing key makes no entry');
    // Whether the entry is there decides, not the clock: a replay at any time does the same.
    t.true(engine.apply(6, expire('b', 9000), 2000), 'an entry whose time is up on this clock is still there');
    t.is(engine.get('b', 2000)?.expiresAt, 9000);
    engine.apply(9, set('c', 'newer'), 0);
    t.false(engine.apply(8, expire('c', 5000), 0), 'an older expire is ignored');
    t.is(engine.get('c', 0)?.expiresAt, 0);
  });

  test(`${name}: flush empties the store, and writes after it are kept`, (t) => {
    const engine = create(t);
    const empty = engine.digest;
    engine.apply(1, set('a', 'x'), 0);
    engine.apply(2, set('b', 'y', 1000), 0);
    t.false(engine.apply(3, flush, 0));
    t.is(engine.size, 0);
    t.is(engine.digest, empty);
    t.deepEqual(
      engine.keys(() => true, 0),
      [],
    );
    engine.apply(4, set('a', 'again'), 0);
    t.is(engine.get('a', 0)?.value.toString(), 'again');
  });

  test(`${name}: expired entries are hidden from get and keys`, (t) => {
    const engine = create(t);
    engine.apply(1, set('a', 'x', 1000), 0);
    engine.apply(2, set('b', 'y'), 0);
    t.truthy(engine.get('a', 999));
    t.is(engine.get('a', 1000), undefined);
    t.deepEqual(
      engine.keys(() => true, 1000),
      ['b'],
    );
  });

  test(`${name}: keys applies the matcher`, (t) => {
    const engine = create(t);
    for (const [i, key] of ['user:1', 'user:2', 'order:1'].entries()) engine.apply(i + 1, set(key, 'v'), 0);
    t.deepEqual(engine.keys((key) => key.startsWith('user:'), 0).sort(), ['user:1', 'user:2']);
  });

  test(`${name}: scanPrefix visits the live entries whose key starts with the prefix`, (t) => {
    const engine = create(t);
    const keys = ['{c:1}contacts', '{c:1}orders', '{c:1}', '{c:10}orders', 'x{c:1}orders', '{c:1', '{ключ}é', '{ключ}'];
    for (const [i, key] of keys.entries()) engine.apply(i + 1, set(key, `v${i}`), 0);
    engine.apply(20, set('{c:1}expired', 'old', 1000), 0);
    const scan = (prefix: string): string[] => {
      const seen: string[] = [];
      engine.scanPrefix(prefix, 1000, (key, value) => seen.push(`${key}=${value.toString()}`) > 0);
      return seen.sort();
    };
    t.deepEqual(scan('{c:1}'), ['{c:1}=v2', '{c:1}contacts=v0', '{c:1}orders=v1']);
    t.deepEqual(scan('{ключ}'), ['{ключ}=v7', '{ключ}é=v6']);
    t.deepEqual(scan('{none}'), []);
    t.is(scan('').length, keys.length);
  });

  test(`${name}: scanPrefix stops when the visitor answers false`, (t) => {
    const engine = create(t);
    for (let i = 0; i < 10; i++) engine.apply(i + 1, set(`{b}${i}`, 'v'), 0);
    let visited = 0;
    engine.scanPrefix('{b}', 0, () => ++visited < 3);
    t.is(visited, 3);
  });

  test(`${name}: the digest depends on content only`, (t) => {
    const a = create(t);
    const b = create(t);
    t.is(a.digest, '0000000000000000');
    a.apply(1, set('x', '1'), 0);
    a.apply(2, set('y', '2'), 0);
    a.apply(3, set('x', '3'), 0);
    load(b, 'y', '2', 2);
    load(b, 'x', '3', 3);
    t.is(a.digest, b.digest);
    a.apply(4, del('x'), 0);
    a.apply(5, del('y'), 0);
    t.is(a.digest, '0000000000000000');
  });

  test(`${name}: load keeps the newer of snapshot entry and current entry`, (t) => {
    const engine = create(t);
    engine.apply(10, set('a', 'live'), 0);
    load(engine, 'a', 'snap', 7);
    load(engine, 'b', '[snap]', 7, 1, 5);
    t.is(engine.get('a', 0)?.value.toString(), 'live');
    t.is(engine.get('b', 0)?.value.toString(), 'snap', 'only the given range of the bytes is loaded');
  });

  test(`${name}: stored values do not alias the caller's buffer`, (t) => {
    const engine = create(t);
    const value = Buffer.from('abc');
    engine.apply(1, { kind: 'set', key: 'a', value, expiresAt: 0 }, 0);
    value.write('zzz');
    t.is(engine.get('a', 0)?.value.toString(), 'abc');
  });

  test(`${name}: a cursor visits every entry in steps, and clear empties`, (t) => {
    const engine = create(t);
    for (let i = 0; i < 25; i++) engine.apply(i + 1, set(`k${i}`, `v${i}`), 0);
    const cursor = engine.cursor();
    const seen = new Map<string, string>();
    let steps = 0;
    let done = false;
    while (!done) {
      done = cursor.next((key, bytes, start, end, seq) => seen.set(key, `${bytes.toString('utf8', start, end)}@${seq}`), 10, 1 << 20);
      steps++;
    }
    t.is(seen.size, 25);
    t.is(seen.get('k7'), 'v7@8');
    t.true(steps >= 3);
    engine.clear();
    t.is(engine.size, 0);
    t.is(engine.digest, '0000000000000000');
  });
}
