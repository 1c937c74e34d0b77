import type { Operation } from './history.js';

/** The process name of the pseudo-deletes that stand for keys expiring. */
export const EXPIRY_PROCESS = 'expiry';

/**
 * How long past its deadline an expired key may still be read, in ms: the deadline is stamped by
 * the broker at some instant of the write's interval, on the wall clock, which the history's
 * monotonic clock may trail by a little.
 */
export const EXPIRY_GRACE_MS = 1000;

/**
 * The expiry of a `set` with a TTL, as a delete (process `expiry`), or undefined for a set without
 * one. The broker stamps the deadline when it takes the write, somewhere in [inv, cmp], so the key
 * expires in [inv + ttl, cmp + ttl]: an acknowledged set gives an acknowledged delete over that
 * interval (plus the grace), after which the value must be gone. An unknown set may take effect at
 * any later time, and so may its expiry: an unknown delete.
 *
 * Pure. It holds for a key written once, as the workload writes every key with a TTL. Where a key
 * has other writes, a later one may have replaced the value and its deadline: `onlyWrite` false
 * makes the expiry unknown, so that it explains a missing key but never requires one.
 */
export function expiryOf(write: Operation, onlyWrite: boolean): Operation | undefined {
  if (write.op !== 'set' || write.ttlMs === undefined || write.ttlMs <= 0) return undefined;
  const certain = onlyWrite && write.outcome === 'ok';
  return {
    process: EXPIRY_PROCESS,
    op: 'del',
    key: write.key,
    value: null,
    invokedAt: write.invokedAt + write.ttlMs,
    completedAt: certain ? write.completedAt + write.ttlMs + EXPIRY_GRACE_MS : write.invokedAt + write.ttlMs,
    outcome: certain ? 'ok' : 'unknown',
  };
}

/** Every write of `ops` (sets and deletes), followed by the expiries of the sets with a TTL. */
export function writesWithExpiries(ops: readonly Operation[]): Operation[] {
  const writes = ops.filter((op) => op.op === 'set' || op.op === 'del');
  const expiries = writes.flatMap((write) => expiryOf(write, writes.length === 1) ?? []);
  return [...writes, ...expiries];
}
