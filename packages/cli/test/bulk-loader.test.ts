import test from 'ava';
import { BrainerError } from '@brainer/protocol';
import { BulkLoader, type LoadFailure } from '../src/load/bulk-loader.js';
import type { LoadRecord } from '../src/load/load-record.js';

async function* recordsOf(records: LoadRecord[]): AsyncGenerator<LoadRecord> {
  for (const record of records) yield record;
}

const good = (line: number): LoadRecord => ({ line, key: `k${line}`, value: `v${line}` });

/** A store that answers each write on a later tick, and notes how writes were started. */
class SlowStore {
  readonly stored = new Map<string, string>();
  /** Writes started in each synchronous run, in order. */
  readonly bursts: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private burstOpen = false;

  constructor(private readonly refuse: (key: string) => BrainerError | undefined = () => undefined) {}

  write = (key: string, value: string): Promise<void> => {
    if (!this.burstOpen) {
      this.burstOpen = true;
      this.bursts.push(0);
      queueMicrotask(() => (this.burstOpen = false));
    }
    this.bursts[this.bursts.length - 1]!++;
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        this.inFlight--;
        const refusal = this.refuse(key);
        if (refusal) return reject(refusal);
        this.stored.set(key, value);
        resolve();
      }),
    );
  };
}

test('every good record is stored, with at most N writes in flight, started in batches of N/2', async (t) => {
  const store = new SlowStore();
  const result = await new BulkLoader({ inFlight: 100, write: store.write }).load(
    recordsOf(Array.from({ length: 1000 }, (_, i) => good(i + 1))),
  );
  t.deepEqual(result, { records: 1000, loaded: 1000, failed: 0 });
  t.is(store.stored.size, 1000);
  t.is(store.stored.get('k7'), 'v7');
  t.is(store.maxInFlight, 100);
  t.deepEqual(
    store.bursts,
    Array.from({ length: 20 }, () => 50),
  );
});

test('bad lines and refused writes are reported by line, and loading goes on to the end', async (t) => {
  const store = new SlowStore((key) => (key === 'k5' ? new BrainerError('ERR_VALUE_TOO_LARGE', 'value is too large') : undefined));
  const failures: LoadFailure[] = [];
  const records: LoadRecord[] = [good(1), { line: 2, problem: { code: 'ERR_BAD_RECORD', message: 'not JSON' } }, good(3), good(5), good(6)];
  const result = await new BulkLoader({ inFlight: 2, write: store.write, onFailure: (f) => failures.push(f) }).load(recordsOf(records));
  t.deepEqual(result, { records: 5, loaded: 3, failed: 2 });
  t.deepEqual(
    failures.map((f) => `${f.line} ${f.code}`),
    ['2 ERR_BAD_RECORD', '5 ERR_VALUE_TOO_LARGE'],
  );
  t.deepEqual([...store.stored.keys()].sort(), ['k1', 'k3', 'k6']);
});

test('a whole batch failing because the cluster does not answer stops the load', async (t) => {
  const store = new SlowStore(() => new BrainerError('ERR_TIMEOUT', 'no answer'));
  const result = await new BulkLoader({ inFlight: 10, write: store.write }).load(
    recordsOf(Array.from({ length: 10_000 }, (_, i) => good(i + 1))),
  );
  t.regex(result.aborted ?? '', /every write of a batch failed with ERR_TIMEOUT/);
  t.true(result.records < 100, `read ${result.records} records before stopping`);
  t.is(result.failed, result.records);
});

test('a refusal of every record for its own reason is not a reason to stop', async (t) => {
  const store = new SlowStore(() => new BrainerError('ERR_KEY_TOO_LARGE', 'too long'));
  const result = await new BulkLoader({ inFlight: 10, write: store.write }).load(
    recordsOf(Array.from({ length: 200 }, (_, i) => good(i + 1))),
  );
  t.deepEqual(result, { records: 200, loaded: 0, failed: 200 });
});
