/** What `/health` answers for a broker: serving (HTTP 200) or not (503), and why, as JSON. */
export interface BrokerHealth {
  serving: boolean;
  body: {
    status: 'serving' | 'not-serving';
    role: 'broker';
    epoch: unknown;
    seq: unknown;
    nodes: unknown;
    ready: unknown;
    recovering: unknown;
    takingWrites: unknown;
  };
}

/**
 * A broker serves when it takes writes: it has a ready node, and it is neither learning the nodes'
 * state after a start nor holding writes for a node whose data is whole.
 */
export function brokerHealth(broker: { stats(): Record<string, unknown> }): BrokerHealth {
  const { epoch, seq, nodes, ready, recovering, takingWrites } = broker.stats();
  const serving = takingWrites === true;
  return {
    serving,
    body: { status: serving ? 'serving' : 'not-serving', role: 'broker', epoch, seq, nodes, ready, recovering, takingWrites },
  };
}
