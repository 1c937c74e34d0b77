/** What a node said it holds when it registered, as the seed policy weighs it. */
export interface SeedCandidate {
  readonly nodeId: string;
  /** It sent `resume`: its store is the whole content as of (epoch, seq). */
  readonly whole: boolean;
  readonly epoch: number;
  /** The last seq its data holds (or, when it is not whole, the last seq it had loaded or applied). */
  readonly seq: number;
}

/** What the broker knows beyond the candidates. */
export interface SeedContext {
  /** The broker's last sequenced seq: above 0 once it has stamped a write or started an epoch from data. */
  readonly lastSeq: number;
  /** The highest seq any registration this broker has heard reported, the candidates' included. */
  readonly heardSeq: number;
  /**
   * The last write this broker process acknowledged, if it sequenced one itself. A whole node
   * behind it lacks an acknowledged write, so it is not whole for the cluster.
   */
  readonly acknowledged?: { readonly epoch: number; readonly seq: number };
  /** The operator accepts losing acknowledged writes rather than waiting for a whole node (`--accept-data-loss`). */
  readonly acceptDataLoss: boolean;
}

export type SeedDecision<C extends SeedCandidate> =
  /** Start an epoch from `from`; `loss` says what may be lost when it is not whole. */
  | { readonly seed: true; readonly from: C; readonly loss: string | undefined }
  /** Start nothing: hold writes and reads until a whole node registers. */
  | { readonly seed: false; readonly reason: string };

/** A candidate that never held anything: not whole, and at seq 0. */
export function isBlank(candidate: { whole: boolean; seq: number }): boolean {
  return !candidate.whole && candidate.seq === 0;
}

/** Whether `a` holds a later point of the history than `b`. */
export function isAhead(a: { epoch: number; seq: number }, b: { epoch: number; seq: number }): boolean {
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.seq > b.seq);
}

/**
 * Which registration, if any, may become a new epoch's content when no node is ready. Only a node
 * whose data is whole seeds an epoch, the most advanced winning, and only if it holds the last
 * write this broker acknowledged: a node restarted from its disk is whole only up to where it
 * stopped, and the cluster may have acknowledged writes since. Blank nodes may seed only a blank
 * cluster: the broker has sequenced nothing and has heard of no data anywhere. Anything else (a
 * half-loaded joiner, a node whose log was damaged) would make the cluster forget what it
 * acknowledged, so the broker waits for a whole node, unless the operator accepts the loss.
 */
export function chooseSeed<C extends SeedCandidate>(candidates: readonly C[], context: SeedContext): SeedDecision<C> {
  if (candidates.length === 0) return { seed: false, reason: 'no node has registered' };
  const whole = candidates.filter((candidate) => candidate.whole);
  const acknowledged = context.acknowledged;
  const holdsAcknowledged = whole.filter((candidate) => !acknowledged || !isAhead(acknowledged, candidate));
  if (holdsAcknowledged.length > 0) return { seed: true, from: mostAdvanced(holdsAcknowledged), loss: undefined };
  if (candidates.every(isBlank) && context.lastSeq === 0 && context.heardSeq === 0) {
    return { seed: true, from: candidates[0]!, loss: undefined };
  }
  const reason =
    whole.length > 0 && acknowledged
      ? `the whole nodes present stop before the last write this broker acknowledged (epoch ${acknowledged.epoch}, seq ${acknowledged.seq})`
      : context.lastSeq > 0 || context.heardSeq > 0
        ? `no node whose data is whole is present, and the cluster held data (up to seq ${Math.max(context.lastSeq, context.heardSeq)})`
        : 'no node whose data is whole is present';
  if (!context.acceptDataLoss) return { seed: false, reason };
  const from = mostAdvanced(candidates);
  return { seed: true, from, loss: `${reason}; started from ${from.nodeId} (epoch ${from.epoch}, seq ${from.seq}), which is not whole` };
}

function mostAdvanced<C extends SeedCandidate>(candidates: readonly C[]): C {
  return candidates.reduce((best, candidate) => (isAhead(candidate, best) ? candidate : best));
}
