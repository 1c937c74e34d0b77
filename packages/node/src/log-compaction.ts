import { fdatasync } from 'node:fs';
import { NextLog } from './log-file.js';
import { RecordWriter } from './log-records.js';
import type { RecentWrites } from './recent-writes.js';
import type { SnapshotCursor, StorageEngine, StreamPosition } from './storage-engine.js';

/**
 * One rewrite of the log down to the live entries, in the background, as Redis rewrites its AOF. A
 * new log is written beside the live one: the stream position, the origins of the recent client
 * writes, then one `load` record per entry,
 * read from a cursor over the store a step at a time between the node's other work. Meanwhile every
 * record written to the live log is also kept in a tail. At the end the tail follows the entries
 * into the new log, which is synced and renamed over the live one.
 *
 * Why the result replays to the same store: the cursor may see a key before or after a write made
 * during the rewrite, and the tail holds every such write. Replay loads the entries, then applies
 * the tail; each entry keeps the seq that wrote it and an engine ignores a write older than the
 * entry, so whichever copy of a key is newer wins, as in a join. Until the rename the live log is
 * untouched, so a crash at any point loses nothing.
 */
export class LogCompaction {
  private readonly next: NextLog;
  private readonly cursor: SnapshotCursor;
  private readonly records = new RecordWriter(1024 * 1024);
  private tail: Buffer[] = [];
  /** Entries copied so far. */
  entries = 0;

  constructor(dir: string, store: StorageEngine, position: StreamPosition, recent: RecentWrites) {
    this.next = new NextLog(dir);
    this.records.position(position);
    this.records.recentWrites(recent);
    this.cursor = store.cursor();
  }

  /** Bytes of the new log so far. */
  get bytes(): number {
    return this.next.bytes;
  }

  /** Copies the next entries into the new log. Answers true once every entry is in. */
  step(maxEntries: number, maxBytes: number): boolean {
    const done = this.cursor.next(
      (key, bytes, start, end, seq, expiresAt) => {
        this.records.load(key, bytes, start, end, seq, expiresAt);
        this.entries++;
      },
      maxEntries,
      maxBytes,
    );
    this.next.write(this.records.bytes);
    this.records.reset();
    return done;
  }

  /** Keeps a copy of records just written to the live log. */
  tee(bytes: Buffer): void {
    this.tail.push(Buffer.from(bytes));
  }

  /** Syncs the bulk of the new log off the event loop, so that the final sync in `install` is short. */
  syncBulk(): Promise<void> {
    return new Promise((resolve, reject) => fdatasync(this.next.fd, (error) => (error ? reject(error) : resolve())));
  }

  /** Writes the tail, then syncs the new log and renames it over the live one. Answers its fd, open for appending. */
  install(): number {
    for (const bytes of this.tail) this.next.write(bytes);
    this.tail = [];
    this.next.install();
    return this.next.fd;
  }

  abort(): void {
    this.tail = [];
    this.next.abort();
  }
}
