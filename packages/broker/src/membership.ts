import { createPartitioner, DEFAULT_PARTITIONER, type NodeState, type Partitioner, type PartitionerName } from '@brainer/protocol';
import type { NodeRecord } from './node-record.js';

/** The registered nodes, indexed by routing id and by node id, and the ring of the ready ones. */
export class Membership {
  private readonly byPeer = new Map<string, NodeRecord>();
  private readonly byId = new Map<string, NodeRecord>();
  private readyNodes: NodeRecord[] = [];
  private partitioner: Partitioner;
  private changes = 0;

  /** `onReadyChanged` runs whenever the set of ready nodes, and so the placement, changes. */
  constructor(
    private readonly partitionerName: PartitionerName = DEFAULT_PARTITIONER,
    private readonly onReadyChanged: () => void = () => undefined,
  ) {
    this.partitioner = createPartitioner(partitionerName, []);
  }

  /** Grows by one with every change of the ready set. */
  get version(): number {
    return this.changes;
  }

  get ring(): Partitioner {
    return this.partitioner;
  }

  get ready(): readonly NodeRecord[] {
    return this.readyNodes;
  }

  get size(): number {
    return this.byPeer.size;
  }

  all(): IterableIterator<NodeRecord> {
    return this.byPeer.values();
  }

  byPeerKey(peerKey: string): NodeRecord | undefined {
    return this.byPeer.get(peerKey);
  }

  byNodeId(id: string): NodeRecord | undefined {
    return this.byId.get(id);
  }

  add(node: NodeRecord): void {
    this.byPeer.set(node.peerKey, node);
    this.byId.set(node.id, node);
    if (node.state === 'ready') this.rebuild();
  }

  setState(node: NodeRecord, state: NodeState): void {
    node.state = state;
    this.rebuild();
  }

  remove(node: NodeRecord): void {
    this.byPeer.delete(node.peerKey);
    if (this.byId.get(node.id) === node) this.byId.delete(node.id);
    if (node.state === 'ready') this.rebuild();
  }

  /** The lowest seq every ready node has applied; Infinity when none is ready. */
  minReadyAcked(): number {
    let min = Infinity;
    for (const node of this.readyNodes) if (node.acked < min) min = node.acked;
    return min;
  }

  private rebuild(): void {
    this.readyNodes = [...this.byPeer.values()].filter((node) => node.state === 'ready');
    this.partitioner = createPartitioner(
      this.partitionerName,
      this.readyNodes.map((node) => node.id),
    );
    this.changes++;
    this.onReadyChanged();
  }
}
