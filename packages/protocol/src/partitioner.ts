/** Places keys on nodes. Implementations are immutable: build a new one when membership changes. */
export interface Partitioner {
  /** The node ids this partitioner was built from, sorted. */
  readonly nodeIds: readonly string[];
  /** The key's primary node, or undefined when there are no nodes. */
  primary(key: string): string | undefined;
  /** Every node, in the order the key should try them: primary first, then fallbacks. */
  preference(key: string): string[];
}
