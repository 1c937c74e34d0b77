import { createPartitioner, DEFAULT_PARTITIONER, type NodeState, type Partitioner, type PartitionerName } from '@brainer/protocol';
import type { NodeRecord } from './node-record.js';
import type { PeerId } from './ports.js';

/** The registered nodes, indexed by connection and by node id, and the ring of the ready ones. */
export class Membership {
  private readonly nodesByPeer = new Map<PeerId, NodeRecord>();
  private readonly byId = new Map<string, NodeRecord>();
  private readyNodes: NodeRecord[] = [];
  /** Every registered node's connection, for the fan-out: kept as an array, not built per write. */
  private nodePeers: PeerId[] = [];
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
    return this.nodesByPeer.size;
  }

  all(): IterableIterator<NodeRecord> {
    return this.nodesByPeer.values();
  }

  peers(): readonly PeerId[] {
    return this.nodePeers;
  }

  byPeer(peer: PeerId): NodeRecord | undefined {
    return this.nodesByPeer.get(peer);
  }

  byNodeId(id: string): NodeRecord | undefined {
    return this.byId.get(id);
  }

  add(node: NodeRecord): void {
    this.nodesByPeer.set(node.peer, node);
    this.byId.set(node.id, node);
    this.nodePeers = [...this.nodesByPeer.keys()];
    if (node.state === 'ready') this.rebuild();
  }

  setState(node: NodeRecord, state: NodeState): void {
    node.state = state;
    this.rebuild();
  }

  remove(node: NodeRecord): void {
    this.nodesByPeer.delete(node.peer);
    this.nodePeers = [...this.nodesByPeer.keys()];
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
    this.readyNodes = [...this.nodesByPeer.values()].filter((node) => node.state === 'ready');
    this.partitioner = createPartitioner(
      this.partitionerName,
      this.readyNodes.map((node) => node.id),
    );
    this.changes++;
    this.onReadyChanged();
  }
}
