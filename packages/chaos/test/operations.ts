import type { Operation } from '../src/history.js';

// Hand-made histories. Times are [invokedAt, completedAt].
export const set = (
  key: string,
  value: string,
  [invokedAt, completedAt]: [number, number],
  outcome: 'ok' | 'unknown' = 'ok',
): Operation => ({
  process: 'w1',
  op: 'set',
  key,
  value,
  invokedAt,
  completedAt,
  outcome,
});
export const del = (key: string, [invokedAt, completedAt]: [number, number], outcome: 'ok' | 'unknown' = 'ok'): Operation => ({
  process: 'w2',
  op: 'del',
  key,
  value: null,
  invokedAt,
  completedAt,
  outcome,
  ...(outcome === 'ok' ? { result: true } : {}),
});
export const get = (key: string, result: string | null, [invokedAt, completedAt]: [number, number], process = 'r1'): Operation => ({
  process,
  op: 'get',
  key,
  value: null,
  invokedAt,
  completedAt,
  outcome: 'ok',
  result,
});
export const ttlSet = (
  key: string,
  value: string,
  times: [number, number],
  ttlMs: number,
  outcome: 'ok' | 'unknown' = 'ok',
): Operation => ({
  ...set(key, value, times, outcome),
  ttlMs,
});
