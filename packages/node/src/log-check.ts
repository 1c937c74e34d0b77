import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError, silentLogger } from '@brainer/protocol';
import { header, HEADER_BYTES, LOG_FILE, readHeader } from './log-file.js';
import { RecordWriter, type LogRecord } from './log-records.js';
import { walkRecords, type DamagedRange } from './log-walk.js';
import type { StreamPosition } from './storage-engine.js';
import { isBefore, SyncedPositionFile } from './synced-position.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from './private-dir.js';

/**
 * What a node would make of a data directory's log: `clean`; `torn-tail` (a crash in the middle of
 * the last append, which the node cuts off and stays whole); `damaged` (good records follow damage:
 * the node moves the file aside and starts not whole); `cut-short` (the log ends before the position
 * last synced in it: not whole); `missing` (no log where there was one: not whole).
 */
export type LogVerdict = 'clean' | 'torn-tail' | 'damaged' | 'cut-short' | 'missing';

export interface LogCheck {
  file: string;
  verdict: LogVerdict;
  bytes: number;
  /** The log format's version; 0 when there is no log. */
  version: number;
  /** Good records in the whole file, those after damage included: what could be salvaged. */
  goodRecords: number;
  /** Good records before the first damage: what a node replays. */
  recordsBeforeDamage: number;
  damages: DamagedRange[];
  /** The stream position the records before the first damage replay to. */
  position: StreamPosition | undefined;
  /** The position last synced in the log (`synced-position`), if known. */
  syncedPosition: StreamPosition | undefined;
}

/** Reads the log of data directory `dir` (the whole file, into memory) without changing anything. */
export function checkLog(dir: string): LogCheck {
  const file = join(dir, LOG_FILE);
  const syncedPosition = SyncedPositionFile.read(dir);
  if (!existsSync(file)) {
    return {
      file,
      verdict: 'missing',
      bytes: 0,
      version: 0,
      goodRecords: 0,
      recordsBeforeDamage: 0,
      damages: [],
      position: undefined,
      syncedPosition,
    };
  }
  const bytes = readFileSync(file);
  if (bytes.length < HEADER_BYTES) {
    const damage = { offset: 0, bytes: bytes.length, recordNumber: 0, reason: 'the file is shorter than its header', goodRecordsAfter: 0 };
    const verdict = syncedPosition ? 'cut-short' : 'torn-tail';
    return {
      file,
      verdict,
      bytes: bytes.length,
      version: 0,
      goodRecords: 0,
      recordsBeforeDamage: 0,
      damages: [damage],
      position: undefined,
      syncedPosition,
    };
  }
  const version = readHeader(bytes.subarray(0, HEADER_BYTES), file);
  const position = startPosition();
  const { records, damages } = walkRecords(bytes, HEADER_BYTES, bytes.length, HEADER_BYTES, (record, _offset, _bytes, afterDamage) => {
    if (!afterDamage) followPosition(position, record);
  });
  const cutShort = syncedPosition !== undefined && isBefore(position, syncedPosition);
  const verdict: LogVerdict = damages.some((damage) => damage.goodRecordsAfter > 0)
    ? 'damaged'
    : cutShort
      ? 'cut-short'
      : damages.length > 0
        ? 'torn-tail'
        : 'clean';
  return {
    file,
    verdict,
    bytes: bytes.length,
    version,
    goodRecords: records,
    recordsBeforeDamage: damages[0]?.recordNumber ?? records,
    damages,
    position,
    syncedPosition,
  };
}

/**
 * Writes every good record of `dir`'s log, those after damage included, to a new log in `outDir`
 * (created if missing; refused if it holds a log already), then a position that says the store is
 * not whole: a node started on it keeps what was salvaged, but takes the cluster's data from a peer
 * before it serves. Answers the number of records salvaged.
 */
export function salvageLog(dir: string, outDir: string): number {
  const out = join(outDir, LOG_FILE);
  if (existsSync(out)) throw new InvalidOptionError('salvage', `${outDir} holds a data log already`);
  const file = join(dir, LOG_FILE);
  const bytes = readFileSync(file);
  readHeader(bytes.subarray(0, HEADER_BYTES), file);
  const parts = [header()];
  const position = startPosition();
  const { records } = walkRecords(bytes, HEADER_BYTES, bytes.length, HEADER_BYTES, (record, offset, length) => {
    parts.push(bytes.subarray(offset, offset + length));
    followPosition(position, record);
  });
  const notWhole = new RecordWriter(64);
  notWhole.position({ ...position, whole: false });
  parts.push(notWhole.bytes);
  makePrivateDir(outDir, 'salvage', silentLogger);
  writeFileSync(out, Buffer.concat(parts), { flag: 'wx', mode: PRIVATE_FILE_MODE });
  return records;
}

/** Where the engine's replay starts: (0, 0), whole, until a position record says otherwise. */
function startPosition(): StreamPosition {
  return { epoch: 0, seq: 0, whole: true };
}

/** Moves `position` past `record`, as the engine's replay does. */
function followPosition(position: StreamPosition, record: LogRecord): void {
  if (record.type === 'position') Object.assign(position, record.position);
  else if (record.type !== 'load' && record.type !== 'origin' && position.whole && record.seq > position.seq) position.seq = record.seq;
}
