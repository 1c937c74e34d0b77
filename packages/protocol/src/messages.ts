import type { ErrorCode } from './errors.js';
import type { Limits } from './limits.js';
import type { NodeState, WaitMode } from './op-codes.js';

/** One operation of a request. `id` matches it to its reply. */
export type Op =
  | { op: 'ping'; id: number }
  | { op: 'get'; id: number; key: string }
  | { op: 'set'; id: number; key: string; value: Buffer; ttlMs: number; wait: WaitMode }
  | { op: 'del'; id: number; key: string; wait: WaitMode }
  /** The time a key has left, in ms (a `number`): -1 for a key with no TTL, -2 for a missing key, as Redis's PTTL. */
  | { op: 'ttl'; id: number; key: string }
  /**
   * Gives an existing key a TTL of `ttlMs` from now; answers 1, or 0 for a missing key. A `ttlMs`
   * of 0 or less deletes the key, as Redis's EXPIRE does.
   */
  | { op: 'expire'; id: number; key: string; ttlMs: number; wait: WaitMode }
  /** Removes every key on every node, as one sequenced write. */
  | { op: 'flushall'; id: number; wait: WaitMode }
  | { op: 'keys'; id: number; pattern: string }
  /**
   * One page of a listing: the first `count` keys matching `pattern` that sort after `after` (by
   * UTF-8 bytes; '' starts at the beginning), in that order. The next page starts after the last key.
   */
  | { op: 'scan'; id: number; pattern: string; after: string; count: number }
  | { op: 'nodes'; id: number }
  | { op: 'stats'; id: number }
  /** Broker to node: the client writes this node applied most recently, to rebuild retry deduplication. */
  | { op: 'recent'; id: number }
  /** Broker to node: every key with a TTL and when it expires, so a new broker can go on expiring them. */
  | { op: 'expiries'; id: number }
  /** Every item of a bucket (the keys `{bucket}item`) with its value, from the bucket's primary. */
  | { op: 'bucket'; id: number; bucket: string }
  /** Client to broker: push me the ready nodes now and whenever they change, for a while (see `membership`). */
  | { op: 'watch'; id: number }
  /**
   * Broker to node: your memory use, and `count` entries picked at random with their access
   * figures, as eviction candidates; with `volatile`, only entries that have a TTL.
   */
  | { op: 'evict-sample'; id: number; count: number; volatile: boolean };

/** The answer to one op: a value, or an error with a code. */
export type Reply = { id: number; ok: true; value: ReplyValue } | { id: number; ok: false; code: ErrorCode; message: string };

/**
 * What a successful op answers:
 * `undefined` for an op with nothing to say (set), `null` for a missing key,
 * a Buffer for a value, a number (del's count), a list of strings (keys), JSON (nodes, stats),
 * or named values (a bucket's items).
 */
export type ReplyValue = undefined | null | Buffer | number | string[] | { json: unknown } | { entries: [name: string, value: Buffer][] };

/**
 * A write as the broker sequenced it. `expiresAt` is when the key expires on the clock of whoever
 * sent the `writes` message (0 for none): a receiver reads it only against that message's `sentAt`,
 * never against its own clock (see `expiryOnLocalClock`).
 * `origin` names the client write it came from (the client's routing id in hex and the op's id);
 * nodes remember recent origins so that a new broker still recognises a retried write.
 */
export type Write =
  | { kind: 'set'; key: string; value: Buffer; expiresAt: number; origin?: WriteOrigin }
  | { kind: 'del'; key: string; origin?: WriteOrigin }
  /** A new expiry for the key if it exists (never 0: an expiry that removes the key travels as a `del`). */
  | { kind: 'expire'; key: string; expiresAt: number; origin?: WriteOrigin }
  /** Every key removed. */
  | { kind: 'flush'; origin?: WriteOrigin };

export type WriteKind = Write['kind'];

/** The writes that name one key: every kind but `flush`. */
export type KeyedWrite = Exclude<Write, { kind: 'flush' }>;

export interface WriteOrigin {
  client: string;
  opId: number;
}

/**
 * One stored entry as a snapshot carries it, with the seq that last wrote it. `expiresAt` is on the
 * source's clock (0 for none), read against the chunk's `sentAt`.
 */
export interface SnapshotEntry {
  key: string;
  value: Buffer;
  seq: number;
  expiresAt: number;
}

export interface JoinProgress {
  received: number;
  total: number;
}

/** What a node says of itself when it registers (or asks to resume). */
export interface NodeRegistration {
  nodeId: string;
  /**
   * Random, chosen once per process start. A registration under a held node id with the same
   * incarnation is the holder coming back on a new connection; with another, it is a second
   * process, refused while the holder is alive (ERR_NODE_ID_TAKEN).
   */
  incarnation: string;
  endpoint: string;
  epoch: number;
  seq: number;
  keys: number;
  digest: string;
}

/** What `welcome` and `catch-up` tell a node of the cluster it serves in. */
export interface ClusterTerms {
  heartbeatMs: number;
  leaseMs: number;
  /** The cluster's size limits, the broker's: the node holds direct requests to them. */
  limits: Limits;
}

export type Message =
  /** Client to broker, broker to node (reads), or client to node (direct reads). */
  | { type: 'request'; ops: Op[] }
  | { type: 'reply'; replies: Reply[] }
  /** Node to broker: here I am, and this is the data I hold. */
  | ({ type: 'register' } & NodeRegistration)
  /**
   * Node to broker: `register`, from a node whose store is whole as of (`epoch`, `seq`) and that can
   * catch up from the broker's backlog of recent writes instead of a snapshot (a partial resync).
   */
  | ({ type: 'resume' } & NodeRegistration)
  /**
   * Broker to node, in answer to `resume`: keep the store, which is the cluster's content as of
   * `fromSeq` in `epoch`; the writes after it follow from the backlog, then the live stream. Once
   * the node has applied `seq`, it reports `caught-up` with `joinId`.
   */
  | ({ type: 'catch-up'; epoch: number; fromSeq: number; seq: number; joinId: number } & ClusterTerms)
  /**
   * Broker to node, in answer to register (or to restart a join).
   * `ready`: serve at once; the node's content is the cluster's as of `seq` (with `reset`, empty it first).
   * `joining`: empty the store, buffer the write stream, and load a snapshot taken at `seq` or later
   * from `source`.
   */
  | ({
      type: 'welcome';
      epoch: number;
      state: NodeState;
      seq: number;
      reset: boolean;
      joinId: number;
      sourceId: string;
      sourceEndpoint: string;
    } & ClusterTerms)
  | {
      type: 'heartbeat';
      nodeId: string;
      sentAt: number;
      epoch: number;
      seq: number;
      keys: number;
      digest: string;
      state: NodeState;
      progress: JoinProgress;
    }
  /**
   * Broker to node. Echoes `sentAt`, from which the node's read lease runs for `leaseMs`.
   * `brokerAt` is the broker's clock as it answers: the node estimates that clock from it.
   */
  | { type: 'heartbeat-ack'; sentAt: number; epoch: number; leaseMs: number; brokerAt: number }
  /**
   * Broker to node: writes `firstSeq`, `firstSeq + 1`, ... in order. `sentAt` is the broker's clock
   * when it sent this, the clock its writes' `expiresAt` are on.
   */
  | { type: 'writes'; epoch: number; firstSeq: number; sentAt: number; writes: Write[] }
  /**
   * Node to broker: every write up to `seq` is applied. `removed` lists the seqs of deletes since
   * the previous ack that found their key, so that `del` can answer whether it removed anything.
   */
  | { type: 'ack'; epoch: number; seq: number; removed: number[] }
  /** An error that belongs to no op, such as an undecodable frame. */
  | { type: 'error'; code: ErrorCode; message: string }
  | { type: 'unregister'; nodeId: string }
  /** Joiner to broker: snapshot loaded and buffered writes replayed up to `seq`. */
  | { type: 'caught-up'; joinId: number; seq: number }
  /** Joiner to broker: this join cannot finish; start another. */
  | { type: 'join-failed'; joinId: number; reason: string }
  /** Joiner to source: stream me a snapshot taken at `minSeq` or later; I take `credit` chunks now. */
  | { type: 'snapshot-request'; joinId: number; minSeq: number; credit: number }
  | { type: 'snapshot-begin'; joinId: number; seq: number; totalKeys: number }
  /** Source to joiner. `sentAt` is the source's clock when it built this, the clock its entries' `expiresAt` are on. */
  | { type: 'snapshot-chunk'; joinId: number; sentAt: number; entries: SnapshotEntry[] }
  | { type: 'snapshot-end'; joinId: number; count: number }
  /** Joiner to source: send `credit` more chunks. */
  | { type: 'snapshot-credit'; joinId: number; credit: number }
  /**
   * Broker to a client that sent `watch`: the ready nodes, from which the client builds the same
   * partitioner as the broker and reads from a key's primary directly. `version` grows with every change.
   */
  | { type: 'membership'; version: number; epoch: number; partitioner: string; nodes: MemberNode[] };

/** A ready node as a membership push names it. */
export interface MemberNode {
  id: string;
  endpoint: string;
}

export type MessageOf<T extends Message['type']> = Extract<Message, { type: T }>;

/** The JSON a reply value carries (nodes, stats, recent, expiries), or undefined for any other value. */
export function jsonOf(value: ReplyValue): unknown {
  return value !== null && typeof value === 'object' && 'json' in value ? value.json : undefined;
}

/** The named values a reply carries (a bucket's items), or undefined for any other value. */
export function entriesOf(value: ReplyValue): [name: string, value: Buffer][] | undefined {
  // Buffers and arrays have an `entries` method: only the plain object carries the field.
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || Array.isArray(value)) return undefined;
  return 'entries' in value ? value.entries : undefined;
}
