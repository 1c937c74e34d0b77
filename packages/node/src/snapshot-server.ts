import { SnapshotChunkWriter, encode, type Logger, type Message, type MessageOf } from '@brainer/protocol';
import type { Replica } from './replica.js';
import type { SnapshotCursor } from './storage-engine.js';

interface Stream {
  readonly peer: Buffer;
  readonly joinId: number;
  readonly minSeq: number;
  credit: number;
  cursor: SnapshotCursor | undefined;
  sent: number;
  lastActivity: number;
}

/** Most bytes of values in one chunk, whatever the entry count. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * The source's side of a join. A snapshot starts once this node has applied the stream up to the
 * joiner's `minSeq`, and is read lazily from the live store one chunk per credit: the source never
 * builds the snapshot in one buffer. Entries carry the seq that wrote them; entries changed while
 * the stream runs are newer than the snapshot's seq, and the joiner's buffered stream holds every
 * write after it, so the joiner ends with the state as of its own position.
 */
export class SnapshotServer {
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly replica: Replica,
    private readonly send: (peer: Buffer, frame: Buffer) => void,
    private readonly chunkEntries: number,
    private readonly idleMs: number,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  get active(): number {
    return this.streams.size;
  }

  onRequest(peer: Buffer, message: MessageOf<'snapshot-request'>): void {
    const stream: Stream = {
      peer,
      joinId: message.joinId,
      minSeq: message.minSeq,
      credit: message.credit,
      cursor: undefined,
      sent: 0,
      lastActivity: this.now(),
    };
    this.streams.set(peer.toString('hex'), stream);
    this.logger.info('snapshot requested', { joinId: message.joinId, minSeq: message.minSeq, keys: this.replica.engine.size });
    this.pump();
  }

  onCredit(peer: Buffer, message: MessageOf<'snapshot-credit'>): void {
    const stream = this.streams.get(peer.toString('hex'));
    if (!stream || stream.joinId !== message.joinId) return;
    stream.credit += message.credit;
    stream.lastActivity = this.now();
    this.pump();
  }

  /** Starts streams whose `minSeq` this node has reached and sends chunks while credit lasts. */
  pump(): void {
    for (const [key, stream] of this.streams) {
      if (this.replica.state !== 'ready') {
        this.abort(key, stream, 'the snapshot source is no longer ready');
        continue;
      }
      if (!stream.cursor) {
        if (this.replica.position < stream.minSeq) continue;
        stream.cursor = this.replica.engine.cursor();
        this.sendMessage(stream.peer, {
          type: 'snapshot-begin',
          joinId: stream.joinId,
          seq: this.replica.position,
          totalKeys: this.replica.engine.size,
        });
      }
      while (stream.credit > 0 && this.streams.has(key)) this.sendChunk(key, stream);
    }
  }

  /** Forgets streams whose joiner went quiet. */
  sweep(): void {
    const now = this.now();
    for (const [key, stream] of this.streams) {
      if (now - stream.lastActivity > this.idleMs) {
        this.logger.warn('snapshot stream abandoned by its joiner', { joinId: stream.joinId, sent: stream.sent });
        this.streams.delete(key);
      }
    }
  }

  close(): void {
    this.streams.clear();
  }

  private sendChunk(key: string, stream: Stream): void {
    const chunk = new SnapshotChunkWriter(stream.joinId, this.replica.wallClock(), Math.min(CHUNK_BYTES, this.chunkEntries * 160) + 1024);
    const done = stream.cursor!.next(
      (entryKey, bytes, start, end, seq, expiresAt) => chunk.add(entryKey, bytes, start, end, seq, expiresAt),
      this.chunkEntries,
      CHUNK_BYTES,
    );
    if (chunk.entries > 0) {
      stream.credit--;
      stream.sent += chunk.entries;
      this.send(stream.peer, chunk.finish());
    }
    if (done) {
      this.sendMessage(stream.peer, { type: 'snapshot-end', joinId: stream.joinId, count: stream.sent });
      this.streams.delete(key);
      this.logger.info('snapshot sent', { joinId: stream.joinId, entries: stream.sent });
    }
  }

  private sendMessage(peer: Buffer, message: Message): void {
    this.send(peer, encode(message));
  }

  private abort(key: string, stream: Stream, message: string): void {
    this.streams.delete(key);
    this.sendMessage(stream.peer, { type: 'error', code: 'ERR_NOT_READY', message });
  }
}
