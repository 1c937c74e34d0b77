/** Latency samples of one run, in µs, and the percentiles taken from them. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  count = 0;

  record(us: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = us;
  }

  /** The recorded samples, sorted ascending. */
  sorted(): Float64Array {
    return this.samples.slice(0, this.count).sort();
  }
}

export interface LatencySummary {
  ops: number;
  errors: number;
  seconds: number;
  opsPerSecond: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
}

/** Nearest-rank percentile (q in 0..1) of sorted samples; NaN when there are none. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize(recorder: LatencyRecorder, seconds: number, errors: number): LatencySummary {
  const sorted = recorder.sorted();
  return {
    ops: recorder.count,
    errors,
    seconds,
    opsPerSecond: recorder.count / seconds,
    p50Us: percentile(sorted, 0.5),
    p99Us: percentile(sorted, 0.99),
    p999Us: percentile(sorted, 0.999),
  };
}

/** The median of some numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}
