import { EXPIRY_PROCESS, writesWithExpiries } from './expiry.js';
import { FINAL_PROCESS, type Operation } from './history.js';

/*
 * The rules, per key. Pure: no I/O, no clock.
 *
 * Model. Each key is a register. A write w occupies the interval [inv(w), cmp(w)]. An `unknown`
 * write (error or timeout) gets cmp(w) = +∞: it may take effect at any time after it was invoked,
 * even after its client gave up (a request can wait in a socket queue and reach a restarted
 * broker). The key starts absent: a pseudo-write `init` with inv = cmp = −∞ and value null. A
 * `del` writes null. Set values are unique in a history, so a value names the write that made it.
 *
 * Supersession. An acknowledged (ok) write w' supersedes w before time t when
 *     cmp(w) < inv(w')   and   cmp(w') < t,
 * that is, w' began after w had finished and finished before t: in every order consistent with
 * real time, w' comes after w, and both come before anything that begins at t.
 *
 * Explained read. An ok read r that returned v is explained by a write w when
 *     value(w) = v,
 *     inv(w) <= cmp(r)                          (w had begun before r ended), and
 *     no ok write supersedes w before inv(r).
 * Put the other way round, this is the rule "a read that began after an acknowledged write W
 * completed returns W's value or the value of a write that did not complete before W began
 * (concurrent with W, or after it)", for every such W at once. It is deliberately not "a write
 * that did not complete before the read began": two overlapping acknowledged writes may take
 * effect in either order, so the read may return either one's value.
 *
 * Checks.
 * (b) phantom read: no write of v to this key exists, or every one began after r ended.
 * (c) stale read:   v was written, but every write of v was superseded before r began. The
 *                   witness is the superseding write that completed first.
 * (a) lost write:   the same test on the final reads (process `final`), made after every writer
 *                   stopped and the cluster settled. There, an unexplained read means an
 *                   acknowledged write that nothing overwrote cannot be read back. Every key that
 *                   was written must have an ok final read.
 * (e) non-monotonic read: stronger than (c), and beyond what the design promises today. A value
 *                   is written once, so it holds the key during one unbroken stretch of time. If
 *                   ok reads r1 and r3 returned v, and between them (cmp(r1) < inv(x) and
 *                   cmp(x) < inv(r3)) an ok read x returned another value, or an ok write x of
 *                   another value (or a delete) took effect, then v held the key, lost it, and
 *                   held it again. Causes: a write applied twice (a retry re-applied after a
 *                   broker restart), or two copies that differ on a write not yet acknowledged
 *                   both serving reads. (c) does not see the latter, since the write involved
 *                   was not acknowledged before the reads.
 *
 * Expiry. A set with a TTL adds a pseudo-delete, its expiry (`expiry.ts`): for an acknowledged set
 * written once to its key, an acknowledged delete over [inv + ttl, cmp + ttl + grace], so a key read
 * as missing before inv + ttl is a stale read, and one still read well after cmp + ttl is too; for
 * an unknown set, or a key with other writes, an unknown delete from inv + ttl on.
 *
 * Failed reads tell nothing and are skipped. Delete results (removed or not) are not checked.
 */

export type ViolationKind = 'lost-write' | 'stale-read' | 'phantom-read' | 'non-monotonic-read' | 'missing-final-read';

export interface Violation {
  kind: ViolationKind;
  key: string;
  /** The read that broke the rule (none for a missing final read). */
  read?: Operation;
  /** The writes of the value read that had begun before the read ended. */
  sources: Operation[];
  /** An acknowledged write that completed before the read began, after every source had completed. */
  witness?: Operation;
  /** The operations on the key around the read, in invocation order (at most EXCERPT_LIMIT). */
  excerpt: Operation[];
  explanation: string;
}

export interface CheckResult {
  /** True when there is no violation of any kind. */
  ok: boolean;
  operations: number;
  writes: { ok: number; unknown: number };
  reads: { ok: number; fail: number; final: number };
  keys: number;
  lostWrites: Violation[];
  staleReads: Violation[];
  phantomReads: Violation[];
  nonMonotonicReads: Violation[];
  missingFinalReads: Violation[];
}

export const EXCERPT_LIMIT = 40;

/** `init`: the absent key before any write. */
const INIT: Operation = {
  process: 'init',
  op: 'del',
  key: '',
  value: null,
  invokedAt: -Infinity,
  completedAt: -Infinity,
  outcome: 'ok',
};

const isWrite = (op: Operation): boolean => op.op === 'set' || op.op === 'del';
/** When a write certainly took effect by: +∞ for an unknown one. */
const doneBy = (write: Operation): number => (write.outcome === 'ok' ? write.completedAt : Infinity);

/** Checks a whole history against rules (a), (b) and (c) above. */
export function checkHistory(operations: readonly Operation[]): CheckResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of operations) {
    let list = byKey.get(op.key);
    if (!list) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const result: CheckResult = {
    ok: true,
    operations: operations.length,
    writes: { ok: 0, unknown: 0 },
    reads: { ok: 0, fail: 0, final: 0 },
    keys: byKey.size,
    lostWrites: [],
    staleReads: [],
    phantomReads: [],
    nonMonotonicReads: [],
    missingFinalReads: [],
  };
  for (const [key, ops] of byKey) checkKey(key, ops, result);
  result.ok =
    result.lostWrites.length +
      result.staleReads.length +
      result.phantomReads.length +
      result.nonMonotonicReads.length +
      result.missingFinalReads.length ===
    0;
  return result;
}

function checkKey(key: string, ops: Operation[], result: CheckResult): void {
  const register = new KeyRegister(ops);
  let finalRead = false;
  for (const op of ops) {
    if (isWrite(op)) {
      if (op.outcome === 'ok') result.writes.ok++;
      else result.writes.unknown++;
      continue;
    }
    if (op.outcome !== 'ok') {
      result.reads.fail++;
      continue;
    }
    result.reads.ok++;
    const final = op.process === FINAL_PROCESS;
    if (final) {
      result.reads.final++;
      finalRead = true;
    }
    const violation = register.check(op, final);
    if (!violation) continue;
    if (violation.kind === 'phantom-read') result.phantomReads.push(violation);
    else if (violation.kind === 'lost-write') result.lostWrites.push(violation);
    else result.staleReads.push(violation);
  }
  result.nonMonotonicReads.push(...register.nonMonotonicReads());
  if (!finalRead && register.written) {
    result.missingFinalReads.push({
      kind: 'missing-final-read',
      key,
      sources: [],
      excerpt: ops.slice(-EXCERPT_LIMIT),
      explanation: `${key} was written but never read back after the run`,
    });
  }
}

/** One key's writes, indexed for the supersession test. */
class KeyRegister {
  /** Acknowledged writes by invocation time. */
  private readonly acked: Operation[];
  /** suffixMin[i]: the index in `acked` of the earliest-completing write among acked[i..]. */
  private readonly suffixMin: number[];
  private readonly setsByValue = new Map<string, Operation[]>();
  private readonly deletes: Operation[] = [];
  readonly written: boolean;

  constructor(private readonly ops: readonly Operation[]) {
    const writes = writesWithExpiries(ops);
    this.written = writes.length > 0;
    this.acked = writes.filter((w) => w.outcome === 'ok').sort((a, b) => a.invokedAt - b.invokedAt);
    this.suffixMin = new Array<number>(this.acked.length);
    for (let i = this.acked.length - 1; i >= 0; i--) {
      const next = this.suffixMin[i + 1];
      this.suffixMin[i] = next !== undefined && this.acked[next]!.completedAt < this.acked[i]!.completedAt ? next : i;
    }
    for (const write of writes) {
      if (write.op === 'del') {
        this.deletes.push(write);
        continue;
      }
      const value = write.value ?? '';
      const list = this.setsByValue.get(value);
      if (list) list.push(write);
      else this.setsByValue.set(value, [write]);
    }
  }

  /** The acknowledged write that supersedes a write done by `done` before time `t`, if any. */
  supersededBy(done: number, t: number): Operation | undefined {
    // The first acked write invoked strictly after `done`.
    let lo = 0;
    let hi = this.acked.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.acked[mid]!.invokedAt > done) hi = mid;
      else lo = mid + 1;
    }
    if (lo === this.acked.length) return undefined;
    const first = this.acked[this.suffixMin[lo]!]!;
    return first.completedAt < t ? first : undefined;
  }

  check(read: Operation, final: boolean): Violation | undefined {
    const value = read.result;
    const all = value === null ? [INIT, ...this.deletes] : typeof value === 'string' ? (this.setsByValue.get(value) ?? []) : [];
    const sources = all.filter((w) => w.invokedAt <= read.completedAt);
    if (sources.length === 0) {
      return this.violation(
        'phantom-read',
        read,
        [],
        undefined,
        all.length === 0 ? 'the value read was never written to this key' : 'the value read was written only after the read had completed',
      );
    }
    // A later `done` can only be harder to supersede: the latest-done source decides.
    const best = sources.reduce((a, b) => (doneBy(b) > doneBy(a) ? b : a));
    const witness = this.supersededBy(doneBy(best), read.invokedAt);
    if (!witness) return undefined;
    return this.violation(
      final ? 'lost-write' : 'stale-read',
      read,
      sources,
      witness,
      final
        ? 'an acknowledged write that nothing overwrote was not read back after the run'
        : witness.process === EXPIRY_PROCESS
          ? 'the read began after the key had certainly expired, and returned its value'
          : 'the read began after an acknowledged write completed, and returned a value that write had overwritten',
    );
  }

  /** Rule (e): values that held the key, lost it, and held it again. */
  nonMonotonicReads(): Violation[] {
    const reads = this.ops.filter((op) => op.op === 'get' && op.outcome === 'ok');
    // Everything that shows which value held the key at some point in its interval.
    const observations = [...reads, ...this.acked].sort((a, b) => a.invokedAt - b.invokedAt);
    const shownValue = (op: Operation): string | null => (op.op === 'get' ? (op.result as string | null) : op.value);
    const spans = new Map<string, { first: Operation; last: Operation }>();
    for (const read of reads) {
      if (typeof read.result !== 'string') continue;
      const span = spans.get(read.result);
      if (!span) spans.set(read.result, { first: read, last: read });
      else {
        if (read.completedAt < span.first.completedAt) span.first = read;
        if (read.invokedAt > span.last.invokedAt) span.last = read;
      }
    }
    const found: Violation[] = [];
    for (const [value, { first, last }] of spans) {
      if (first.completedAt >= last.invokedAt) continue;
      // Observations that began after `first` ended, and ended before `last` began.
      let lo = 0;
      let hi = observations.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (observations[mid]!.invokedAt > first.completedAt) hi = mid;
        else lo = mid + 1;
      }
      for (let i = lo; i < observations.length && observations[i]!.invokedAt < last.invokedAt; i++) {
        const between = observations[i]!;
        if (between.completedAt >= last.invokedAt || shownValue(between) === value) continue;
        // Report the first read of the value after the one in between.
        const again = reads
          .filter((read) => read.result === value && read.invokedAt > between.completedAt)
          .reduce((a, b) => (b.invokedAt < a.invokedAt ? b : a));
        const sources = [...(this.setsByValue.get(value) ?? [])];
        const from = Math.min(first.invokedAt, ...sources.map((s) => s.invokedAt));
        const window = this.ops.filter((op) => op.invokedAt <= again.completedAt && op.completedAt >= from);
        found.push({
          kind: 'non-monotonic-read',
          key: again.key,
          read: again,
          sources,
          witness: between,
          excerpt: window.length > EXCERPT_LIMIT ? [first, ...window.slice(-(EXCERPT_LIMIT - 1))] : window,
          explanation: `${JSON.stringify(value)} was read, then another value (the witness), then ${JSON.stringify(value)} again: copies that differ served reads, or a write was applied twice`,
        });
        break;
      }
    }
    return found;
  }

  private violation(
    kind: ViolationKind,
    read: Operation,
    sources: Operation[],
    witness: Operation | undefined,
    explanation: string,
  ): Violation {
    const realSources = sources.filter((s) => s !== INIT);
    const starts = [...realSources, ...(witness ? [witness] : [])].map((op) => op.invokedAt);
    const from = starts.length > 0 ? Math.min(...starts) : read.invokedAt;
    const window = this.ops.filter(
      (op) => op.invokedAt <= read.completedAt && (op.completedAt >= from || (isWrite(op) && op.outcome !== 'ok')),
    );
    const excerpt = window.length > EXCERPT_LIMIT ? window.slice(-EXCERPT_LIMIT) : window;
    const violation: Violation = { kind, key: read.key, read, sources: realSources, excerpt, explanation };
    if (witness) violation.witness = witness;
    return violation;
  }
}
