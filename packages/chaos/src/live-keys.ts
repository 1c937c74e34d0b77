import { writesWithExpiries } from './expiry.js';
import type { Operation } from './history.js';

/*
 * The live-key check, after every fault: the number of acknowledged keys the cluster holds never
 * drops, unless they were deleted or expired. Pure: history in, verdict out.
 *
 * After each fault has been recovered from, the chaos run reads every key of the history so far,
 * as process `census:<i>`, where i is the index of the fault in the run's list. A census read r of
 * key k must find the key when k is certainly live at r:
 *     some acknowledged set w of k completed before r began (cmp(w) < inv(r)), and
 *     every delete of k, and every expiry of a set of k (`expiry.ts`), that may have taken effect
 *     before r ended (inv(d) <= cmp(r)) was acknowledged and completed before w began
 *     (cmp(d) < inv(w)).
 * An unknown delete may take effect at any time after it was invoked, so it makes the key
 * uncertain from then on, until a later acknowledged set. A census counts the certainly live keys
 * it read (expected) and how many of them it found (held). A certainly live key it did not find
 * fails the check. It is a drop where the census before found it, or it was not yet certainly live
 * then, and the verdict reports the drop with the fault that preceded the census; a key missing
 * since an earlier census is counted there again as still missing. Census reads that failed are
 * counted apart (unread): they tell nothing.
 */

export const CENSUS_PROCESS_PREFIX = 'census:';

/** The process name of the census reads made after fault `index`. */
export const censusProcess = (index: number): string => `${CENSUS_PROCESS_PREFIX}${index}`;

/** Missing keys named per census, at most. */
export const MISSING_KEYS_SHOWN = 20;

/** What the check needs to know of a fault. */
export interface FaultMark {
  kind: string;
  target: string;
  /** When it was injected, on the history clock. */
  at: number;
}

export interface Census {
  /** Index of the fault the census followed. */
  fault: number;
  /** That fault's kind and target, as `kind target`. */
  after: string;
  /** When the census began, on the history clock. */
  at: number;
  /** Keys certainly live during their census read. */
  expected: number;
  /** Of those, the keys the cluster answered with a value. */
  held: number;
  /** Reads that failed (a timeout, say): they tell nothing. */
  unread: number;
  /** Certainly live keys read as missing that the census before did not miss: dropped after this fault. */
  dropped: number;
  /** Certainly live keys read as missing (the first MISSING_KEYS_SHOWN), the newly dropped first. */
  missing: string[];
}

export interface LiveKeysResult {
  /** No census found fewer keys than were certainly live. */
  ok: boolean;
  /** Every census, in the order of the faults. */
  censuses: Census[];
  /** The censuses that found keys dropped since the census before. */
  drops: Census[];
}

export function checkLiveKeys(operations: readonly Operation[], faults: readonly FaultMark[]): LiveKeysResult {
  const byKey = new Map<string, Operation[]>();
  const censusReads = new Map<number, Operation[]>();
  for (const op of operations) {
    if (op.process.startsWith(CENSUS_PROCESS_PREFIX)) {
      const index = Number(op.process.slice(CENSUS_PROCESS_PREFIX.length));
      let reads = censusReads.get(index);
      if (!reads) censusReads.set(index, (reads = []));
      reads.push(op);
      continue;
    }
    let list = byKey.get(op.key);
    if (!list) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const writesByKey = new Map([...byKey].map(([key, ops]) => [key, writesWithExpiries(ops)]));
  const censuses: Census[] = [];
  let missedBefore = new Set<string>();
  for (const [index, reads] of [...censusReads].sort((a, b) => a[0] - b[0])) {
    const fault = faults[index];
    const census: Census = {
      fault: index,
      after: fault ? `${fault.kind} ${fault.target}` : `fault ${index}`,
      at: Math.min(...reads.map((read) => read.invokedAt)),
      expected: 0,
      held: 0,
      unread: 0,
      dropped: 0,
      missing: [],
    };
    const missed = new Set<string>();
    for (const read of reads) {
      if (read.outcome !== 'ok') {
        census.unread++;
        continue;
      }
      if (!certainlyLive(writesByKey.get(read.key) ?? [], read)) continue;
      census.expected++;
      if (typeof read.result === 'string') census.held++;
      else missed.add(read.key);
    }
    const dropped = [...missed].filter((key) => !missedBefore.has(key));
    census.dropped = dropped.length;
    census.missing = [...dropped, ...[...missed].filter((key) => missedBefore.has(key))].slice(0, MISSING_KEYS_SHOWN);
    missedBefore = missed;
    censuses.push(census);
  }
  const drops = censuses.filter((census) => census.dropped > 0);
  return { ok: censuses.every((census) => census.held === census.expected), censuses, drops };
}

/** Whether the key of `writes` (its sets, deletes and expiries) was certainly live during `read`. */
function certainlyLive(writes: readonly Operation[], read: Operation): boolean {
  // The latest time by which a delete that may precede the read certainly took effect.
  let removedBy = -Infinity;
  for (const write of writes) {
    if (write.op !== 'del' || write.invokedAt > read.completedAt) continue;
    removedBy = Math.max(removedBy, write.outcome === 'ok' ? write.completedAt : Infinity);
  }
  return writes.some(
    (write) => write.op === 'set' && write.outcome === 'ok' && write.completedAt < read.invokedAt && write.invokedAt > removedBy,
  );
}
