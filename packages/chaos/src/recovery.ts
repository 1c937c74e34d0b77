import type { Operation } from './history.js';

/**
 * For each instant in `times`, how long until the cluster served writes again: the earliest
 * completion of an acknowledged write by `process` invoked at or after that instant, minus the
 * instant. Null where no such write exists. Pure.
 */
export function recoveryTimes(times: readonly number[], operations: readonly Operation[], process = 'probe'): (number | null)[] {
  const writes = operations
    .filter((op) => op.process === process && op.outcome === 'ok' && (op.op === 'set' || op.op === 'del'))
    .sort((a, b) => a.invokedAt - b.invokedAt);
  // earliest[i]: the earliest completion among writes[i..].
  const earliest = new Array<number>(writes.length + 1).fill(Infinity);
  for (let i = writes.length - 1; i >= 0; i--) earliest[i] = Math.min(earliest[i + 1]!, writes[i]!.completedAt);
  return times.map((at) => {
    let lo = 0;
    let hi = writes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (writes[mid]!.invokedAt >= at) hi = mid;
      else lo = mid + 1;
    }
    const done = earliest[lo]!;
    return Number.isFinite(done) ? done - at : null;
  });
}

export interface Spread {
  count: number;
  min: number;
  p50: number;
  max: number;
}

/** Min, median and max of the non-null values, or undefined when there are none. */
export function spread(values: readonly (number | null | undefined)[]): Spread | undefined {
  const sorted = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return { count: sorted.length, min: sorted[0]!, p50: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted[sorted.length - 1]! };
}
