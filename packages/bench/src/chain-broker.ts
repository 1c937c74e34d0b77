import type { Router } from 'zeromq';
import { bindChildRouter } from './child-router.js';
import { REGISTER, REQUEST } from './zmq-write-chain-frames.js';

export interface ChainBrokerHandlers {
  /** The frame every node gets for a client's request, which has just been given `seq`. */
  toWrite(seq: number, client: Buffer, request: Buffer): Buffer;
  /** Any other frame from a client or node: an ack, say. Default: ignored. */
  onOther?(router: Router, sender: Buffer, frame: Buffer): Promise<void>;
}

/**
 * The broker of a raw ZeroMQ chain, for a floor's child script: binds a ROUTER (printing its
 * endpoint), prints `ready` once `expectedNodes` nodes have registered, then gives each client
 * request the next sequence number and sends every node the frame `toWrite` makes of it. Returns
 * when the ROUTER closes.
 */
export async function runChainBroker(expectedNodes: number, handlers: ChainBrokerHandlers): Promise<void> {
  const router = await bindChildRouter();
  const nodes: Buffer[] = [];
  let seq = 0;
  try {
    for await (const [sender, frame] of router) {
      if (sender === undefined || frame === undefined) continue;
      if (frame[0] === REQUEST) {
        seq = (seq + 1) >>> 0;
        const write = handlers.toWrite(seq, sender, frame);
        for (const node of nodes) await router.send([node, write]);
      } else if (frame[0] === REGISTER) {
        nodes.push(sender);
        if (nodes.length === expectedNodes) console.log('ready');
      } else {
        await handlers.onOther?.(router, sender, frame);
      }
    }
  } catch {
    // Closed.
  }
}
