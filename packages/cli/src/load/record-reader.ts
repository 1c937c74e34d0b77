import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { CsvError, parse } from 'csv-parse';
import { recordOf, type LoadFormat, type LoadRecord, type RecordFields } from './load-record.js';

/**
 * Streams the records of a CSV, TSV or JSON Lines file, each with the line it starts on. A line
 * that cannot be read becomes a record with a problem, and reading goes on with the next one.
 * CSV and TSV files start with a header line naming the columns; empty lines are skipped.
 */
export class RecordReader implements AsyncIterable<LoadRecord> {
  private readonly stream: Readable & { bytesRead?: number };

  /** Reads the file named `source`, or the stream given (such as standard input). */
  constructor(
    source: string | (Readable & { bytesRead?: number }),
    private readonly format: LoadFormat,
    private readonly fields: RecordFields,
  ) {
    this.stream = typeof source === 'string' ? createReadStream(source) : source;
  }

  /** Bytes read so far, for progress. */
  get bytesRead(): number {
    return this.stream.bytesRead ?? 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<LoadRecord> {
    return this.format === 'jsonl' ? this.jsonLines() : this.delimited();
  }

  private async *jsonLines(): AsyncGenerator<LoadRecord> {
    let line = 0;
    for await (const text of createInterface({ input: this.stream, crlfDelay: Infinity })) {
      line++;
      const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
      if (trimmed === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch (error) {
        yield { line, problem: { code: 'ERR_BAD_RECORD', message: `not JSON: ${(error as Error).message}` } };
        continue;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        yield { line, problem: { code: 'ERR_BAD_RECORD', message: 'not a JSON object' } };
        continue;
      }
      yield recordOf(line, parsed as Record<string, unknown>, this.fields);
    }
  }

  private async *delimited(): AsyncGenerator<LoadRecord> {
    // A bad row is handed to on_skip while its chunk is parsed, before the good rows around it
    // are read here: keep the problems, and yield each in its place by line.
    const skipped: LoadRecord[] = [];
    const parser = parse({
      ...(this.format === 'tsv' ? { delimiter: '\t', quote: null } : { relax_quotes: true }),
      columns: uniqueColumns,
      bom: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        if (error) skipped.push({ line: Number(error.lines), problem: { code: 'ERR_BAD_RECORD', message: error.message } });
        return undefined;
      },
    });
    // pipe() does not carry a read error (EISDIR, EACCES) over to the parser: fail the parser with it.
    this.stream.once('error', (error) => parser.destroy(error));
    this.stream.pipe(parser);
    try {
      for await (const row of parser as AsyncIterable<{ record: Record<string, string>; raw: string; info: { lines: number } }>) {
        const line = firstLine(row.raw, row.info.lines);
        while (skipped.length > 0 && skipped[0]!.line < line) yield skipped.shift()!;
        yield recordOf(line, row.record, this.fields);
      }
      yield* skipped.splice(0);
    } catch (error) {
      // A read error is the file's, not a record's: let it end the command.
      if (!(error instanceof CsvError || error instanceof BadHeaderError)) throw error;
      // The parser cannot go on (a bad header, say): report where, and stop.
      yield* skipped.splice(0);
      const line = Number((error as { lines?: number }).lines ?? 1);
      yield { line, problem: { code: 'ERR_BAD_RECORD', message: (error as Error).message } };
    }
  }
}

class BadHeaderError extends Error {
  readonly lines = 1;
}

/** The header, refused when it names a column twice (one of the two would be lost). */
function uniqueColumns(header: string[]): string[] {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new BadHeaderError(`the header names the column "${name}" twice`);
    seen.add(name);
  }
  return header;
}

/**
 * The line a row starts on, from the line it ends on and its raw text: a quoted field may span
 * lines. The raw text may begin with the empty lines skipped before the row.
 */
function firstLine(raw: string, lastLine: number): number {
  const row = raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
  let newlines = 0;
  for (let i = row.indexOf('\n'); i >= 0; i = row.indexOf('\n', i + 1)) newlines++;
  return lastLine - newlines;
}
