import type { LoadProblem, LoadRecord } from './load-record.js';

/** A record that was not stored, by the line it starts on. */
export interface LoadFailure extends LoadProblem {
  line: number;
}

export interface LoadCounts {
  /** Records read from the file so far, good and bad. */
  records: number;
  /** Records stored and acknowledged. */
  loaded: number;
  /** Records that could not be read or were refused. */
  failed: number;
}

export interface LoadResult extends LoadCounts {
  /** Set when loading stopped before the end of the file, and why. */
  aborted?: string;
}

export interface BulkLoaderOptions {
  /** Most writes in flight at once; they go out in batches of half that, each batch in one request. */
  inFlight: number;
  /** Stores one record; rejects with an error whose `code` says why. */
  write: (key: string, value: string) => Promise<void>;
  /** Each failure, as it happens. */
  onFailure?: (failure: LoadFailure) => void;
  /** After each batch is sent and each write settles. */
  onProgress?: (counts: LoadCounts) => void;
}

/** Codes that mean the cluster itself is not answering, rather than that one record is bad. */
const CLUSTER_DOWN: ReadonlySet<string> = new Set(['ERR_TIMEOUT', 'ERR_NO_NODES', 'ERR_NOT_READY', 'ERR_CLOSED', 'ERR_NOT_CONNECTED']);

/**
 * Writes records as fast as the cluster acknowledges them: records are gathered into batches, each
 * batch is sent in one go (so the client puts it in one request frame), and up to `inFlight` writes
 * are outstanding, so the next batch is read and sent while the last one is being acknowledged.
 * A bad record is counted and reported, never a reason to stop; only a whole batch failing because
 * the cluster is not answering stops the load.
 */
export class BulkLoader {
  private readonly counts: LoadCounts = { records: 0, loaded: 0, failed: 0 };
  private pending = 0;
  private wake: (() => void) | undefined;
  private aborted: string | undefined;

  constructor(private readonly options: BulkLoaderOptions) {}

  async load(records: AsyncIterable<LoadRecord>): Promise<LoadResult> {
    const batchSize = Math.max(1, Math.ceil(this.options.inFlight / 2));
    let batch: { line: number; key: string; value: string }[] = [];
    for await (const record of records) {
      this.counts.records++;
      if ('problem' in record) this.fail({ line: record.line, ...record.problem });
      else batch.push(record);
      if (batch.length < batchSize) continue;
      await this.send(batch);
      batch = [];
      if (this.aborted !== undefined) break;
    }
    if (this.aborted === undefined && batch.length > 0) await this.send(batch);
    await this.until(() => this.pending === 0);
    this.options.onProgress?.({ ...this.counts });
    return this.aborted === undefined ? { ...this.counts } : { ...this.counts, aborted: this.aborted };
  }

  /** Waits for room, then starts every write of the batch in one synchronous loop. */
  private async send(batch: readonly { line: number; key: string; value: string }[]): Promise<void> {
    await this.until(() => this.pending + batch.length <= Math.max(this.options.inFlight, batch.length));
    let clusterDown = 0;
    for (const { line, key, value } of batch) {
      this.pending++;
      this.options.write(key, value).then(
        () => this.settle(() => this.counts.loaded++),
        (error: unknown) =>
          this.settle(() => {
            const code = codeOf(error);
            this.fail({ line, code, message: error instanceof Error ? error.message : String(error) });
            if (CLUSTER_DOWN.has(code) && ++clusterDown === batch.length) {
              this.aborted ??= `every write of a batch failed with ${code}: the cluster is not answering`;
            }
          }),
      );
    }
    this.options.onProgress?.({ ...this.counts });
  }

  private settle(record: () => void): void {
    record();
    this.pending--;
    this.options.onProgress?.({ ...this.counts });
    this.wake?.();
  }

  private fail(failure: LoadFailure): void {
    this.counts.failed++;
    this.options.onFailure?.(failure);
  }

  private async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : 'ERR_INTERNAL';
}
