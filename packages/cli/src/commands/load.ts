import { stat } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { fileArg } from '../args.js';
import { ClientCommand, clientFlags } from '../client-command.js';
import { EXIT_FAILURE, UsageError } from '../errors.js';
import { BulkLoader, type LoadFailure } from '../load/bulk-loader.js';
import { formatOfFile, LOAD_FORMATS, type LoadFormat } from '../load/load-record.js';
import { PlainView, ProgressBarView, SUMMARY_FAILURES, type LoadSummary, type LoadView } from '../load/load-view.js';
import { RecordReader } from '../load/record-reader.js';
import { fileUsageError, notAFile } from '../file-usage-error.js';
import { ttlFlag, ttlOption, waitFlag } from '../write-flags.js';

export default class LoadCommand extends ClientCommand {
  static override summary = 'Load a CSV, TSV or JSON Lines file into the cluster, one key per record.';
  static override description = `Streams the file (- reads standard input; give --format then), so a file of any size loads in constant memory. CSV and TSV files start with a header line naming the columns. The key is --key-field (default: the first column, or the first property of each JSON object); the value is --value-field, or without it the whole record as a JSON object.

Writes go out in batches, --batch writes in flight at once. A record that cannot be read or stored is reported with its line number (ERR_BAD_RECORD, ERR_BAD_KEY, or the server's code) and loading goes on. On a terminal a progress bar shows the rate and the time left; otherwise, or with --json, one summary line is printed at the end. The exit code is 0 when every record was stored, 1 when any failed.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> postcodes.csv --key-field zip --value-field city',
    '<%= config.bin %> <%= command.id %> users.jsonl --key-field id --batch 2000 --wait primary',
    '<%= config.bin %> <%= command.id %> export.txt --format tsv --json',
    'gunzip -c users.jsonl.gz | <%= config.bin %> <%= command.id %> - --format jsonl --key-field id',
  ];
  static override args = { file: fileArg };
  static override flags = {
    ...clientFlags,
    format: Flags.option({
      description: 'The file format. Default: from the extension (.csv, .tsv or .tab, .jsonl or .ndjson).',
      options: LOAD_FORMATS,
    })(),
    'key-field': Flags.string({ description: 'The field holding the key. Default: the first one.', helpValue: '<field>' }),
    'value-field': Flags.string({ description: 'The field holding the value. Default: the whole record as JSON.', helpValue: '<field>' }),
    batch: Flags.integer({
      description: 'Writes in flight at once; they are sent in batches of half that.',
      default: 1000,
      min: 1,
      max: 100_000,
    }),
    wait: waitFlag(),
    ttl: ttlFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(LoadCommand);
    const format: LoadFormat | undefined = flags.format ?? formatOfFile(args.file);
    const fromStdin = args.file === '-';
    if (format === undefined)
      throw new UsageError(
        fromStdin
          ? 'give --format csv, tsv or jsonl to load standard input'
          : `cannot tell the format of ${args.file} from its name: give --format csv, tsv or jsonl`,
      );
    const size = fromStdin ? undefined : await fileSize(args.file);
    const { view, summary } = await this.withClient(flags, async (client) => {
      // Made once connected, so that a broker that cannot be reached leaves no bar behind.
      const view: LoadView =
        process.stdout.isTTY && !flags.json && size !== undefined ? new ProgressBarView(size) : new PlainView(flags.json);
      const reader = new RecordReader(fromStdin ? process.stdin : args.file, format, {
        keyField: flags['key-field'],
        valueField: flags['value-field'],
      });
      const failures: LoadFailure[] = [];
      const startedAt = performance.now();
      const loader = new BulkLoader({
        inFlight: flags.batch,
        write: (key, value) => client.set(key, value, { wait: flags.wait, ...ttlOption(flags.ttl) }),
        onFailure: (failure) => {
          if (failures.length < SUMMARY_FAILURES) failures.push(failure);
          view.failure(failure);
        },
        onProgress: (counts) => view.progress(counts, reader.bytesRead),
      });
      const result = await loader.load(reader).catch((error: unknown) => {
        view.abandon();
        throw error;
      });
      const seconds = Math.max(0.001, Math.round(performance.now() - startedAt) / 1000);
      const summary: LoadSummary = {
        file: args.file,
        format,
        ...result,
        seconds,
        recordsPerSecond: Math.round(result.records / seconds),
        failures,
      };
      return { view, summary };
    });
    view.finish(summary);
    if (summary.failed > 0 || summary.aborted !== undefined) this.exit(EXIT_FAILURE);
  }
}

/** The size of a file named on the command line; one that is missing is wrong usage (exit 2). */
async function fileSize(file: string): Promise<number> {
  const stats = await stat(file).catch((error: unknown) => {
    throw fileUsageError(error, file);
  });
  if (stats.isDirectory()) throw notAFile(file);
  return stats.size;
}
