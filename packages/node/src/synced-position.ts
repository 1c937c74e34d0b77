import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readRecord, RecordWriter } from './log-records.js';
import type { StreamPosition } from './storage-engine.js';
import { PRIVATE_FILE_MODE } from './private-dir.js';

/** The file beside the log that holds the last position known to be synced in it. */
export const SYNCED_POSITION_FILE = 'synced-position';

/**
 * The last stream position that the log engine knows is on disk in its log, kept in a small file
 * of its own: one `position` record, overwritten in place after each sync the engine makes. The
 * file itself is never synced, so after a machine crash it may lag behind the log, but it never runs
 * ahead of it. A log that replays to an earlier position has lost records that were synced: it was
 * truncated, or replaced by an older copy. A directory that has this file but no log lost its log.
 */
export class SyncedPositionFile {
  private fd: number | undefined;
  private readonly records = new RecordWriter(64);

  constructor(private readonly dir: string) {}

  /** What the file says, or undefined when it is missing or unreadable (a lagging mark is never wrong, a missing one only weaker). */
  static read(dir: string): StreamPosition | undefined {
    const path = join(dir, SYNCED_POSITION_FILE);
    if (!existsSync(path)) return undefined;
    const bytes = readFileSync(path);
    const read = readRecord(bytes, 0, bytes.length);
    return read.kind === 'record' && read.record.type === 'position' ? read.record.position : undefined;
  }

  write(position: StreamPosition): void {
    this.fd ??= openSync(join(this.dir, SYNCED_POSITION_FILE), 'w', PRIVATE_FILE_MODE);
    this.records.reset();
    this.records.position(position);
    const bytes = this.records.bytes;
    // Always the same length, at offset 0: the file never holds two records.
    writeSync(this.fd, bytes, 0, bytes.length, 0);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Whether position `a` comes before `b` in the stream (epochs first, then seqs). */
export function isBefore(a: StreamPosition, b: StreamPosition): boolean {
  return a.epoch < b.epoch || (a.epoch === b.epoch && a.seq < b.seq);
}
