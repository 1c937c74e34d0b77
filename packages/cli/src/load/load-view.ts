import cliProgress from 'cli-progress';
import type { LoadCounts, LoadFailure, LoadResult } from './bulk-loader.js';

/** What `load` reports at the end, and prints with --json. */
export interface LoadSummary extends LoadResult {
  file: string;
  format: string;
  seconds: number;
  /** Records read (loaded or failed) per second of the whole run. */
  recordsPerSecond: number;
  /** The first failures, by line. */
  failures: LoadFailure[];
}

/** How many failures the summary keeps; every one is still printed as it happens. */
export const SUMMARY_FAILURES = 100;

/** How `load` shows its progress, its failures and its summary. */
export interface LoadView {
  progress(counts: LoadCounts, bytesRead: number): void;
  failure(failure: LoadFailure): void;
  finish(summary: LoadSummary): void;
  /** Leaves the terminal as it was, when the load fails before its summary. */
  abandon(): void;
}

export function failureLine(failure: LoadFailure): string {
  return `line ${failure.line}: ${failure.code} ${failure.message}`;
}

export function summaryLine(summary: LoadSummary): string {
  const { loaded, records, failed, seconds, recordsPerSecond } = summary;
  const line = `loaded ${loaded} of ${records} records from ${summary.file} in ${seconds.toFixed(2)} s (${Math.round(recordsPerSecond)} records/s), ${failed} failed`;
  return summary.aborted === undefined ? line : `${line}; stopped early: ${summary.aborted}`;
}

/** No bar: failures on stderr as they happen, then one summary line (or JSON) on stdout. */
export class PlainView implements LoadView {
  constructor(private readonly json: boolean) {}

  progress(): void {}

  failure(failure: LoadFailure): void {
    process.stderr.write(`${failureLine(failure)}\n`);
  }

  finish(summary: LoadSummary): void {
    process.stdout.write(`${this.json ? JSON.stringify(summary) : summaryLine(summary)}\n`);
  }

  abandon(): void {}
}

/** How often the bar is redrawn, in ms; the ETA looks at the last 50 redraws. */
const REDRAW_MS = 100;

/** A progress bar on the terminal: bytes read of the file, records, failures, rate and ETA. */
export class ProgressBarView implements LoadView {
  private readonly bars: cliProgress.MultiBar;
  private readonly bar: cliProgress.SingleBar;
  private readonly startedAt = performance.now();
  private drawnAt = -Infinity;

  constructor(totalBytes: number) {
    this.bars = new cliProgress.MultiBar(
      {
        format: '{bar} {percentage}% | {records} records, {failed} failed | {rate} records/s | ETA {eta_formatted}',
        stream: process.stdout,
        hideCursor: true,
        etaBuffer: 50,
        fps: 1000 / REDRAW_MS,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.bars.create(Math.max(1, totalBytes), 0, { records: 0, failed: 0, rate: 0 });
  }

  progress(counts: LoadCounts, bytesRead: number): void {
    const now = performance.now();
    if (now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    const rate = Math.round(counts.records / Math.max(0.001, (now - this.startedAt) / 1000));
    this.bar.update(bytesRead, { records: counts.records, failed: counts.failed, rate });
  }

  failure(failure: LoadFailure): void {
    this.bars.log(`${failureLine(failure)}\n`);
  }

  finish(summary: LoadSummary): void {
    this.bar.update(this.bar.getTotal(), { records: summary.records, failed: summary.failed, rate: Math.round(summary.recordsPerSecond) });
    this.bars.stop();
    process.stdout.write(`${summaryLine(summary)}\n`);
  }

  abandon(): void {
    this.bars.stop();
  }
}
