import { closeSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError } from '@brainer/protocol';
import { readRecord, type LogRecord } from './log-records.js';
import { findNextRecord, walkRecords } from './log-walk.js';
import { PRIVATE_FILE_MODE } from './private-dir.js';

/** The log's file name in the data directory, and the name a replacement is written under first. */
export const LOG_FILE = 'brainer.log';
export const NEXT_LOG_FILE = 'brainer.log.next';

const MAGIC = Buffer.from('BRAINLOG', 'latin1');
/**
 * The version this node writes. Version 2 added `origin` records; a version-1 log is read and then
 * rewritten as version 2 before anything is appended, so that a node too old to know `origin`
 * records refuses the directory instead of cutting the log off at the first one.
 */
export const LOG_VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, LOG_VERSION];
export const HEADER_BYTES = MAGIC.length + 4;
const READ_BYTES = 4 * 1024 * 1024;

/** Where reading a log stopped early, and why: a torn last record, or damage on disk. */
export interface LogDamage {
  /** Byte offset of the first record that could not be read. */
  offset: number;
  /** Bytes from there to the end of the file. */
  bytes: number;
  /** The number of that record, counting the good records before it from 0. */
  recordNumber: number;
  reason: string;
  /**
   * Good records found further on. None: the damage is a torn last record, as a crash in the middle
   * of an append leaves. Some: the log is corrupt, and cutting it there would destroy them.
   */
  goodRecordsAfter: number;
}

export interface ScanResult {
  /** The log format's version, from the header; 0 for a file too short to hold one. */
  version: number;
  /** Bytes of header and good records: the length the file is cut to. */
  validBytes: number;
  records: number;
  damage: LogDamage | undefined;
}

/** The header a log of the current version starts with. */
export function header(): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(bytes);
  bytes.writeUInt32LE(LOG_VERSION, MAGIC.length);
  return bytes;
}

/**
 * Reads every good record of the log at `path`, in order, and stops at the first one that is torn
 * (the file ends inside it) or fails its checksum: everything from there on is reported as damage,
 * with the count of good records found past it. A file too short to hold the header counts as empty and damaged from 0. A file that is not a
 * Brainer log is refused.
 */
export function scanLog(path: string, visit: (record: LogRecord) => void): ScanResult {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    if (fileBytes < HEADER_BYTES) {
      return {
        version: 0,
        validBytes: 0,
        records: 0,
        damage: { offset: 0, bytes: fileBytes, reason: 'the file is shorter than its header', recordNumber: 0, goodRecordsAfter: 0 },
      };
    }
    const first = Buffer.alloc(HEADER_BYTES);
    readSync(fd, first, 0, HEADER_BYTES, 0);
    const version = readHeader(first, path);
    const damageAt = (offset: number, reason: string): LogDamage => ({
      offset,
      bytes: fileBytes - offset,
      recordNumber: records,
      reason,
      goodRecordsAfter: countRecordsAfter(fd, offset, fileBytes),
    });

    let buffer = Buffer.allocUnsafe(READ_BYTES);
    let start = 0;
    let end = 0;
    let fileAt = HEADER_BYTES;
    let validBytes = HEADER_BYTES;
    let records = 0;
    for (;;) {
      const read = readRecord(buffer, start, end);
      if (read.kind === 'record') {
        visit(read.record);
        start += read.bytes;
        validBytes += read.bytes;
        records++;
        continue;
      }
      if (read.kind === 'corrupt') return { version, validBytes, records, damage: damageAt(validBytes, read.reason) };
      if (fileAt >= fileBytes || read.needed > fileBytes - validBytes) {
        const damage = end > start ? damageAt(validBytes, 'the last record is torn') : undefined;
        if (damage && damage.goodRecordsAfter > 0) damage.reason = "a record's length runs past the end of the file";
        return { version, validBytes, records, damage };
      }
      // Keep the unread bytes, make room for the whole record, and read on.
      const kept = end - start;
      const grown = read.needed > buffer.length ? Buffer.allocUnsafe(Math.max(read.needed, buffer.length * 2)) : buffer;
      buffer.copy(grown, 0, start, end);
      buffer = grown;
      start = 0;
      end = kept;
      const got = readSync(fd, buffer, end, buffer.length - end, fileAt);
      if (got === 0) return { version, validBytes, records, damage: damageAt(validBytes, 'the file ended early') };
      fileAt += got;
      end += got;
    }
  } finally {
    closeSync(fd);
  }
}

/** The log format's version from its header; refuses a file that is not a Brainer log, or one too new. */
export function readHeader(header: Buffer, path: string): number {
  if (!header.subarray(0, MAGIC.length).equals(MAGIC))
    throw new InvalidOptionError('dataDir', `holds ${path}, which is not a Brainer data log`);
  const version = header.readUInt32LE(MAGIC.length);
  if (!READABLE_VERSIONS.includes(version))
    throw new InvalidOptionError(
      'dataDir',
      `holds a data log of version ${version}; this node reads versions ${READABLE_VERSIONS.join(' and ')}`,
    );
  return version;
}

/** Good records in the file from past `offset` (where a record could not be read) to its end. */
function countRecordsAfter(fd: number, offset: number, fileBytes: number): number {
  const rest = Buffer.allocUnsafe(fileBytes - offset);
  let got = 0;
  while (got < rest.length) {
    const read = readSync(fd, rest, got, rest.length - got, offset + got);
    if (read === 0) break;
    got += read;
  }
  const next = findNextRecord(rest, 1, got);
  return next < 0 ? 0 : walkRecords(rest, next, got, offset + next).records;
}

/** Cuts the log at `path` to `bytes` and syncs it. */
export function truncateLog(path: string, bytes: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a directory's entries (a rename) durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A new log written beside the live one and then renamed over it, so that a crash at any point
 * leaves one whole log: the old one until the rename, the new one after it. Compaction and a reset
 * of the store both write one.
 */
export class NextLog {
  readonly fd: number;
  /** Bytes written so far, header included. */
  bytes = 0;
  private readonly path: string;
  private readonly target: string;
  private open = true;

  constructor(private readonly dir: string) {
    this.path = join(dir, NEXT_LOG_FILE);
    this.target = join(dir, LOG_FILE);
    this.fd = openSync(this.path, 'w', PRIVATE_FILE_MODE);
    this.write(header());
  }

  write(bytes: Buffer): void {
    writeAll(this.fd, bytes);
    this.bytes += bytes.length;
  }

  /**
   * Syncs the new log and renames it over the live one. The file descriptor stays open and goes on
   * appending to what is now the live log.
   */
  install(): void {
    fdatasyncSync(this.fd);
    renameSync(this.path, this.target);
    syncDir(this.dir);
    this.open = false;
  }

  /** Drops the new log; the live one is untouched. */
  abort(): void {
    if (!this.open) return;
    this.open = false;
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}

/** Writes all of `bytes` to `fd` at its current position. */
export function writeAll(fd: number, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
}
