import type { BrokerContext } from './broker-context.js';
import type { ContentJudge } from './nodes-query.js';

/**
 * How `nodes` judges each node: its lag and lease, and why a ready node may not hold every
 * acknowledged write: the epoch started from data that was not whole, or the node's own fresh
 * figures put it behind a write acknowledged in `all` mode, which every ready node must have applied.
 */
export function contentJudge(ctx: BrokerContext): ContentJudge {
  const { log, options, now } = ctx;
  return {
    acknowledgedSeq: () => log.acknowledgedAllSeq,
    errorOf: (node, acknowledged, fresh) => {
      if (node.state !== 'ready') return undefined;
      if (log.epochLoss) return { code: 'ERR_DATA_LOST', message: `this epoch started from data that was not whole: ${log.epochLoss}` };
      if (fresh && node.seq < acknowledged) {
        return {
          code: 'ERR_DATA_LOST',
          message: `ready at seq ${node.seq}, behind seq ${acknowledged}, which was acknowledged to every ready node`,
        };
      }
      return undefined;
    },
    standingOf: (node) => ({
      lag: Math.max(0, log.lastSeq - node.acked),
      leaseMs: node.state === 'ready' ? Math.max(0, Math.round(node.leaseGrantedAt + options.leaseMs - now())) : 0,
    }),
  };
}
