import type { MetricValue, Registry } from 'prom-client';

/** One labelled series of a `LatencyHistogram`: plain numbers, so an observation allocates nothing. */
export class HistogramSeries {
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
  }

  /** The series in Prometheus's shape: cumulative `_bucket`s by `le`, `_sum` and `_count`. */
  values(name: string, labels: Record<string, string>): MetricValue<string>[] {
    const values: MetricValue<string>[] = [];
    let cumulative = 0;
    for (let bucket = 0; bucket < this.counts.length; bucket++) {
      cumulative += this.counts[bucket]!;
      const le = bucket < this.bounds.length ? String(this.bounds[bucket]) : '+Inf';
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative } as MetricValue<string>);
    }
    values.push({ metricName: `${name}_sum`, labels, value: this.sum } as MetricValue<string>);
    values.push({ metricName: `${name}_count`, labels, value: this.count } as MetricValue<string>);
    return values;
  }
}

/**
 * A histogram with one label whose series are made up front. prom-client's own hashes the labels of
 * every observation, even through a bound child; this one is read only when scraped.
 */
export class LatencyHistogram<L extends string> {
  readonly series: Record<L, HistogramSeries>;

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    private readonly label: string,
    labelValues: readonly L[],
    bounds: readonly number[],
  ) {
    this.series = Object.fromEntries(labelValues.map((value) => [value, new HistogramSeries(bounds)])) as Record<L, HistogramSeries>;
    registry.registerMetric(this as never);
  }

  /** What prom-client's registry reads of a metric when it is scraped. */
  get(): { name: string; help: string; type: string; aggregator: 'sum'; values: MetricValue<string>[] } {
    const values = Object.entries<HistogramSeries>(this.series).flatMap(([value, series]) =>
      series.values(this.name, { [this.label]: value }),
    );
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }
}
