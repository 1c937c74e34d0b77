import test, { type ExecutionContext } from 'ava';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS, type Logger, type Write } from '@brainer/protocol';
import { LogEngine, MemoryEngine, Replica, type LogEngineOptions, type StorageEngine } from '../src/index.js';
import { storageEngineContract } from './storage-engine-contract.js';

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'brainer-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Opens an engine that the test closes when it ends. */
function open(t: ExecutionContext, dir: string, options: Partial<LogEngineOptions> = {}): LogEngine {
  const engine = LogEngine.open({ dir, ...options });
  t.teardown(() => engine.close());
  return engine;
}

/** A copy of the data directory as a crash would leave it now: what was handed to the OS. */
function crashCopy(t: ExecutionContext, dir: string): string {
  const copy = tempDir(t);
  cpSync(dir, copy, { recursive: true });
  return copy;
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string, meta?: Record<string, unknown>): void => void lines.push(`${message} ${JSON.stringify(meta ?? {})}`);
  return { lines, error: log, warn: log, info: log, debug: log };
}

const set = (key: string, value: string, expiresAt = 0): Write => ({ kind: 'set', key, value: Buffer.from(value), expiresAt });
const del = (key: string): Write => ({ kind: 'del', key });

/** Every entry, by key, as `key=value@seq`. */
function contentOf(engine: StorageEngine): string[] {
  const seen: string[] = [];
  const cursor = engine.cursor();
  while (!cursor.next((key, bytes, start, end, seq) => seen.push(`${key}=${bytes.toString('utf8', start, end)}@${seq}`), 1000, Infinity));
  return seen.sort();
}

storageEngineContract(test, 'LogEngine', (t) => open(t, tempDir(t)));
storageEngineContract(test, 'LogEngine, fsync always', (t) => open(t, tempDir(t), { fsync: 'always' }));

test('a reopened log holds the same content, digest and stream position', async (t) => {
  const dir = tempDir(t);
  const engine = LogEngine.open({ dir });
  t.is(engine.recovered, undefined, 'a new directory starts empty');
  engine.markPosition({ epoch: 3, seq: 10, whole: true });
  engine.apply(11, set('a', '1'), 0);
  engine.apply(12, set('b', '2', 9_999_999_999_999), 0);
  engine.apply(13, del('a'), 0);
  engine.apply(14, set('c', 'ключ'), 0);
  const before = { content: contentOf(engine), digest: engine.digest, size: engine.size };
  await engine.close();

  const reopened = open(t, dir);
  t.deepEqual({ content: contentOf(reopened), digest: reopened.digest, size: reopened.size }, before);
  t.deepEqual(reopened.recovered, { epoch: 3, seq: 14, whole: true }, 'each write applied while whole moves the position');
  t.is(reopened.get('b', 0)?.expiresAt, 9_999_999_999_999);
});

test('a reopened log replays expires and flushes in order', async (t) => {
  const dir = tempDir(t);
  const engine = LogEngine.open({ dir });
  engine.markPosition({ epoch: 1, seq: 0, whole: true });
  engine.apply(1, set('gone', 'x'), 0);
  engine.apply(2, set('kept', 'y'), 0);
  engine.apply(3, { kind: 'expire', key: 'kept', expiresAt: 9_999_999_999_999, origin: { client: 'c1', opId: 1 } }, 0);
  engine.apply(4, { kind: 'flush', origin: { client: 'c1', opId: 2 } }, 0);
  engine.apply(5, set('after', 'z'), 0);
  engine.apply(6, { kind: 'expire', key: 'after', expiresAt: 9_999_999_999_998 }, 0);
  const before = { content: contentOf(engine), digest: engine.digest, size: engine.size };
  await engine.close();

  const reopened = open(t, dir);
  t.deepEqual({ content: contentOf(reopened), digest: reopened.digest, size: reopened.size }, before);
  t.deepEqual(before.content, ['after=z@6']);
  t.is(reopened.get('after', 0)?.expiresAt, 9_999_999_999_998);
  t.deepEqual(reopened.recovered, { epoch: 1, seq: 6, whole: true });
});

test('a log whose store was cleared and partly loaded is not whole after a restart', async (t) => {
  const dir = tempDir(t);
  const engine = LogEngine.open({ dir });
  engine.markPosition({ epoch: 2, seq: 5, whole: true });
  engine.apply(6, set('a', '1'), 0);
  engine.markPosition({ epoch: 3, seq: 40, whole: true });
  engine.clear();
  engine.load('x', Buffer.from('snap'), 0, 4, 30, 0);
  engine.apply(41, set('y', 'live'), 0);
  await engine.close();
  const reopened = open(t, dir);
  t.deepEqual(reopened.recovered, { epoch: 3, seq: 40, whole: false });
  t.deepEqual(contentOf(reopened), ['x=snap@30', 'y=live@41']);
});

test('what was committed survives a crash without close', (t) => {
  const dir = tempDir(t);
  const engine = open(t, dir);
  engine.markPosition({ epoch: 1, seq: 0, whole: true });
  for (let seq = 1; seq <= 100; seq++) engine.apply(seq, set(`k${seq % 7}`, `v${seq}`), 0);
  engine.commit();
  const reopened = open(t, crashCopy(t, dir));
  t.deepEqual(contentOf(reopened), contentOf(engine));
  t.deepEqual(reopened.recovered, { epoch: 1, seq: 100, whole: true });
});

/** Writes `count` records after a position mark, closes, and answers the log's path. */
async function writeLog(dir: string, count: number): Promise<string> {
  const engine = LogEngine.open({ dir });
  engine.markPosition({ epoch: 1, seq: 0, whole: true });
  for (let seq = 1; seq <= count; seq++) engine.apply(seq, set(`k${seq}`, `value-${seq}`), 0);
  await engine.close();
  return join(dir, 'brainer.log');
}

/** The bytes the next record would add to a log of `count` records, as `writeLog` writes it. */
async function nextRecordBytes(t: ExecutionContext, count: number): Promise<Buffer> {
  const shorter = readFileSync(await writeLog(tempDir(t), count));
  return readFileSync(await writeLog(tempDir(t), count + 1)).subarray(shorter.length);
}

test('a torn last record (a crash in the middle of an append) is cut off, reported, and never replayed', async (t) => {
  const dir = tempDir(t);
  const path = await writeLog(dir, 10);
  const size = statSync(path).size;
  const next = await nextRecordBytes(t, 10);
  appendFileSync(path, next.subarray(0, next.length - 5));
  const logger = recordingLogger();
  const engine = open(t, dir, { logger });
  t.is(engine.size, 10);
  t.deepEqual(engine.recovered, { epoch: 1, seq: 10, whole: true }, 'nothing synced was lost');
  t.is(statSync(path).size, size, 'the file is cut back to the last good record');
  t.like(engine.stats(), { truncatedTails: 1 });
  t.true(logger.lines.some((line) => line.startsWith('data log: cut off a torn last record') && line.includes('the last record is torn')));
  t.false(logger.lines.some((line) => line.includes('records lost')));

  // Writes go on after the cut, and a second restart finds a clean log.
  engine.apply(11, set('k11', 'again'), 0);
  await engine.close();
  const again = open(t, dir, { logger: recordingLogger() });
  t.is(again.get('k11', 0)?.value.toString(), 'again');
  t.like(again.stats(), { truncatedTails: 0 });
  t.true(again.recovered!.whole);
});

test('a log cut short of what it had synced is not whole, and keeps the position of its last good record', async (t) => {
  const dir = tempDir(t);
  const path = await writeLog(dir, 10);
  const next = await nextRecordBytes(t, 9);
  for (const cut of [5, next.length]) {
    // Inside the last record, and exactly at a record boundary.
    const copy = tempDir(t);
    cpSync(dir, copy, { recursive: true });
    truncateSync(join(copy, 'brainer.log'), statSync(path).size - cut);
    const logger = recordingLogger();
    const engine = open(t, copy, { logger });
    t.is(engine.size, 9);
    t.deepEqual(engine.recovered, { epoch: 1, seq: 9, whole: false });
    t.true(logger.lines.some((line) => line.startsWith('data log: records lost') && line.includes('records were cut off')));
    await engine.close();
    t.false(open(t, copy, { logger: recordingLogger() }).recovered!.whole, 'still not whole after another restart');
  }
});

test('damage with good records after it is kept unchanged beside a new log, and the store is not whole', async (t) => {
  const dir = tempDir(t);
  const path = await writeLog(dir, 10);
  const bytes = readFileSync(path);
  // 8 bytes in the middle of the file: a crash cannot do that; the records after them are intact.
  const at = Math.floor(bytes.length / 2);
  for (let i = at; i < at + 8; i++) bytes[i] = bytes[i]! ^ 0xff;
  writeFileSync(path, bytes);
  const logger = recordingLogger();
  const engine = open(t, dir, { logger });
  const seq = engine.recovered!.seq;
  t.true(seq > 0 && seq < 10);
  t.deepEqual(engine.recovered, { epoch: 1, seq, whole: false });
  t.is(engine.size, seq, 'the writes up to the damage are loaded');
  const aside = readdirSync(dir).filter((name) => name.startsWith('brainer.log.damaged-'));
  t.is(aside.length, 1, 'the damaged log is moved aside');
  t.deepEqual(readFileSync(join(dir, aside[0]!)), bytes, 'byte for byte as it was');
  const error = logger.lines.find((line) => line.startsWith('data log: records lost'));
  t.truthy(error);
  t.regex(error!, new RegExp(`record ${seq + 1}: checksum mismatch\\) with ${9 - seq} good records after it`));
  t.true(error!.includes(aside[0]!), 'the error names the file kept');
  await engine.close();
  const again = open(t, dir, { logger: recordingLogger() });
  t.deepEqual(again.recovered, { epoch: 1, seq, whole: false }, 'the new log says not whole too');
});

test('a log missing from a directory that held data is not whole', async (t) => {
  const dir = tempDir(t);
  const path = await writeLog(dir, 10);
  rmSync(path);
  const logger = recordingLogger();
  const engine = open(t, dir, { logger });
  t.is(engine.size, 0);
  t.deepEqual(engine.recovered, { epoch: 1, seq: 10, whole: false }, 'the position last synced');
  t.true(logger.lines.some((line) => line.startsWith('data log: records lost') && line.includes('the log is missing')));
  await engine.close();

  // Without the synced position either, the node id the CLI found says the directory held data.
  t.is(open(t, tempDir(t), { hadData: false }).recovered, undefined, 'a new directory');
  t.deepEqual(open(t, tempDir(t), { hadData: true, logger: recordingLogger() }).recovered, { epoch: 0, seq: 0, whole: false });
});

test('garbage appended after the last record is cut off', async (t) => {
  const dir = tempDir(t);
  const path = await writeLog(dir, 3);
  appendFileSync(path, Buffer.from([0x30, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]));
  const engine = open(t, dir, { logger: recordingLogger() });
  t.is(engine.size, 3);
  t.like(engine.stats(), { truncatedTails: 1 });
});

test('a log cut inside its header starts empty; a file that is not a log is refused', (t) => {
  const torn = tempDir(t);
  writeFileSync(join(torn, 'brainer.log'), 'BRAI');
  const engine = open(t, torn, { logger: recordingLogger() });
  t.is(engine.size, 0);
  t.is(engine.recovered, undefined);

  const foreign = tempDir(t);
  writeFileSync(join(foreign, 'brainer.log'), "this is somebody else's file");
  t.throws(() => LogEngine.open({ dir: foreign }), { code: 'ERR_INVALID_OPTION', message: /not a Brainer data log/ });
});

test('a data directory in use by a live process is refused; a stale lock is taken over', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'LOCK'), String(process.ppid));
  t.throws(() => LogEngine.open({ dir }), { code: 'ERR_INVALID_OPTION', message: /in use by process/ });
  writeFileSync(join(dir, 'LOCK'), '999999999');
  const engine = LogEngine.open({ dir });
  t.is(readFileSync(join(dir, 'LOCK'), 'utf8'), String(process.pid));
  await engine.close();
  t.false(existsSync(join(dir, 'LOCK')), 'closing releases the lock');
});

test('a replacement log left by a crash during compaction is removed and the live log is used', async (t) => {
  const dir = tempDir(t);
  await writeLog(dir, 5);
  writeFileSync(join(dir, 'brainer.log.next'), 'half-written');
  const engine = open(t, dir);
  t.is(engine.size, 5);
  t.false(existsSync(join(dir, 'brainer.log.next')));
});

/** Lets the engine's background steps run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('compaction runs under writes, shrinks the log, and loses nothing, even if the node crashes midway', async (t) => {
  const dir = tempDir(t);
  const logger = recordingLogger();
  const engine = open(t, dir, { compactMinBytes: 256 * 1024, compactGrowthPercent: 50, logger });
  const reference = new MemoryEngine();
  engine.markPosition({ epoch: 1, seq: 0, whole: true });
  let seq = 0;
  let crashCopies = 0;
  let written = 0;
  // Overwrites and deletes over a small key space: most of the log is garbage.
  while ((engine.stats().compactions as number) < 3) {
    for (let i = 0; i < 200; i++) {
      seq++;
      const key = `key:${(seq * 7919) % 1500}`;
      const write = seq % 5 === 0 ? del(key) : set(key, `${seq}:${'x'.repeat(seq % 200)}`);
      engine.apply(seq, write, 0);
      reference.apply(seq, write, 0);
      written += 40 + (seq % 200);
    }
    engine.commit();
    if (engine.stats().compacting && crashCopies < 3) {
      // What a kill -9 in the middle of a compaction leaves behind.
      const copy = open(t, crashCopy(t, dir));
      t.is(copy.digest, reference.digest);
      t.deepEqual(copy.recovered, { epoch: 1, seq, whole: true });
      await copy.close();
      crashCopies++;
    }
    await turn();
  }
  t.true(crashCopies > 0, 'a copy was taken mid-compaction');
  t.deepEqual(contentOf(engine), contentOf(reference));
  const logBytes = engine.stats().logBytes as number;
  t.true(logBytes < written, `the log (${logBytes} bytes) is smaller than all that was written (${written})`);
  t.true(logger.lines.some((line) => line.startsWith('data log: compacted')));
  await engine.close();

  const reopened = open(t, dir);
  t.deepEqual(contentOf(reopened), contentOf(reference));
  t.is(reopened.digest, reference.digest);
  t.deepEqual(reopened.recovered, { epoch: 1, seq, whole: true });
});

test('a clear starts a fresh log at once', async (t) => {
  const dir = tempDir(t);
  const path = await writeLog(dir, 500);
  const before = statSync(path).size;
  const engine = open(t, dir);
  engine.clear();
  t.true(statSync(path).size < before / 10);
  engine.load('a', Buffer.from('1'), 0, 1, 7, 0);
  engine.commit();
  const reopened = open(t, crashCopy(t, dir));
  t.deepEqual(contentOf(reopened), ['a=1@7']);
  t.deepEqual(reopened.recovered, { epoch: 1, seq: 500, whole: false });
});

test('the origins of recent client writes survive a restart, a crash, a clear and compactions', async (t) => {
  const dir = tempDir(t);
  const engine = open(t, dir, { compactMinBytes: 64 * 1024, compactGrowthPercent: 50 });
  engine.markPosition({ epoch: 1, seq: 0, whole: true });
  engine.apply(1, set('a', '1'), 0);
  engine.recent.record({ client: 'c-1', opId: 7 }, 'set', false);
  const removed = engine.apply(2, del('a'), 0);
  engine.recent.record({ client: 'c-2', opId: 9 }, 'del', removed);
  engine.commit();
  const firstTwo = [
    ['c-1', 7, 'set', 0],
    ['c-2', 9, 'del', 1],
  ];
  t.deepEqual(engine.recent.list(), firstTwo);
  // What was committed is on disk with its origins, though the engine was never closed.
  const crashed = open(t, crashCopy(t, dir));
  t.deepEqual(crashed.recent.list(), firstTwo);
  await crashed.close();

  // A clear keeps them, and so do compactions, which rewrite the log from the store.
  engine.clear();
  engine.markPosition({ epoch: 1, seq: 2, whole: true });
  let seq = 2;
  while ((engine.stats().compactions as number) < 2) {
    for (let i = 0; i < 100; i++) {
      seq++;
      engine.apply(seq, set(`key:${seq % 50}`, 'x'.repeat(500)), 0);
      engine.recent.record({ client: 'c-3', opId: seq }, 'set', false);
    }
    engine.commit();
    await turn();
  }
  const expected = engine.recent.list();
  t.deepEqual(expected.slice(0, 2), firstTwo);
  t.is(expected.length, 2 + seq - 2);
  await engine.close();

  const reopened = open(t, dir);
  t.deepEqual(reopened.recent.list(), expected);
  // Replaying them logs nothing twice: a second restart finds the same list.
  reopened.commit();
  await reopened.close();
  t.deepEqual(open(t, dir).recent.list(), expected);
});

test('a replica on a log engine records its client writes there', (t) => {
  const engine = open(t, tempDir(t));
  const effects = {
    toBroker: () => {},
    startSnapshot: () => {},
    stopSnapshot: () => {},
    resync: () => {},
    storageFailed: () => {},
    emit: () => {},
  };
  const replica = new Replica(engine, { joinBufferWrites: 1000, joinBufferBytes: 1 << 20 }, effects);
  t.is(replica.recent, engine.recent);
  t.not(new Replica(new MemoryEngine(), { joinBufferWrites: 1000, joinBufferBytes: 1 << 20 }, effects).recent, undefined);
});

test('a version-1 log is read, then rewritten in the current format before anything is appended; a newer version is refused', async (t) => {
  const dir = tempDir(t);
  const path = await writeLog(dir, 20);
  // A log as the previous format wrote it: the same records, with version 1 in the header.
  const bytes = readFileSync(path);
  bytes.writeUInt32LE(1, 'BRAINLOG'.length);
  writeFileSync(path, bytes);
  const logger = recordingLogger();
  const engine = open(t, dir, { logger });
  t.is(engine.size, 20);
  t.deepEqual(engine.recovered, { epoch: 1, seq: 20, whole: true });
  t.true(logger.lines.some((line) => line.startsWith('data log: rewritten in the current format') && line.includes('"fromVersion":1')));
  t.is(readFileSync(path).readUInt32LE('BRAINLOG'.length), 2);
  engine.apply(21, set('k21', 'new'), 0);
  engine.recent.record({ client: 'c-1', opId: 5 }, 'set', false);
  await engine.close();
  const reopened = open(t, dir);
  t.is(reopened.size, 21);
  t.deepEqual(reopened.recent.list(), [['c-1', 5, 'set', 0]]);
  await reopened.close();

  const newer = readFileSync(path);
  newer.writeUInt32LE(3, 'BRAINLOG'.length);
  writeFileSync(path, newer);
  t.throws(() => LogEngine.open({ dir }), { code: 'ERR_INVALID_OPTION', message: /version 3; this node reads versions 1 and 2/ });
});

test('bad options are refused with the field named', (t) => {
  const dir = tempDir(t);
  t.throws(() => LogEngine.open({ dir, fsync: 'sometimes' as 'no' }), { code: 'ERR_INVALID_OPTION', message: /fsync/ });
  t.throws(() => LogEngine.open({ dir, compactMinBytes: -1 }), { code: 'ERR_INVALID_OPTION', message: /compactMinBytes/ });
});

test('a replica restarted on its log asks to resume from the position its data is at', async (t) => {
  const dir = tempDir(t);
  const engine = LogEngine.open({ dir });
  const effects = {
    toBroker: () => {},
    startSnapshot: () => {},
    stopSnapshot: () => {},
    resync: () => {},
    storageFailed: () => {},
    emit: () => {},
  };
  const limits = { joinBufferWrites: 1000, joinBufferBytes: 1 << 20 };
  const replica = new Replica(engine, limits, effects);
  replica.onWelcome({
    type: 'welcome',
    epoch: 4,
    state: 'ready',
    seq: 10,
    reset: false,
    joinId: 0,
    sourceId: '',
    sourceEndpoint: '',
    heartbeatMs: 100,
    leaseMs: 200,
    limits: DEFAULT_LIMITS,
  });
  const from = (write: Write, opId: number): Write => ({ ...write, origin: { client: 'c-1', opId } });
  replica.onWrites({
    type: 'writes',
    epoch: 4,
    firstSeq: 11,
    sentAt: 0,
    writes: [from(set('a', '1'), 1), set('b', '2'), from(del('a'), 2)],
  });
  const digest = engine.digest;
  await engine.close();

  const restarted = new Replica(open(t, dir), limits, effects);
  t.deepEqual(restarted.registration('n', 'i', 'e'), {
    type: 'resume',
    nodeId: 'n',
    incarnation: 'i',
    endpoint: 'e',
    epoch: 4,
    seq: 13,
    keys: 1,
    digest,
  });
  t.is(restarted.state, 'registering', 'it serves nothing until the broker says so');
  // The client writes it applied, with what the delete answered, for a new broker's retry deduplication.
  t.deepEqual(restarted.recent.list(), [
    ['c-1', 1, 'set', 0],
    ['c-1', 2, 'del', 1],
  ]);
});

test('the origins of expires and flushes survive a restart with their kinds', async (t) => {
  const dir = tempDir(t);
  const engine = LogEngine.open({ dir });
  engine.markPosition({ epoch: 1, seq: 0, whole: true });
  engine.apply(1, set('a', '1'), 0);
  engine.recent.record(
    { client: 'c-1', opId: 1 },
    'expire',
    engine.apply(2, { kind: 'expire', key: 'a', expiresAt: 9_999_999_999_999 }, 0),
  );
  engine.recent.record(
    { client: 'c-1', opId: 2 },
    'expire',
    engine.apply(3, { kind: 'expire', key: 'nope', expiresAt: 9_999_999_999_999 }, 0),
  );
  engine.recent.record({ client: 'c-2', opId: 3 }, 'flush', engine.apply(4, { kind: 'flush' }, 0));
  await engine.close();
  t.deepEqual(open(t, dir).recent.list(), [
    ['c-1', 1, 'expire', 1],
    ['c-1', 2, 'expire', 0],
    ['c-2', 3, 'flush', 0],
  ]);
});

test('an expire replays the same whatever the clock reads at the restart', async (t) => {
  const dir = tempDir(t);
  const engine = LogEngine.open({ dir });
  engine.markPosition({ epoch: 1, seq: 0, whole: true });
  // The first expiry is long past by the time the log is replayed; the expire moved it first.
  engine.apply(1, set('session', 'open', 1000), 0);
  t.true(engine.apply(2, { kind: 'expire', key: 'session', expiresAt: 9_999_999_999_999 }, 0));
  await engine.close();
  t.is(open(t, dir).get('session', Date.now())?.expiresAt, 9_999_999_999_999);
});
