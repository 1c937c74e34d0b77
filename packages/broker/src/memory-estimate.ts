/**
 * Writes whose estimated effect is kept. A ready node more than `maxOutstandingWrites` (100,000 by
 * default) behind is dropped, so a report is never older than this unless that option is raised.
 */
const WINDOW = 2 ** 18;

interface Report {
  usedMemory: number;
  seq: number;
}

/**
 * The used memory of each ready node, now: what it last reported as of its seq, plus the estimated
 * effect of every write the broker stamped after that seq. A `set` is counted as a new entry, and a
 * client's `del` as freeing nothing, so the estimate never falls short of the truth; an eviction is
 * counted as freeing the entry's sampled size, which is exact. Each report brings the estimate back
 * to the truth.
 */
export class MemoryEstimate {
  /** The running total of estimated effects before each write, by seq modulo the window. */
  private readonly before = new Float64Array(WINDOW);
  /** The first seq of the current run of consecutive seqs (a new epoch may jump ahead). */
  private first = 0;
  private last = 0;
  private total = 0;
  private readonly reports = new Map<string, Report>();

  /** The last seq recorded. */
  get lastSeq(): number {
    return this.last;
  }

  /** Records the estimated effect, in bytes, of the write stamped `seq`. */
  record(seq: number, bytes: number): void {
    if (this.last === 0 || seq !== this.last + 1) this.first = seq;
    this.before[seq % WINDOW] = this.total;
    this.total += bytes;
    this.last = seq;
  }

  /** The estimated bytes added by the writes stamped after `seq`. */
  addedAfter(seq: number): number {
    if (this.last === 0 || seq >= this.last) return 0;
    const from = Math.max(seq + 1, this.first, this.last - WINDOW + 1);
    return this.total - this.before[from % WINDOW]!;
  }

  /** A node's used memory as of its `seq`. An older report than the one held is ignored. */
  report(nodeId: string, usedMemory: number, seq: number): void {
    const held = this.reports.get(nodeId);
    if (held && held.seq > seq) return;
    this.reports.set(nodeId, { usedMemory, seq });
  }

  forget(nodeId: string): void {
    this.reports.delete(nodeId);
  }

  /** What the node last reported, undefined if it has not. */
  reported(nodeId: string): Report | undefined {
    return this.reports.get(nodeId);
  }

  /** The node's used memory now, undefined if it has not reported. */
  usedBy(nodeId: string): number | undefined {
    const report = this.reports.get(nodeId);
    return report && report.usedMemory + this.addedAfter(report.seq);
  }

  /** The highest used memory now among `nodeIds`, undefined when none of them has reported. */
  highest(nodeIds: Iterable<string>): number | undefined {
    let highest: number | undefined;
    for (const id of nodeIds) {
      const used = this.usedBy(id);
      if (used !== undefined && (highest === undefined || used > highest)) highest = used;
    }
    return highest;
  }
}
