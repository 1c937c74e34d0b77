import type { CacheNode } from './cache-node.js';

/** What `/health` answers for a node: serving (HTTP 200) or not (503), and its state, as JSON. */
export interface NodeHealth {
  serving: boolean;
  body: {
    status: 'serving' | 'not-serving';
    role: 'node';
    id: string;
    state: string;
    epoch: unknown;
    seq: unknown;
    keys: unknown;
    lease: unknown;
  };
}

/** A node serves once it is ready: registered, caught up, and in the ring. */
export function nodeHealth(node: Pick<CacheNode, 'stats' | 'state' | 'id'>): NodeHealth {
  const { epoch, seq, keys, lease } = node.stats();
  const serving = node.state === 'ready';
  return {
    serving,
    body: { status: serving ? 'serving' : 'not-serving', role: 'node', id: node.id, state: node.state, epoch, seq, keys, lease },
  };
}
