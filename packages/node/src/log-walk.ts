import { readRecord, RECORD_HEADER_BYTES, type LogRecord } from './log-records.js';

/** A stretch of a log where no good record starts. */
export interface DamagedRange {
  /** Byte offset in the file where the first unreadable record starts. */
  offset: number;
  bytes: number;
  /** The number of that record in the file, counting good records from 0. */
  recordNumber: number;
  reason: string;
  /** Good records in the rest of the file, after this stretch. */
  goodRecordsAfter: number;
}

const HIGHEST_RECORD_TYPE = 5;

/**
 * The offset of the first good record that starts in `buffer[from, end)`, or -1. A record is good
 * when its length fits, its type is known and its CRC-32 matches, so a stretch of damage is stepped
 * over byte by byte (a false match has odds of about 2^-32 a byte).
 */
export function findNextRecord(buffer: Buffer, from: number, end: number): number {
  for (let at = from; at + RECORD_HEADER_BYTES < end; at++) {
    const length = buffer.readUInt32LE(at);
    const type = buffer[at + RECORD_HEADER_BYTES]!;
    if (length === 0 || length > end - at - RECORD_HEADER_BYTES || type === 0 || type > HIGHEST_RECORD_TYPE) continue;
    if (readRecord(buffer, at, end).kind === 'record') return at;
  }
  return -1;
}

/**
 * Visits every good record of `buffer[from, end)` (which starts at file offset `fileOffset`), and
 * steps over each damaged stretch to the next good record, so that records after damage are found
 * too. `afterDamage` tells the records that follow a damaged stretch.
 */
export function walkRecords(
  buffer: Buffer,
  from: number,
  end: number,
  fileOffset: number,
  visit: (record: LogRecord, offset: number, bytes: number, afterDamage: boolean) => void = () => undefined,
): { records: number; damages: DamagedRange[] } {
  const damages: DamagedRange[] = [];
  const recordsBefore: number[] = [];
  let records = 0;
  let at = from;
  while (at < end) {
    const read = readRecord(buffer, at, end);
    if (read.kind === 'record') {
      visit(read.record, fileOffset + at - from, read.bytes, damages.length > 0);
      records++;
      at += read.bytes;
      continue;
    }
    const next = findNextRecord(buffer, at + 1, end);
    const stop = next < 0 ? end : next;
    const reason = read.kind === 'corrupt' ? read.reason : next < 0 ? 'the last record is torn' : 'a record runs into the next one';
    damages.push({ offset: fileOffset + at - from, bytes: stop - at, recordNumber: records, reason, goodRecordsAfter: 0 });
    recordsBefore.push(records);
    at = stop;
  }
  damages.forEach((damage, i) => (damage.goodRecordsAfter = records - recordsBefore[i]!));
  return { records, damages };
}
