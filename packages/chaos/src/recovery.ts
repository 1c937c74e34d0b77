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

/**
 * For each window [from, to], the longest time within it in which no acknowledged write by
 * `process` completed: between `from` and the first completion, between two, or between the last
 * and `to`. It shows a stop of writes that begins some time after a fault (a leader that steps down
 * once its lease has run out), which `recoveryTimes` does not. Pure.
 */
export function longestWriteGaps(
  windows: readonly (readonly [number, number])[],
  operations: readonly Operation[],
  process = 'probe',
): number[] {
  const completions = operations
    .filter((op) => op.process === process && op.outcome === 'ok' && (op.op === 'set' || op.op === 'del'))
    .map((op) => op.completedAt)
    .sort((a, b) => a - b);
  return windows.map(([from, to]) => {
    let last = from;
    let longest = 0;
    for (const at of completions) {
      if (at <= from) continue;
      if (at >= to) break;
      longest = Math.max(longest, at - last);
      last = at;
    }
    return Math.max(longest, to - last);
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
