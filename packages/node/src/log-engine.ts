import { closeSync, existsSync, fdatasync, fdatasyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  BrainerError,
  InvalidOptionError,
  requireInteger,
  silentLogger,
  type EvictionSample,
  type Logger,
  type Write,
} from '@brainer/protocol';
import { lockDataDir } from './data-dir-lock.js';
import { LogCompaction } from './log-compaction.js';
import { LOG_FILE, LOG_VERSION, NEXT_LOG_FILE, NextLog, scanLog, syncDir, truncateLog, writeAll, type LogDamage } from './log-file.js';
import { RecordWriter, type LogRecord } from './log-records.js';
import { MemoryEngine, type MemoryEngineOptions } from './memory-engine.js';
import { RecentWrites } from './recent-writes.js';
import type { SnapshotCursor, StorageEngine, StoredEntry, StreamPosition } from './storage-engine.js';
import { isBefore, SyncedPositionFile } from './synced-position.js';
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-dir.js';

/**
 * When the log is synced to disk: before each acknowledgement (`always`), once a second
 * (`everysec`), or when the OS decides (`no`). In every mode each batch of writes reaches the OS
 * before the node acknowledges it, so a killed node process loses nothing; the mode says what a
 * crash of the machine may lose.
 */
export type FsyncMode = 'always' | 'everysec' | 'no';

export const FSYNC_MODES: readonly FsyncMode[] = ['always', 'everysec', 'no'];

export interface LogEngineOptions {
  /** The data directory, created if missing. One node at a time may use it. */
  dir: string;
  /** When the log is synced to disk. Default `everysec`. */
  fsync: FsyncMode;
  /** A log smaller than this is never compacted, in bytes. Default 64 MiB. */
  compactMinBytes: number;
  /** A log is compacted once it has grown this many percent since the last compaction (or since it was opened). Default 100. */
  compactGrowthPercent: number;
  /** How the in-memory store's arena is cut up. Default: the memory engine's. */
  memory: Partial<MemoryEngineOptions>;
  logger: Logger;
  /**
   * Whether the directory is known to have held data before (the CLI passes true when its node-id
   * file is there): a log missing from it then was lost, and the store starts not whole. Default false.
   */
  hadData: boolean;
  /**
   * Called once if the log cannot be written (a full disk, an I/O error). The engine then stops
   * writing the log, and the node should stop: what is on disk stays a consistent, older state.
   * Default: nothing beyond the error logged.
   */
  onFailure: (error: Error) => void;
}

export const DEFAULT_LOG_ENGINE_OPTIONS: Omit<LogEngineOptions, 'dir'> = {
  fsync: 'everysec',
  compactMinBytes: 64 * 1024 * 1024,
  compactGrowthPercent: 100,
  memory: {},
  hadData: false,
  logger: silentLogger,
  onFailure: () => undefined,
};

/** Records are written out once this many bytes wait, whatever else happens. */
const WRITE_OUT_BYTES = 1024 * 1024;
/** How often waiting records are written out, and synced in `everysec` mode, in ms. */
const TICK_MS = 1000;
/** One compaction step copies at most this many entries or bytes, so writes are never held up long. */
const COMPACT_STEP_ENTRIES = 5_000;
const COMPACT_STEP_BYTES = 4 * 1024 * 1024;

/**
 * A storage engine that survives restarts: a MemoryEngine serves every read and holds the data,
 * and each change is also appended to a log file in the data directory, a record with a checksum
 * (CRC-32) per change. Opening the directory replays the log into memory. A torn last record (a crash
 * in the middle of an append) is cut off and reported, never replayed. Damage with good records
 * after it is corruption: the file is moved aside unchanged, and the store starts not whole, as it
 * does when the log is missing or ends before the position last synced in it (`synced-position`).
 * The log also holds the node's
 * stream position, so a restarted node registers with the (epoch, seq) its data is at, and the
 * origins of the recent client writes (`recent`), so a new broker still knows a retried write.
 *
 * The log is compacted in the background once it has grown enough (see LogCompaction), and a
 * `clear` starts a fresh log at once, since nothing before it matters any more.
 */
export class LogEngine implements StorageEngine {
  readonly recovered: StreamPosition | undefined;
  readonly recent = new RecentWrites();
  private readonly options: LogEngineOptions;
  private readonly logger: Logger;
  private readonly memory: MemoryEngine;
  private readonly records = new RecordWriter();
  private readonly releaseLock: () => void;
  private readonly timer: NodeJS.Timeout;
  private fd: number;
  private epoch = 0;
  private seq = 0;
  private whole = true;
  private logBytes: number;
  /** The log's size after the last compaction, or when opened: growth is measured from it. */
  private baseBytes: number;
  /** Whether bytes were written since the last sync. */
  private dirty = false;
  private syncing: Promise<void> | undefined;
  private compaction: LogCompaction | undefined;
  private compactions = 0;
  /** Log syncs done (fdatasync of the log), for metrics. */
  private fsyncs = 0;
  private readonly damage: LogDamage | undefined;
  private readonly synced: SyncedPositionFile;
  private failed = false;
  private failure: Error | undefined;
  /** Where a damaged log was moved when it was opened. */
  private damagedLogKeptAs: string | undefined;
  private closed = false;

  /** Opens (or creates) the data directory and loads its log into memory. */
  static open(options: Partial<LogEngineOptions> & Pick<LogEngineOptions, 'dir'>): LogEngine {
    return new LogEngine({ ...DEFAULT_LOG_ENGINE_OPTIONS, ...options });
  }

  private constructor(options: LogEngineOptions) {
    if (!FSYNC_MODES.includes(options.fsync)) throw new InvalidOptionError('fsync', `must be one of ${FSYNC_MODES.join(', ')}`);
    requireInteger('compactMinBytes', options.compactMinBytes, 0);
    requireInteger('compactGrowthPercent', options.compactGrowthPercent, 0);
    this.options = options;
    this.logger = options.logger;
    this.memory = new MemoryEngine(options.memory);
    mkdirSync(options.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // Locked first: a directory that another node holds is refused before anything in it is touched.
    this.releaseLock = lockDataDir(options.dir);
    try {
      makePrivateDir(options.dir, 'dir', this.logger);
    } catch (error) {
      this.releaseLock();
      throw error;
    }
    this.synced = new SyncedPositionFile(options.dir);
    try {
      // A replacement log left by a crash during compaction: the live log is still whole.
      rmSync(join(options.dir, NEXT_LOG_FILE), { force: true });
      const path = join(options.dir, LOG_FILE);
      const syncedBefore = SyncedPositionFile.read(options.dir);
      const exists = existsSync(path);
      const { version, bytes, records, damage } = exists ? this.replay(path) : { version: 0, bytes: 0, records: 0, damage: undefined };
      const lost = this.lostRecords(path, exists, damage, syncedBefore);
      if (bytes === 0 && !lost) {
        const fresh = new NextLog(options.dir);
        fresh.install();
        this.fd = fresh.fd;
        this.logBytes = fresh.bytes;
      } else if (version < LOG_VERSION || lost) {
        // Rewritten whole, as a compaction would, before any record of the newer version is appended;
        // in steps, so that no more than one step's records are held in memory at once. A log that
        // lost records is rewritten too, so that what is on disk says the store is not whole.
        const upgrade = new LogCompaction(options.dir, this.memory, this.position, this.recent);
        try {
          while (!upgrade.step(COMPACT_STEP_ENTRIES, COMPACT_STEP_BYTES));
          this.fd = upgrade.install();
        } catch (error) {
          upgrade.abort();
          throw error;
        }
        this.logBytes = upgrade.bytes;
        this.markSynced();
        if (!lost) this.logger.info('data log: rewritten in the current format', { fromVersion: version, toVersion: LOG_VERSION });
      } else {
        this.fd = openSync(path, 'a', PRIVATE_FILE_MODE);
        this.logBytes = bytes;
      }
      this.damage = damage;
      this.baseBytes = this.logBytes;
      this.recovered = records > 0 || lost ? this.position : undefined;
      this.logger.info('data log loaded', {
        dir: options.dir,
        bytes: this.logBytes,
        records,
        keys: this.memory.size,
        ...this.recovered,
      });
    } catch (error) {
      this.synced.close();
      this.releaseLock();
      throw error;
    }
    // Replayed origins are already in the log; from now on each one recorded is logged after its write.
    this.recent.onRecord = (origin, kind, removed) => {
      this.records.origin(origin.client, origin.opId, kind, removed);
      this.appended();
    };
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  get size(): number {
    return this.memory.size;
  }

  get digest(): string {
    return this.memory.digest;
  }

  get(key: string, nowMs: number): StoredEntry | undefined {
    return this.memory.get(key, nowMs);
  }

  keys(matches: (key: string) => boolean, nowMs: number): string[] {
    return this.memory.keys(matches, nowMs);
  }

  get usedBytes(): number {
    return this.memory.usedBytes;
  }

  sample(count: number, volatileOnly: boolean): EvictionSample[] {
    return this.memory.sample(count, volatileOnly);
  }

  scanPrefix(prefix: string, nowMs: number, visit: (key: string, value: Buffer) => boolean): void {
    this.memory.scanPrefix(prefix, nowMs, visit);
  }

  cursor(): SnapshotCursor {
    return this.memory.cursor();
  }

  reserve(keys: number): void {
    this.memory.reserve(keys);
  }

  apply(seq: number, write: Write, nowMs: number): boolean {
    const removed = this.memory.apply(seq, write, nowMs);
    if (write.kind === 'set') this.records.set(seq, write.key, write.value, 0, write.value.length, write.expiresAt);
    else if (write.kind === 'del') this.records.del(seq, write.key);
    else if (write.kind === 'expire') this.records.expire(seq, write.key, write.expiresAt);
    else this.records.flush(seq);
    this.advance(seq);
    this.appended();
    return removed;
  }

  load(key: string, bytes: Uint8Array, start: number, end: number, seq: number, expiresAt: number): void {
    this.memory.load(key, bytes, start, end, seq, expiresAt);
    this.records.load(key, bytes, start, end, seq, expiresAt);
    this.appended();
  }

  /** Empties the store and starts a fresh log holding only the position: nothing before it matters any more. */
  clear(): void {
    this.memory.clear();
    this.whole = false;
    this.records.reset();
    if (this.failed || this.closed) return;
    this.abortCompaction();
    try {
      const fresh = new NextLog(this.options.dir);
      const records = new RecordWriter(64);
      records.position(this.position);
      records.recentWrites(this.recent);
      fresh.write(records.bytes);
      fresh.install();
      this.switchTo(fresh.fd, fresh.bytes);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  markPosition(position: StreamPosition): void {
    this.epoch = position.epoch;
    this.seq = position.seq;
    this.whole = position.whole;
    this.records.position(position);
    this.appended();
  }

  /**
   * Hands the waiting records to the OS, and in `always` mode syncs them. Throws `ERR_STORAGE` when
   * that fails, now or before: the node must not acknowledge what it applied.
   */
  commit(): void {
    this.writeOut();
    if (this.options.fsync === 'always' && this.dirty && !this.failed) {
      try {
        fdatasyncSync(this.fd);
        this.fsyncs++;
        this.dirty = false;
        this.markSynced();
      } catch (error) {
        this.fail(error as Error);
      }
    }
    if (this.failure) {
      throw new BrainerError('ERR_STORAGE', `the data log in ${this.options.dir} cannot be written: ${this.failure.message}`, {
        cause: this.failure,
      });
    }
    this.maybeCompact();
  }

  stats(): Record<string, unknown> {
    return {
      dataDir: this.options.dir,
      fsync: this.options.fsync,
      logBytes: this.logBytes + this.records.length,
      compactions: this.compactions,
      fsyncs: this.fsyncs,
      compacting: this.compaction !== undefined,
      truncatedTails: this.damage ? 1 : 0,
      failed: this.failed,
    };
  }

  /** Writes out and syncs what is left, and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.recent.onRecord = undefined;
    clearInterval(this.timer);
    this.abortCompaction();
    this.writeOut();
    this.closed = true;
    await this.syncing;
    try {
      if (!this.failed) {
        fdatasyncSync(this.fd);
        this.markSynced();
      }
    } finally {
      this.synced.close();
      closeSync(this.fd);
      this.releaseLock();
    }
  }

  private get position(): StreamPosition {
    return { epoch: this.epoch, seq: this.seq, whole: this.whole };
  }

  /** While the store is whole, each applied write is the stream's next: the position follows it. */
  private advance(seq: number): void {
    if (this.whole && seq > this.seq) this.seq = seq;
  }

  private replay(path: string): { version: number; bytes: number; records: number; damage: LogDamage | undefined } {
    const now = Date.now();
    const { version, validBytes, records, damage } = scanLog(path, (record: LogRecord) => {
      switch (record.type) {
        case 'set':
          this.memory.apply(record.seq, { kind: 'set', key: record.key, value: record.value, expiresAt: record.expiresAt }, now);
          return this.advance(record.seq);
        case 'del':
          this.memory.apply(record.seq, { kind: 'del', key: record.key }, now);
          return this.advance(record.seq);
        case 'expire':
          this.memory.apply(record.seq, { kind: 'expire', key: record.key, expiresAt: record.expiresAt }, now);
          return this.advance(record.seq);
        case 'flush':
          this.memory.apply(record.seq, { kind: 'flush' }, now);
          return this.advance(record.seq);
        case 'load':
          return this.memory.load(record.key, record.value, 0, record.value.length, record.seq, record.expiresAt);
        case 'position':
          this.epoch = record.position.epoch;
          this.seq = record.position.seq;
          this.whole = record.position.whole;
          return;
        case 'origin':
          return this.recent.record({ client: record.client, opId: record.opId }, record.kind, record.removed);
      }
    });
    if (damage && damage.goodRecordsAfter > 0) {
      // Good records follow the damage: corruption, not a crash in the middle of an append. The file
      // is kept as it is for an operator (brainer-cli check-log), and the node starts not whole.
      this.damagedLogKeptAs = join(this.options.dir, `${LOG_FILE}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      renameSync(path, this.damagedLogKeptAs);
      syncDir(this.options.dir);
      return { version, bytes: 0, records, damage };
    }
    if (damage) {
      // A torn last record: never replayed, never left behind for a later record to follow.
      if (validBytes > 0) truncateLog(path, validBytes);
      this.logger.warn('data log: cut off a torn last record', {
        offset: damage.offset,
        droppedBytes: damage.bytes,
        reason: damage.reason,
        recordsKept: records,
      });
    }
    return { version, bytes: validBytes, records, damage };
  }

  /**
   * Why the replayed store is not the whole content the log held, if it is not: the log is damaged
   * with good records after the damage, or missing from a directory that held data, or it ends
   * before the position last synced in it. The store is then marked not whole, keeping the position
   * of its last good record (for a missing log, the one last synced), and the node takes the
   * cluster's data from a peer.
   */
  private lostRecords(
    path: string,
    exists: boolean,
    damage: LogDamage | undefined,
    synced: StreamPosition | undefined,
  ): string | undefined {
    let reason: string | undefined;
    if (this.damagedLogKeptAs) {
      reason = `the log is damaged at byte ${damage!.offset} (record ${damage!.recordNumber}: ${damage!.reason}) with ${damage!.goodRecordsAfter} good records after it; it is kept unchanged as ${this.damagedLogKeptAs}`;
    } else if (!exists && (synced || this.options.hadData)) {
      reason = 'the log is missing from a directory that held data';
      if (synced) {
        this.epoch = synced.epoch;
        this.seq = synced.seq;
      }
    } else if (synced && isBefore(this.position, synced)) {
      reason = `the log ends at epoch ${this.epoch} seq ${this.seq}, before epoch ${synced.epoch} seq ${synced.seq}, which it had synced: records were cut off`;
    }
    if (reason === undefined) return undefined;
    this.whole = false;
    this.logger.error("data log: records lost; the node is not whole and takes the cluster's data from a peer", {
      file: path,
      reason,
      epoch: this.epoch,
      seq: this.seq,
      keys: this.memory.size,
    });
    return reason;
  }

  /** Records the position as synced: everything up to it is on disk. */
  private markSynced(position = this.position): void {
    // A store that never had a position in some epoch has nothing to lose.
    if (position.epoch > 0) this.synced.write(position);
  }

  private appended(): void {
    if (this.records.length >= WRITE_OUT_BYTES) this.writeOut();
  }

  /** Hands the waiting records to the OS (and to a running compaction's tail). */
  private writeOut(): void {
    if (this.records.length === 0 || this.closed) return;
    if (this.failed) return this.records.reset();
    const bytes = this.records.bytes;
    try {
      writeAll(this.fd, bytes);
    } catch (error) {
      return this.fail(error as Error);
    }
    this.logBytes += bytes.length;
    this.dirty = true;
    this.compaction?.tee(bytes);
    this.records.reset();
  }

  private tick(): void {
    this.writeOut();
    if (this.options.fsync === 'everysec' && this.dirty && !this.syncing && !this.failed) {
      this.dirty = false;
      const syncedUpTo = this.position;
      const fd = this.fd;
      this.syncing = new Promise<void>((resolve) =>
        fdatasync(fd, (error) => {
          this.syncing = undefined;
          if (!error) this.fsyncs++;
          if (fd === this.fd && !this.failed && !this.closed) {
            try {
              if (error) throw error;
              this.markSynced(syncedUpTo);
            } catch (failure) {
              this.fail(failure as Error);
            }
          }
          resolve();
        }),
      );
    }
    this.maybeCompact();
  }

  private maybeCompact(): void {
    if (this.compaction || this.failed || this.closed) return;
    const { compactMinBytes, compactGrowthPercent } = this.options;
    if (this.logBytes <= compactMinBytes || this.logBytes <= this.baseBytes * (1 + compactGrowthPercent / 100)) return;
    this.writeOut();
    try {
      this.compaction = new LogCompaction(this.options.dir, this.memory, this.position, this.recent);
    } catch (error) {
      return this.compactionFailed(error as Error);
    }
    this.logger.info('data log: compacting', { bytes: this.logBytes, keys: this.memory.size });
    setImmediate(() => this.compactStep(this.compaction!));
  }

  private compactStep(compaction: LogCompaction): void {
    if (this.compaction !== compaction) return;
    let done: boolean;
    try {
      done = compaction.step(COMPACT_STEP_ENTRIES, COMPACT_STEP_BYTES);
    } catch (error) {
      return this.compactionFailed(error as Error);
    }
    if (!done) return void setImmediate(() => this.compactStep(compaction));
    compaction.syncBulk().then(
      () => this.finishCompaction(compaction),
      (error: unknown) => this.compaction === compaction && this.compactionFailed(error as Error),
    );
  }

  private finishCompaction(compaction: LogCompaction): void {
    if (this.compaction !== compaction) return;
    this.writeOut();
    if (this.failed) return;
    const before = this.logBytes;
    let fd: number;
    try {
      fd = compaction.install();
    } catch (error) {
      // The rename may or may not have happened: the log can no longer be trusted to follow on.
      this.compaction = undefined;
      return this.fail(error as Error);
    }
    this.compaction = undefined;
    this.switchTo(fd, compaction.bytes);
    this.compactions++;
    this.logger.info('data log: compacted', { bytesBefore: before, bytesAfter: this.logBytes, entries: compaction.entries });
  }

  /** Appends to `fd` from now on; the old log's descriptor closes once no sync is using it. */
  private switchTo(fd: number, bytes: number): void {
    const old = this.fd;
    this.fd = fd;
    this.logBytes = bytes;
    this.baseBytes = bytes;
    this.dirty = false;
    if (this.syncing) void this.syncing.then(() => closeSync(old));
    else closeSync(old);
    try {
      this.markSynced();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private compactionFailed(error: Error): void {
    this.abortCompaction();
    // Wait for as much growth again before the next try.
    this.baseBytes = this.logBytes;
    this.logger.warn('data log: compaction failed; the log goes on as it is', { error: error.message });
  }

  private abortCompaction(): void {
    const compaction = this.compaction;
    this.compaction = undefined;
    try {
      compaction?.abort();
    } catch {
      // The replacement may be half-written; the next open removes it.
    }
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = error;
    this.records.reset();
    this.abortCompaction();
    this.logger.error('data log: cannot write; the node stops persisting', { dir: this.options.dir, error: error.message });
    this.options.onFailure(error);
  }
}
