import type { NodeRecord } from '../src/node-record.js';

/** A ready node as the broker records it, with every figure at zero. */
export function readyNode(id: string): NodeRecord {
  return {
    peer: id,
    id,
    incarnation: '1',
    endpoint: `inproc://${id}`,
    state: 'ready',
    acked: 0,
    lastHeartbeatAt: 0,
    leaseGrantedAt: 0,
    keys: 0,
    seq: 0,
    digest: '',
    progress: { received: 0, total: 0 },
    joinId: 0,
    sourceId: '',
    sync: 'none',
    registered: { whole: true, epoch: 0, seq: 0, digest: '' },
    waiting: false,
  };
}
