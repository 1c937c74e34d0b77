/** The version byte every frame starts with. Decoders reject any other. */
export const PROTOCOL_VERSION = 1;

/**
 * Message types: the second byte of every frame. Codes 7 and 15 were `writes` and `snapshot-chunk`
 * when their expiries were wall-clock times; they are retired (decoding rejects them), so a broker
 * or node from before cannot misread an expiry that now travels as time left on the sender's clock.
 */
export const MESSAGE_TYPES = {
  request: 1,
  reply: 2,
  register: 3,
  welcome: 4,
  heartbeat: 5,
  'heartbeat-ack': 6,
  ack: 8,
  error: 9,
  unregister: 10,
  'caught-up': 11,
  'join-failed': 12,
  'snapshot-request': 13,
  'snapshot-begin': 14,
  'snapshot-end': 16,
  'snapshot-credit': 17,
  membership: 18,
  resume: 19,
  'catch-up': 20,
  writes: 21,
  'snapshot-chunk': 22,
} as const;

export type MessageType = keyof typeof MESSAGE_TYPES;

/** Operations inside a `request` message. */
export const OP_CODES = {
  ping: 1,
  get: 2,
  set: 3,
  del: 4,
  keys: 5,
  nodes: 6,
  stats: 7,
  recent: 8,
  expiries: 9,
  watch: 10,
  bucket: 11,
  'evict-sample': 12,
  scan: 13,
  ttl: 14,
  expire: 15,
  flushall: 16,
} as const;

export type OpName = keyof typeof OP_CODES;

/** Kinds of replicated write inside a `writes` message. */
export const WRITE_KINDS = {
  set: 1,
  del: 2,
  expire: 3,
  flush: 4,
} as const;

/** Tags of the value carried by a successful reply. */
export const REPLY_TAGS = {
  none: 0,
  nil: 1,
  bytes: 2,
  number: 3,
  strings: 4,
  json: 5,
  error: 6,
  entries: 7,
} as const;

/** How a write is acknowledged: after every ready node, or after the key's primary, applied it. */
export type WaitMode = 'all' | 'primary';

export const WAIT_MODES = { all: 0, primary: 1 } as const;

export type NodeState = 'joining' | 'ready';

export const NODE_STATES = { joining: 0, ready: 1 } as const;

/** Inverts a `{ name: code }` table into a lookup from code to name. */
export function invert<K extends string>(table: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(table).map(([name, code]) => [code as number, name as K]));
}
